// AckTracker: turns out-of-order batch completions into an in-order watermark.
//
// Batches from one input are numbered 1, 2, 3 ... as they are sealed. Workers
// finish them in any order; an input may only store a position (file offset,
// Kafka offset) once everything before it is delivered too. done(seq) returns
// the new contiguous watermark — the highest seq such that every batch up to
// it is done — or 0 when it did not move.
//
// Thread-safe; one short critical section per batch, never per event.
#pragma once

#include <cstdint>
#include <mutex>
#include <set>

namespace logpipe {

class AckTracker {
 public:
  uint64_t done(uint64_t seq) {
    std::lock_guard<std::mutex> lock(mu_);
    if (seq <= watermark_) return 0;  // a repeated acknowledgement changes nothing
    if (seq != watermark_ + 1) {
      pending_.insert(seq);
      return 0;
    }
    watermark_ = seq;
    while (!pending_.empty() && *pending_.begin() == watermark_ + 1) {
      watermark_ = *pending_.begin();
      pending_.erase(pending_.begin());
    }
    return watermark_;
  }

  uint64_t watermark() const {
    std::lock_guard<std::mutex> lock(mu_);
    return watermark_;
  }

 private:
  mutable std::mutex mu_;
  uint64_t watermark_ = 0;
  std::set<uint64_t> pending_;
};

}  // namespace logpipe
