// InputRunner: runs one input on its own thread and turns what it pushes into
// batches for the pipeline's input queue.
//
// A batch is sealed when it holds batch_size events or its oldest event is
// batch_delay old (the input calls tick() at least that often), and when the
// input flushes. Sealing numbers the batch (1, 2, 3 ...), tells the input
// (Input::sealed, so it can note its position) and pushes the batch to the
// queue, blocking while the queue is full. When batches come back done,
// possibly out of order, the AckTracker turns them into an in-order watermark
// and the input is told (Input::committed) so it can store its position.
//
// Finished batches return to this runner and are reused by its thread, so
// events are freed by the thread that allocated them and vectors keep their
// capacity. Thread-safety: push/tick/flush on the input's thread only;
// batch_done() from any thread.
#pragma once

#include <concurrentqueue/concurrentqueue.h>

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "engine/event/field_decorators.h"
#include "engine/config/pipeline_config.h"
#include "engine/runtime/ack_tracker.h"
#include "engine/runtime/batch.h"
#include "engine/runtime/bounded_queue.h"

namespace logpipe {

struct InputRunnerSettings {
  int batch_size = 125;
  int batch_delay_ms = 50;
  size_t max_message_bytes = 1 << 20;
};

// The options every input has that decorate its events (Logstash's input
// base): `type` unless the event has one, `add_field`, `tags`, in that order.
class InputDecorations {
 public:
  explicit InputDecorations(const Settings& settings);
  void apply(Event& e) const;

 private:
  std::optional<std::string> type_;
  AddFields add_field_;
  TagList tags_;
};

class InputRunner final : public InputContext {
 public:
  // stopping and abandoned belong to the pipeline and outlive the runner.
  InputRunner(const PluginDecl& decl, std::unique_ptr<Input> input, InputRunnerSettings settings,
              BoundedQueue<Batch*>& queue, const std::atomic<bool>& stopping,
              const std::atomic<bool>& abandoned);
  ~InputRunner() override;

  // The input's thread: runs the input until it returns, then seals what is
  // left. Returns false when the input failed (threw); the reason is logged.
  bool run();
  // A worker or an output finished every hold on b.
  void batch_done(Batch* b);
  // A worker, first thing with b: makes b's pending lines into its events,
  // decorated as push() would have. Reads only what does not change.
  void make_line_events(Batch* b) const;

  const PluginDecl& decl() const { return decl_; }
  Input& input() { return *input_; }
  const Input& input() const { return *input_; }
  // Destroys the input (which stores its final position); batches done
  // afterwards are no longer acknowledged to it.
  void close_input();
  uint64_t events_in() const { return events_in_.load(std::memory_order_relaxed); }
  uint64_t batches_dropped() const { return batches_dropped_; }

  // InputContext
  void push(Event&& e) override;
  void push_line(std::string_view line, const std::shared_ptr<const LineDecorator>& decorator,
                 bool too_long) override;
  void tick() override;
  void flush() override;
  bool stopping() const override { return stopping_.load(std::memory_order_relaxed); }
  bool congested() const override {
    return waiting_count_.load(std::memory_order_relaxed) > 0 || queue_.full();
  }
  int poll_interval_ms() const override {
    return settings_.batch_delay_ms > 0 ? settings_.batch_delay_ms : 1;
  }

 private:
  Batch* new_batch();
  // The input's common options and the message bound, on any thread.
  void finish_event(Event& e) const;
  // The batch being built, begun if there is none; sealed first when it
  // holds the other kind (lines or events) than the next item.
  Batch& batch_for(bool line);
  void added_one();
  // Whether the next line goes to the batch as bytes, for a worker to make
  // into an event, or is made into one here.
  bool lines_to_workers() const;
  // Numbers the batch being built and hands it on (or, for an input that
  // never blocks, puts it behind those waiting for room).
  void seal_current();
  // Queues the batches waiting for room, in order: all of them when
  // `may_block`, else as many as fit now.
  void queue_waiting(bool may_block);

  const PluginDecl& decl_;
  std::unique_ptr<Input> input_;
  InputRunnerSettings settings_;
  BoundedQueue<Batch*>& queue_;
  const std::atomic<bool>& stopping_;
  const std::atomic<bool>& abandoned_;
  InputDecorations decorations_;

  Batch* current_ = nullptr;
  int64_t current_first_ns_ = 0;
  int64_t made_ns_ = 0;  // the last clock reading, see push()
  uint64_t next_seq_ = 0;
  std::atomic<uint64_t> events_in_{0};
  uint64_t batches_dropped_ = 0;  // not queued: the pipeline was abandoned
  AckTracker acks_;
  std::mutex commit_mu_;
  uint64_t committed_seq_ = 0;
  moodycamel::ConcurrentQueue<Batch*> recycled_;
  bool never_blocks_ = false;        // the input's never_blocks(), until its run() returned
  std::deque<Batch*> waiting_;       // sealed, not queued yet (never_blocks_ only)
  std::atomic<size_t> waiting_count_{0};
};

}  // namespace logpipe
