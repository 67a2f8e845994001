// OutputRunner: one output on the output stage (see "outputs" in
// engine/plugin.h for what an output sees).
//
//   workers --enqueue()--> [bounded queue of work] --> output thread --submit()-->
//   output --OutputWork::complete(), any thread--> outcomes per event:
//     delivered            -> the work's hold on its batch is dropped
//     retry                -> the remaining events wait (RetryBackoff), then
//                             are submitted again; they count as in flight
//     rejected with reason -> dead-letter sink, then done; if the sink refuses
//                             (full, disk error) the events are retried instead
//
// A worker encodes the events for the output before enqueueing them when the
// output has an encoder, so encoding runs on every worker in parallel. The
// queue is bounded and enqueue() blocks while it is full, so a slow output
// slows the workers and then the inputs. At most max_in_flight() works are
// submitted and not yet done (retries included); with 1, events are
// delivered in the order they were enqueued.
//
// Thread-safety: enqueue() from any worker; start/finish/abandon/join from
// the pipeline's thread; statistics from any thread at any time.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <concurrentqueue/concurrentqueue.h>

#include "engine/config/pipeline_config.h"
#include "engine/runtime/batch.h"
#include "engine/runtime/bounded_queue.h"
#include "engine/runtime/dead_letter_sink.h"
#include "engine/runtime/retry_backoff.h"

namespace logpipe {

struct OutputStageSettings {
  size_t queue_capacity = 16;  // pieces of work (each a batch's share)
  RetryBackoff backoff;
};

struct OutputStats {
  uint64_t events_in = 0;       // handed to the output's queue
  uint64_t delivered = 0;
  uint64_t retried = 0;         // event submissions after the first
  uint64_t dead_lettered = 0;
  uint64_t dropped = 0;         // rejected with no dead-letter sink
  uint64_t pending = 0;         // queued, in flight or waiting to be retried
  size_t queue_depth = 0;
  size_t queue_capacity = 0;
  double queue_blocked_seconds = 0;  // workers waiting for room
};

class OutputRunner {
 public:
  // release_batch is called with a batch whose last hold this runner dropped.
  // dead_letters may be null (no dead-letter queue: rejected events are
  // logged and dropped, as Logstash does without one).
  OutputRunner(const PluginDecl& decl, std::unique_ptr<Output> output, OutputStageSettings settings,
               DeadLetterSink* dead_letters, std::function<void(Batch*)> release_batch);
  ~OutputRunner();

  const PluginDecl& decl() const { return decl_; }
  std::unique_ptr<OutputEncoder> make_encoder() { return output_->make_encoder(); }
  void collect_metrics(PluginMetrics& out) const { output_->collect_metrics(out); }

  // Worker: hands over events (of batch b, routed here) and takes a hold on b.
  // Blocks while the queue is full. Returns false, taking no hold, once
  // `abandoned` is set. With `wake_owed`, the output's thread, if it waits for
  // work, is not woken: *wake_owed says whether the caller owes wake().
  bool enqueue(Batch* b, const std::vector<const Event*>& events, OutputEncoder* encoder,
               const std::atomic<bool>& abandoned, bool* wake_owed = nullptr);
  // Wakes the output's thread for work enqueued without waking it.
  void wake() { queue_.wake_consumer(); }

  void start();
  // No more enqueue() calls will come: the thread ends when everything is done.
  void finish();
  // The drain deadline passed: the thread ends now, whatever is pending.
  void abandon();
  // Waits for the thread up to the steady-clock deadline; true when it ended.
  bool join_until(int64_t deadline_ns);
  // True while work submitted to the output has not come back (after an
  // abandon such an output must outlive the process's last use of it).
  bool has_work_outstanding() const;
  // The output plugin (destroyed with the runner).
  void close_output();

  OutputStats stats() const;

 private:
  struct Work;
  void run();
  void submit(Work* w);
  void completed(Work* w);
  Work* take_work();
  void recycle(Work* w);
  void log_retry(size_t events, int attempt, int64_t delay_ms, const std::string& reason);

  const PluginDecl& decl_;
  std::unique_ptr<Output> output_;
  OutputStageSettings settings_;
  DeadLetterSink* dead_letters_;
  std::function<void(Batch*)> release_batch_;
  size_t max_in_flight_;
  BoundedQueue<Work*> queue_;
  moodycamel::ConcurrentQueue<Work*> free_;
  std::thread thread_;
  std::atomic<bool> finishing_{false};
  std::atomic<bool> abandoned_{false};
  std::atomic<bool> ended_{false};

  mutable std::mutex mu_;
  std::condition_variable cv_;
  size_t in_flight_ = 0;  // submitted or waiting to be retried
  std::multimap<int64_t, Work*> retries_;  // by the steady time they are due
  std::minstd_rand rng_;
  int64_t last_retry_log_ns_ = 0;
  uint64_t retries_unlogged_ = 0;
  std::mutex end_mu_;
  std::condition_variable end_cv_;

  std::atomic<uint64_t> events_in_{0}, delivered_{0}, retried_{0}, dead_lettered_{0},
      dropped_{0}, pending_{0};
};

}  // namespace logpipe
