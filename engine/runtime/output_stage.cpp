#include "engine/runtime/output_stage.h"

#include <chrono>

#include "engine/system/log.h"
#include "engine/runtime/steady_clock.h"
#include "engine/system/system_io.h"

namespace logpipe {

namespace {

// A work item that once held a huge batch gives its memory back.
constexpr size_t kKeepBytes = 16 << 20;
// How often the output's thread wakes when idle (Output::tick).
constexpr int64_t kTickNs = 100 * 1000000LL;
constexpr int64_t kRetryLogIntervalNs = 5 * 1000000000LL;

}  // namespace

struct OutputRunner::Work final : OutputWork {
  OutputRunner* runner = nullptr;
  Batch* batch = nullptr;

  void reset(Batch* b, const std::vector<const Event*>& events) {
    batch = b;
    events_ = events;
    outcomes_.assign(events.size(), Delivery::Delivered);
    reasons_.clear();
    bytes_.clear();
    ends_.clear();
    attempt_ = 0;
  }
  void encode(OutputEncoder& encoder) {
    ends_.reserve(events_.size());
    for (const Event* e : events_) {
      encoder.encode(*e, bytes_);
      ends_.push_back(bytes_.size());
    }
  }
  // Keeps only the events marked Retry, with their bytes, for the next attempt.
  size_t keep_retries() {
    size_t kept = 0;
    std::string bytes;
    std::vector<size_t> ends;
    bool has_bytes = !ends_.empty();
    for (size_t i = 0; i < events_.size(); ++i) {
      if (outcomes_[i] != Delivery::Retry) continue;
      if (has_bytes) {
        bytes.append(encoded(i));
        ends.push_back(bytes.size());
      }
      events_[kept] = events_[i];
      ++kept;
    }
    events_.resize(kept);
    reasons_.clear();
    outcomes_.assign(kept, Delivery::Delivered);
    if (has_bytes) {
      bytes_.swap(bytes);
      ends_.swap(ends);
    }
    ++attempt_;
    return kept;
  }
  void complete() override { runner->completed(this); }
};

OutputRunner::OutputRunner(const PluginDecl& decl, std::unique_ptr<Output> output,
                           OutputStageSettings settings, DeadLetterSink* dead_letters,
                           std::function<void(Batch*)> release_batch)
    : decl_(decl),
      output_(std::move(output)),
      settings_(settings),
      dead_letters_(dead_letters),
      release_batch_(std::move(release_batch)),
      max_in_flight_(std::max<size_t>(1, output_->max_in_flight())),
      queue_(std::max<size_t>(1, settings.queue_capacity)),
      rng_(static_cast<unsigned>(steady_ns())) {
  if (auto own = output_->retry_backoff()) settings_.backoff = *own;
}

OutputRunner::~OutputRunner() {
  if (thread_.joinable()) thread_.join();
  Work* w;
  while (free_.try_dequeue(w)) delete w;
  // Work left after an abandoned drain: its batch was never acknowledged and
  // is freed by whoever drops the last hold on it.
  auto discard = [](Work* left) {
    if (left->batch && left->batch->release()) delete left->batch;
    delete left;
  };
  while (queue_.try_pop(w)) discard(w);
  for (auto& [due, r] : retries_) discard(r);
}

OutputRunner::Work* OutputRunner::take_work() {
  Work* w;
  if (free_.try_dequeue(w)) return w;
  w = new Work;
  w->runner = this;
  return w;
}

void OutputRunner::recycle(Work* w) {
  w->batch = nullptr;
  if (w->encoded_all().capacity() > kKeepBytes) {
    delete w;
    return;
  }
  free_.enqueue(w);
}

bool OutputRunner::enqueue(Batch* b, const std::vector<const Event*>& events,
                           OutputEncoder* encoder, const std::atomic<bool>& abandoned,
                           bool* wake_owed) {
  Work* w = take_work();
  w->reset(b, events);
  if (encoder) w->encode(*encoder);
  b->holds.fetch_add(1, std::memory_order_relaxed);
  pending_.fetch_add(events.size(), std::memory_order_relaxed);
  if (!queue_.push(w, abandoned, wake_owed)) {
    pending_.fetch_sub(events.size(), std::memory_order_relaxed);
    b->holds.fetch_sub(1, std::memory_order_relaxed);
    recycle(w);
    return false;
  }
  events_in_.fetch_add(events.size(), std::memory_order_relaxed);
  return true;
}

void OutputRunner::start() {
  thread_ = std::thread([this] {
    name_this_thread("out-" + decl_.info->name);
    run();
    std::lock_guard<std::mutex> lock(end_mu_);
    ended_ = true;
    end_cv_.notify_all();
  });
}

void OutputRunner::finish() {
  finishing_ = true;
  cv_.notify_all();
}

void OutputRunner::abandon() {
  abandoned_ = true;
  cv_.notify_all();
}

bool OutputRunner::join_until(int64_t deadline_ns) {
  if (!thread_.joinable()) return true;
  std::unique_lock<std::mutex> lock(end_mu_);
  while (!ended_) {
    int64_t left = deadline_ns - steady_ns();
    if (left <= 0) return false;
    end_cv_.wait_for(lock, std::chrono::nanoseconds(std::min<int64_t>(left, kTickNs)));
  }
  lock.unlock();
  thread_.join();
  return true;
}

bool OutputRunner::has_work_outstanding() const {
  std::lock_guard<std::mutex> lock(mu_);
  // Work waiting for a retry is the runner's own (freed with it), not the output's.
  return in_flight_ > retries_.size();
}

void OutputRunner::close_output() { output_.reset(); }

void OutputRunner::run() {
  bool flushed_idle = false;
  while (!abandoned_.load()) {
    Work* ready = nullptr;
    int64_t now = steady_ns();
    int64_t wait_ns = kTickNs;
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (!retries_.empty() && retries_.begin()->first <= now) {
        ready = retries_.begin()->second;
        retries_.erase(retries_.begin());
      } else {
        if (!retries_.empty()) wait_ns = std::min(wait_ns, retries_.begin()->first - now);
        if (in_flight_ >= max_in_flight_) {
          cv_.wait_for(lock, std::chrono::nanoseconds(wait_ns));
          lock.unlock();
          output_->tick();
          // Draining while the output holds all it may: make it send.
          if (finishing_.load() && !flushed_idle) {
            output_->flush();
            flushed_idle = true;
          }
          continue;
        }
      }
    }
    if (!ready && queue_.pop(ready, std::chrono::microseconds(std::max<int64_t>(wait_ns / 1000, 1)))) {
      std::lock_guard<std::mutex> lock(mu_);
      ++in_flight_;
    }
    if (ready) {
      flushed_idle = false;
      submit(ready);
      continue;
    }
    output_->tick();
    if (!finishing_.load() || queue_.depth() > 0) continue;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (in_flight_ == 0) break;
    }
    // Draining with work still in the output: make it send what it holds.
    if (!flushed_idle) {
      output_->flush();
      flushed_idle = true;
    }
  }
  if (!abandoned_.load()) output_->flush();
}

void OutputRunner::submit(Work* w) {
  if (w->attempt() > 0) retried_.fetch_add(w->size(), std::memory_order_relaxed);
  output_->submit(*w);
}

void OutputRunner::completed(Work* w) {
  size_t n = w->size();
  size_t delivered = 0, dead = 0, dropped = 0;
  std::vector<DeadLetter> letters;
  for (size_t i = 0; i < n; ++i) {
    switch (w->outcome(i)) {
      case Delivery::Delivered: ++delivered; break;
      case Delivery::Retry: break;
      case Delivery::Rejected: letters.push_back({w->events()[i], &w->reason(i)}); break;
    }
  }
  if (!letters.empty()) {
    if (!dead_letters_) {
      log_warn("output {}: {} event(s) refused and dropped (no dead letter queue): {}", decl_.id,
               letters.size(), *letters.front().reason);
      dropped = letters.size();
    } else if (std::string error; dead_letters_->write(decl_.info->name, decl_.id, letters, &error)) {
      dead = letters.size();
    } else {
      // Kept, not lost: retried until the sink takes them or the drain ends.
      for (size_t i = 0; i < n; ++i)
        if (w->outcome(i) == Delivery::Rejected) w->set(i, Delivery::Retry, error);
    }
  }
  delivered_.fetch_add(delivered, std::memory_order_relaxed);
  dead_lettered_.fetch_add(dead, std::memory_order_relaxed);
  dropped_.fetch_add(dropped, std::memory_order_relaxed);
  pending_.fetch_sub(delivered + dead + dropped, std::memory_order_relaxed);

  if (delivered + dead + dropped < n) {
    std::string reason;
    for (size_t i = 0; i < n && reason.empty(); ++i)
      if (w->outcome(i) == Delivery::Retry) reason = w->reason(i);
    size_t left = w->keep_retries();
    std::lock_guard<std::mutex> lock(mu_);
    int64_t delay_ms = settings_.backoff.delay_ms(w->attempt(), rng_);
    log_retry(left, w->attempt(), delay_ms, reason);
    retries_.emplace(steady_ns() + delay_ms * 1000000, w);
    cv_.notify_all();
    return;
  }
  Batch* b = w->batch;
  recycle(w);
  if (b->release()) release_batch_(b);
  std::lock_guard<std::mutex> lock(mu_);
  --in_flight_;
  cv_.notify_all();
}

// Under mu_. One line every few seconds at most: an unreachable Elasticsearch
// fails every request.
void OutputRunner::log_retry(size_t events, int attempt, int64_t delay_ms,
                             const std::string& reason) {
  int64_t now = steady_ns();
  ++retries_unlogged_;
  if (now - last_retry_log_ns_ < kRetryLogIntervalNs && last_retry_log_ns_ != 0) return;
  log_warn("output {} ({}): {} event(s) not delivered ({}); attempt {} in {} ms ({} retries since the last message)",
           decl_.id, decl_.where, events, reason.empty() ? "no reason given" : reason,
           attempt + 1, delay_ms, retries_unlogged_);
  retries_unlogged_ = 0;
  last_retry_log_ns_ = now;
}

OutputStats OutputRunner::stats() const {
  OutputStats s;
  s.events_in = events_in_.load(std::memory_order_relaxed);
  s.delivered = delivered_.load(std::memory_order_relaxed);
  s.retried = retried_.load(std::memory_order_relaxed);
  s.dead_lettered = dead_lettered_.load(std::memory_order_relaxed);
  s.dropped = dropped_.load(std::memory_order_relaxed);
  s.pending = pending_.load(std::memory_order_relaxed);
  s.queue_depth = queue_.depth();
  s.queue_capacity = queue_.capacity();
  s.queue_blocked_seconds = double(queue_.blocked_ns()) / 1e9;
  return s;
}

}  // namespace logpipe
