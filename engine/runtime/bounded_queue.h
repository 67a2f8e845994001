// BoundedQueue: the bounded queue of sealed batches between the inputs and the
// filter workers, and of work in front of each output.
//
// push() blocks while the queue is full, which is how a slow consumer slows
// its producers down (backpressure), and gives up only when the pipeline is
// abandoned (the drain deadline passed). Time producers spent blocked is
// counted, for the metrics. Thread-safe, many producers and consumers.
//
// One short critical section per element, and elements are whole batches, so
// there is never a lock per event. Waiting consumers sleep on a condition
// variable instead of spinning: a consumer faster than its producer (an
// output thread behind one worker) would otherwise burn a core polling.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>

#include "engine/runtime/steady_clock.h"

namespace logpipe {

template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity)
      : capacity_(capacity < 1 ? 1 : capacity), low_water_(capacity_ - std::max<size_t>(1, capacity_ / 2)) {}

  // Blocks while full. Returns false, without queuing, once *abandoned is set.
  // With `wake_owed`, a consumer waiting for the item is not woken: the
  // caller is told (*wake_owed true) and owes it a wake_consumer(). A waiting
  // consumer also looks again at the end of its timeout by itself.
  bool push(T item, const std::atomic<bool>& abandoned, bool* wake_owed = nullptr) {
    std::unique_lock<std::mutex> lock(mu_);
    if (items_.size() >= capacity_) {
      // A consumer asleep on a full queue was owed a wake-up (see wake_owed).
      if (consumers_waiting_ > 0) not_empty_.notify_one();
      int64_t began = steady_ns();
      ++producers_waiting_;
      while (items_.size() >= capacity_) {
        if (abandoned.load(std::memory_order_relaxed)) {
          --producers_waiting_;
          return false;
        }
        not_full_.wait_for(lock, std::chrono::milliseconds(20));
      }
      --producers_waiting_;
      blocked_ns_.fetch_add(steady_ns() - began, std::memory_order_relaxed);
    }
    put(item, lock, wake_owed);
    return true;
  }
  // Wakes a consumer waiting in pop(), for a push that owed it.
  void wake_consumer() { not_empty_.notify_one(); }

  // Never blocks: false when the queue is full.
  bool try_push(T& item) {
    std::unique_lock<std::mutex> lock(mu_);
    if (items_.size() >= capacity_) return false;
    put(item, lock);
    return true;
  }

  // Waits up to timeout for an element.
  bool pop(T& item, std::chrono::microseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    if (items_.empty()) {
      ++consumers_waiting_;
      not_empty_.wait_for(lock, timeout, [this] { return !items_.empty(); });
      --consumers_waiting_;
      if (items_.empty()) return false;
    }
    take(item, lock);
    return true;
  }
  bool try_pop(T& item) {
    std::unique_lock<std::mutex> lock(mu_);
    if (items_.empty()) return false;
    take(item, lock);
    return true;
  }

  // True when the next push() would block. Read without the lock: the Kafka
  // input asks before every message, and would otherwise take the mutex the
  // workers' pops take, once per message.
  bool full() const { return size_.load(std::memory_order_relaxed) >= capacity_; }
  size_t capacity() const { return capacity_; }
  uint64_t pushed() const { return pushed_.load(std::memory_order_relaxed); }
  uint64_t popped() const { return popped_.load(std::memory_order_relaxed); }
  size_t depth() const { return size_.load(std::memory_order_relaxed); }
  int64_t blocked_ns() const { return blocked_ns_.load(std::memory_order_relaxed); }
  // Consumers waiting in pop() now.
  int consumers_waiting() const {
    std::lock_guard<std::mutex> lock(mu_);
    return consumers_waiting_;
  }

 private:
  void put(T& item, std::unique_lock<std::mutex>& lock, bool* wake_owed = nullptr) {
    items_.push_back(std::move(item));
    size_.store(items_.size(), std::memory_order_relaxed);
    pushed_.fetch_add(1, std::memory_order_relaxed);
    bool wake = consumers_waiting_ > 0;
    lock.unlock();
    if (wake_owed) {
      *wake_owed = wake;
    } else if (wake) {
      not_empty_.notify_one();
    }
  }
  void take(T& item, std::unique_lock<std::mutex>& lock) {
    item = std::move(items_.front());
    items_.pop_front();
    size_.store(items_.size(), std::memory_order_relaxed);
    popped_.fetch_add(1, std::memory_order_relaxed);
    // A blocked producer is woken once the queue has half emptied, not at
    // each pop: it then pushes half a queue of batches per wake-up instead
    // of one (a futex wake and a context switch per batch cost more than the
    // batch's queueing). A producer also looks again every 20 ms by itself.
    bool wake = producers_waiting_ > 0 && items_.size() <= low_water_;
    lock.unlock();
    if (wake) not_full_.notify_all();
  }

  const size_t capacity_;
  const size_t low_water_;  // blocked producers are woken at this depth
  mutable std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<T> items_;
  std::atomic<size_t> size_{0};  // items_.size(), for readers without the lock
  int consumers_waiting_ = 0;
  int producers_waiting_ = 0;
  std::atomic<uint64_t> pushed_{0};
  std::atomic<uint64_t> popped_{0};
  std::atomic<int64_t> blocked_ns_{0};
};

}  // namespace logpipe
