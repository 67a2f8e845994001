// Pipeline: runs a PipelineConfig.
//
//   inputs (a thread each) -> bounded queue of batches -> N filter workers
//   -> outputs (called by the worker that filtered the batch) -> acks back
//
// Inputs fill a batch until it holds batch_size events or its oldest event is
// batch_delay old, then hand it to the queue; a full queue blocks the input
// (backpressure). A worker takes a whole batch, runs its own copy of the filter
// graph, offers the survivors to each output (one batch at a time per
// output), and then marks the batch done. When every batch of an input up to
// some number is done, the input is told (Input::committed) and may store its
// position: what is stored has been accepted by every output.
//
// Shutdown (request_stop, e.g. on SIGTERM) drains: inputs stop reading and seal
// what they have, workers empty the queue, outputs flush, inputs store their
// final positions. wait() returns when all of that is over.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/latency_histogram.h"
#include "engine/pipeline_config.h"

namespace logpipe {

struct PipelineSettings {
  int workers = 1;
  int batch_size = 125;
  int batch_delay_ms = 50;
  bool ordered = false;           // one worker, batches in input order
  size_t queue_batches = 0;       // queue capacity in batches; 0 = 4 per worker + 8
  size_t max_message_bytes = 1 << 20;  // longer messages are truncated and tagged
  std::string data_dir = "./data";
};

struct PipelineStats {
  uint64_t events_in = 0;        // accepted from inputs
  uint64_t events_filtered = 0;  // left the filters (not dropped)
  uint64_t events_out = 0;       // sum over outputs of events delivered
  uint64_t batches = 0;
  double seconds = 0;            // from start() to the end of wait()
  double cpu_seconds = 0;        // process CPU time (user + system) over the run
  LatencyHistogram latency;      // event creation -> all outputs done
};

class Pipeline {
 public:
  // Builds every plugin. Throws std::runtime_error when a plugin fails to
  // build (e.g. a file output cannot create its directory).
  Pipeline(std::shared_ptr<const PipelineConfig> config, PipelineSettings settings);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  void start();
  // Begins the drain; safe to call from any thread, any number of times.
  void request_stop();
  // Blocks until inputs are done, the queue is empty and outputs flushed.
  void wait();

  PipelineStats stats() const;

 private:
  struct Batch;
  struct InputRunner;
  struct Worker;
  struct OutputSlot;

  void run_input(InputRunner& in);
  void run_worker(Worker& w);
  void enqueue(Batch* b);
  void finish_batch(Worker& w, Batch* b);

  std::shared_ptr<const PipelineConfig> config_;
  PipelineSettings settings_;
  PluginEnv env_;

  struct Queue;
  std::unique_ptr<Queue> queue_;
  std::vector<std::unique_ptr<InputRunner>> inputs_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::unique_ptr<OutputSlot>> outputs_;
  std::vector<std::thread> threads_;

  std::atomic<bool> stopping_{false};
  std::atomic<int> inputs_running_{0};
  std::atomic<int64_t> batches_in_flight_{0};
  int64_t start_ns_ = 0;
  double start_cpu_ = 0;
  PipelineStats final_stats_;
  bool waited_ = false;
};

}  // namespace logpipe
