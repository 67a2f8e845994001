// latency_histogram.h uses size_t without including <cstddef> (reported to the lead).
#include <cstddef>

#include "engine/metrics/latency_histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <vector>

namespace logpipe {
namespace {

// Exact nearest-rank percentile of the samples.
int64_t exact_percentile(std::vector<int64_t> v, double q) {
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
  if (rank == 0) rank = 1;
  return v[std::min(rank, v.size()) - 1];
}

struct Distribution {
  const char* name;
  std::function<std::vector<int64_t>()> make;
};

void PrintTo(const Distribution& d, std::ostream* os) { *os << d.name; }

class HistogramPercentiles : public ::testing::TestWithParam<Distribution> {};

TEST_P(HistogramPercentiles, WithinOnePercent) {
  std::vector<int64_t> samples = GetParam().make();
  LatencyHistogram h;
  for (int64_t s : samples) h.record(s);
  EXPECT_EQ(h.count(), samples.size());
  for (double q : {0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1.0}) {
    double exact = static_cast<double>(exact_percentile(samples, q));
    double got = static_cast<double>(h.percentile(q));
    EXPECT_LE(std::fabs(got - exact), 0.01 * exact) << "q=" << q << " exact=" << exact << " got=" << got;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Known, HistogramPercentiles,
    ::testing::Values(
        Distribution{"uniform 1ms..100ms",
                     [] {
                       std::vector<int64_t> v;
                       for (int64_t i = 1; i <= 100000; ++i) v.push_back(i * 1000);
                       return v;
                     }},
        Distribution{"exponential mean 20ms",
                     [] {
                       std::mt19937_64 rng(7);
                       std::exponential_distribution<double> d(1.0 / 20e6);
                       std::vector<int64_t> v;
                       for (int i = 0; i < 50000; ++i) v.push_back(1 + static_cast<int64_t>(d(rng)));
                       return v;
                     }},
        Distribution{"lognormal wide range",
                     [] {
                       std::mt19937_64 rng(11);
                       std::lognormal_distribution<double> d(std::log(5e6), 2.0);
                       std::vector<int64_t> v;
                       for (int i = 0; i < 50000; ++i) v.push_back(1 + static_cast<int64_t>(d(rng)));
                       return v;
                     }},
        Distribution{"single value", [] { return std::vector<int64_t>(1000, 123456789); }},
        Distribution{"hours", [] {
                       std::vector<int64_t> v;
                       for (int64_t i = 1000; i <= 2000; ++i) v.push_back(i * 3600LL * 1000000000LL);
                       return v;
                     }}));

// 99 of 100 events took 1 ms: p99 is 1 ms, not the one slow event. Disabled
// until percentile() uses rank ceil(q * count) (today floor(q * count) + 1, one
// event too far); see the enginetests report.
TEST(LatencyHistogram, PercentileIsTheValueAtOrBelowWhichQFall) {
  LatencyHistogram h;
  h.record(1000000, 99);
  h.record(2000000000);
  EXPECT_LE(h.percentile(0.99), 1040000);
  LatencyHistogram ten;
  for (int64_t v = 1; v <= 10; ++v) ten.record(v);
  EXPECT_EQ(ten.percentile(0.5), 5);
  EXPECT_EQ(ten.percentile(0.1), 1);
  EXPECT_EQ(ten.percentile(0.0), 1);
  EXPECT_EQ(ten.percentile(1.0), 10);
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (int64_t v = 1; v <= 31; ++v) h.record(v);
  EXPECT_EQ(h.percentile(0.0), 1);
  EXPECT_EQ(h.percentile(1.0), 31);
  for (int64_t v = 1; v <= 31; ++v) {
    LatencyHistogram one;
    one.record(v);
    EXPECT_EQ(one.percentile(0.5), v);
  }
}

TEST(LatencyHistogram, EmptyIsZeroAndNonPositiveClampsToOne) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(0.5), 0);
  h.record(0);
  h.record(-5);
  EXPECT_EQ(h.count(), 2u);
  EXPECT_EQ(h.percentile(1.0), 1);
}

TEST(LatencyHistogram, LargestValueDoesNotOverflow) {
  LatencyHistogram h;
  const int64_t big = INT64_MAX;
  h.record(big);
  double got = static_cast<double>(h.percentile(1.0));
  EXPECT_GT(got, 0.0);
  EXPECT_LE(std::fabs(got - static_cast<double>(big)), 0.04 * static_cast<double>(big));
}

TEST(LatencyHistogram, CountWeightsARecord) {
  LatencyHistogram weighted, expanded;
  weighted.record(1000, 99);
  weighted.record(500000, 1);
  for (int i = 0; i < 99; ++i) expanded.record(1000);
  expanded.record(500000);
  EXPECT_EQ(weighted.count(), 100u);
  for (double q : {0.0, 0.5, 0.98, 0.99, 1.0}) EXPECT_EQ(weighted.percentile(q), expanded.percentile(q)) << q;
  EXPECT_LE(std::fabs(weighted.percentile(0.5) - 1000.0), 40.0);
  EXPECT_LE(std::fabs(weighted.percentile(1.0) - 500000.0), 20000.0);
}

TEST(LatencyHistogram, MergeEqualsRecordingEverythingInOne) {
  std::mt19937_64 rng(3);
  std::exponential_distribution<double> fast(1.0 / 1e6), slow(1.0 / 80e6);
  LatencyHistogram a, b, all;
  std::vector<int64_t> samples;
  for (int i = 0; i < 20000; ++i) {
    int64_t x = 1 + static_cast<int64_t>(fast(rng));
    int64_t y = 1 + static_cast<int64_t>(slow(rng));
    a.record(x);
    b.record(y);
    all.record(x);
    all.record(y);
    samples.push_back(x);
    samples.push_back(y);
  }
  LatencyHistogram merged;
  merged.merge(a);
  merged.merge(b);
  EXPECT_EQ(merged.count(), 40000u);
  for (double q : {0.1, 0.5, 0.9, 0.99, 1.0}) {
    EXPECT_EQ(merged.percentile(q), all.percentile(q)) << q;
    double exact = static_cast<double>(exact_percentile(samples, q));
    EXPECT_LE(std::fabs(merged.percentile(q) - exact), 0.04 * exact) << q;
  }
  // Merging an empty histogram changes nothing.
  LatencyHistogram empty;
  merged.merge(empty);
  EXPECT_EQ(merged.count(), 40000u);
  EXPECT_EQ(merged.percentile(0.5), all.percentile(0.5));
}

TEST(LatencyHistogram, CumulativeCountsSumAndMaxForPrometheus) {
  LatencyHistogram h;
  for (int64_t i = 1; i <= 1000; ++i) h.record(i * 1000000);  // 1 ms .. 1 s
  EXPECT_EQ(h.count_at_most(0), 0u);
  // Buckets are counted by their upper bound, so a bound is exact within 0.8%.
  EXPECT_NEAR(double(h.count_at_most(100000000)), 100, 1);
  EXPECT_NEAR(double(h.count_at_most(500000000)), 500, 4);
  EXPECT_EQ(h.count_at_most(2000000000), 1000u);
  double exact_sum = 1000.0 * 1001 / 2 * 1e6;
  EXPECT_NEAR(h.approx_sum_nanos(), exact_sum, 0.008 * exact_sum);
  EXPECT_NEAR(double(h.max()), 1e9, 0.008 * 1e9);
  EXPECT_EQ(LatencyHistogram().max(), 0);
}

}  // namespace
}  // namespace logpipe
