// Pipeline: runs a PipelineConfig.
//
//   inputs (a thread each, InputRunner) -> bounded queue of batches
//   -> N filter workers (each its own FilterGraph; encodes for the outputs)
//   -> each output's bounded queue and thread (OutputRunner)
//   -> acknowledgements back to the inputs
//
// A batch is done when every output it was routed to has completed every
// event in it (delivered, or dead-lettered); only then is its input told, in
// order, so that what an input stores (file positions, Kafka offsets) has
// been accepted downstream. A full output queue blocks the workers, which
// lets the input queue fill, which blocks the inputs (or pauses Kafka).
//
// Shutdown (request_stop, e.g. on SIGTERM, or every input finished) drains:
// inputs stop and seal what they have, workers empty the queue, outputs
// complete their work, inputs store their final positions. If the drain has
// not ended `shutdown_timeout_ms` after it began, the pipeline is abandoned:
// what was not delivered is counted (stats().undelivered) and never
// acknowledged, so nothing unacknowledged is stored as done.
//
// Statistics are readable while the pipeline runs (relaxed atomic counters).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/metrics/latency_histogram.h"
#include "engine/config/pipeline_config.h"
#include "engine/runtime/batch.h"
#include "engine/runtime/bounded_queue.h"
#include "engine/runtime/dead_letter_sink.h"
#include "engine/runtime/output_stage.h"

namespace logpipe {

class InputRunner;

struct PipelineSettings {
  int workers = 1;
  int batch_size = 125;
  int batch_delay_ms = 50;
  bool ordered = false;           // one worker, batches in input order
  size_t queue_batches = 0;       // input queue capacity in batches; 0 = 4 per worker + 8
  size_t output_queue_batches = 0;  // per output; 0 = 2 per worker + 4
  size_t max_message_bytes = 1 << 20;  // longer messages are truncated and tagged
  std::string data_dir = "./data";
  int64_t shutdown_timeout_ms = 60000;  // the drain's deadline
  RetryBackoff output_backoff;
  bool dead_letter_queue = true;
  std::string dead_letter_dir;          // empty: <data_dir>/dead_letter_queue
  uint64_t dead_letter_max_bytes = 1024ull << 20;
};

struct OutputSummary {
  std::string id;
  std::string name;  // the plugin, e.g. "elasticsearch"
  OutputStats stats;
  PluginMetrics own;  // the output's own figures
  bool metered = true;  // enable_metric
};

// The queue between the inputs and the filter workers (it holds batches).
struct InputQueueStats {
  size_t capacity_batches = 0;
  size_t depth_batches = 0;
  uint64_t events_in = 0;   // events of the batches put on it
  uint64_t events_out = 0;  // events of the batches workers took from it
  double blocked_seconds = 0;  // inputs waiting for room
};

struct InputSummary {
  std::string id;
  std::string name;
  uint64_t events_out = 0;  // events it made (into the queue)
  PluginMetrics own;  // the input's own figures
  bool metered = true;  // enable_metric
};

struct FilterSummary {
  std::string id;
  std::string name;
  uint64_t events_in = 0;
  uint64_t events_out = 0;
  double seconds = 0;  // time spent in it, all workers together
  LatencyHistogram per_event;  // time per event (each batch's time over its events)
  PluginMetrics own;  // the filter's own figures, summed over the workers' copies
  bool metered = true;  // enable_metric
};

struct PipelineStats {
  uint64_t events_in = 0;        // accepted from inputs
  uint64_t events_filtered = 0;  // left the filters (not dropped)
  uint64_t events_out = 0;       // sum over outputs of events delivered
  uint64_t events_done = 0;      // events whose batch every output completed
  uint64_t batches = 0;
  uint64_t undelivered = 0;      // at the end: events not delivered when the drain was abandoned
  uint64_t dead_lettered = 0;
  double seconds = 0;            // from start() to the end of wait()
  double cpu_seconds = 0;        // process CPU time (user + system) over the run
  LatencyHistogram latency;      // per event: made by its input -> its last output completed it
  LatencyHistogram queue_wait;   // per event: its batch sealed -> a worker took it
  std::vector<OutputSummary> outputs;
  std::vector<std::string> failed_inputs;  // ids of inputs that stopped on an error
  InputQueueStats input_queue;
  std::vector<InputSummary> inputs;
  std::vector<FilterSummary> filters;
  int workers = 0;
  int batch_size = 0;
  int batch_delay_ms = 0;
  bool running = false;  // started and not yet ended
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
  // Blocks until the drain is over (or was abandoned at its deadline).
  void wait();
  // True when the drain was abandoned at its deadline.
  bool abandoned() const { return abandoned_.load(); }

  // Live while running; final after wait().
  PipelineStats stats() const;

 private:
  struct Worker;

  void run_worker(Worker& w);
  void route_to_outputs(Worker& w, Batch* b, std::vector<Event*>& live);
  // Pays the wake-ups w owes the outputs' threads.
  void wake_outputs(Worker& w);
  void batch_done(Batch* b);
  void thread_ended(size_t slot);
  void begin_drain();

  std::shared_ptr<const PipelineConfig> config_;
  PipelineSettings settings_;
  PluginEnv env_;

  BoundedQueue<Batch*> queue_;
  std::unique_ptr<DeadLetterSink> dead_letters_;
  std::vector<std::unique_ptr<InputRunner>> inputs_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::unique_ptr<OutputRunner>> outputs_;
  std::vector<std::thread> input_threads_;
  std::vector<std::thread> worker_threads_;

  std::atomic<bool> stopping_{false};
  std::atomic<bool> abandoned_{false};
  std::atomic<bool> started_{false};
  std::atomic<int> inputs_running_{0};
  std::atomic<int64_t> batches_in_flight_{0};  // in the input queue or with a worker
  std::atomic<int64_t> drain_began_ns_{0};
  mutable std::mutex failed_mu_;
  std::vector<std::string> failed_inputs_;
  std::mutex ended_mu_;
  std::condition_variable ended_cv_;
  int threads_running_ = 0;         // under ended_mu_
  std::vector<bool> thread_ended_;  // under ended_mu_: workers, then inputs

  std::atomic<uint64_t> events_done_{0};
  std::atomic<uint64_t> batches_done_{0};
  SharedLatencyHistogram latency_;
  SharedLatencyHistogram queue_wait_;
  int64_t start_ns_ = 0;
  double start_cpu_ = 0;
  // Taken by stats() and request_stop() while they use the threads' objects,
  // and by wait() to publish the final figures before it closes them.
  mutable std::mutex final_mu_;
  PipelineStats final_stats_;  // under final_mu_, once final_ready_
  std::atomic<bool> final_ready_{false};
  std::atomic<bool> waited_{false};
};

}  // namespace logpipe
