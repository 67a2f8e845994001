// LatencyHistogram: counts of durations in log-linear buckets (within 0.8%
// relative error), for p50/p99 of the time events spend in the pipeline.
// Not thread-safe: one per thread, merged by the reader.
//
// SharedLatencyHistogram: the same buckets as relaxed atomics, for counts
// recorded by several threads and read while they run (a snapshot() is a
// LatencyHistogram). No lock; one atomic add per record().
#pragma once

#include <array>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace logpipe {

class LatencyHistogram {
 public:
  // Records `count` events that each took `nanos`.
  void record(int64_t nanos, uint64_t count = 1) {
    if (nanos < 1) nanos = 1;
    buckets_[bucket(static_cast<uint64_t>(nanos))] += count;
    total_ += count;
  }
  void merge(const LatencyHistogram& o) {
    for (size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += o.buckets_[i];
    total_ += o.total_;
  }
  uint64_t count() const { return total_; }
  // Events recorded at or below nanos, counting each bucket by its upper
  // bound (so within the buckets' 0.8%): a Prometheus histogram's `le` counts.
  uint64_t count_at_most(int64_t nanos) const {
    uint64_t n = 0;
    for (size_t i = 0; i < buckets_.size() && upper(i) <= static_cast<uint64_t>(nanos < 0 ? 0 : nanos); ++i)
      n += buckets_[i];
    return n;
  }
  // The sum of what was recorded, each event counted as its bucket's middle.
  double approx_sum_nanos() const {
    double sum = 0;
    for (size_t i = 0; i < buckets_.size(); ++i)
      if (buckets_[i]) sum += double(buckets_[i]) * (double(lower(i)) + double(upper(i))) / 2;
    return sum;
  }
  // The largest recorded duration (its bucket's upper bound); 0 when empty.
  int64_t max() const {
    for (size_t i = buckets_.size(); i > 0; --i)
      if (buckets_[i - 1]) return static_cast<int64_t>(upper(i - 1));
    return 0;
  }
  // The duration below which fraction q (0..1) of the recorded events fall.
  int64_t percentile(double q) const {
    if (total_ == 0) return 0;
    // The rank-th event (0-based) is the smallest one with at least q of all at or below it.
    double nth = std::ceil(q * static_cast<double>(total_));
    uint64_t rank = nth < 1 ? 0 : static_cast<uint64_t>(nth) - 1;
    if (rank >= total_) rank = total_ - 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < buckets_.size(); ++i) {
      seen += buckets_[i];
      if (seen > rank) return static_cast<int64_t>(upper(i));
    }
    return static_cast<int64_t>(upper(buckets_.size() - 1));
  }

 private:
  friend class SharedLatencyHistogram;
  // 128 sub-buckets per power of two: a bucket is at most 1/128 of its
  // values wide, so a percentile is within 0.8% of the exact one.
  static constexpr int kBits = 7;
  static constexpr int kSub = 1 << kBits;
  static size_t bucket(uint64_t v) {
    int msb = 63 - __builtin_clzll(v);
    if (msb < kBits) return static_cast<size_t>(v);
    size_t sub = static_cast<size_t>((v >> (msb - kBits)) & (kSub - 1));
    return static_cast<size_t>((msb - kBits + 1) * kSub) + sub;
  }
  static uint64_t lower(size_t b) { return b == 0 ? 0 : upper(b - 1) + 1; }
  static uint64_t upper(size_t b) {
    if (b < kSub) return b;
    int msb = static_cast<int>(b / kSub) + kBits - 1;
    uint64_t sub = b % kSub;
    return ((kSub + sub + 1) << (msb - kBits)) - 1;
  }
  static constexpr size_t kBuckets = (64 - kBits + 1) * kSub;
  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t total_ = 0;
};

class SharedLatencyHistogram {
 public:
  void record(int64_t nanos, uint64_t count = 1) {
    if (nanos < 1) nanos = 1;
    buckets_[LatencyHistogram::bucket(static_cast<uint64_t>(nanos))].fetch_add(
        count, std::memory_order_relaxed);
  }
  LatencyHistogram snapshot() const {
    LatencyHistogram h;
    for (size_t i = 0; i < buckets_.size(); ++i) {
      h.buckets_[i] = buckets_[i].load(std::memory_order_relaxed);
      h.total_ += h.buckets_[i];
    }
    return h;
  }

 private:
  std::array<std::atomic<uint64_t>, LatencyHistogram::kBuckets> buckets_{};
};

}  // namespace logpipe
