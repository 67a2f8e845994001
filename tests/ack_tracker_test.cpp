#include "engine/runtime/ack_tracker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

namespace logpipe {
namespace {

struct Step {
  uint64_t seq;
  uint64_t returned;  // what done(seq) must return: the new watermark, or 0 when it did not move
};

struct OrderCase {
  const char* what;
  std::vector<Step> steps;
};

void PrintTo(const OrderCase& c, std::ostream* os) { *os << c.what; }

class AckOrder : public ::testing::TestWithParam<OrderCase> {};

TEST_P(AckOrder, WatermarkMovesOnlyOverContiguousRuns) {
  AckTracker acks;
  EXPECT_EQ(acks.watermark(), 0u);
  uint64_t expected_watermark = 0;
  for (const Step& s : GetParam().steps) {
    EXPECT_EQ(acks.done(s.seq), s.returned) << "done(" << s.seq << ")";
    if (s.returned) expected_watermark = s.returned;
    EXPECT_EQ(acks.watermark(), expected_watermark) << "after done(" << s.seq << ")";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Orders, AckOrder,
    ::testing::Values(
        OrderCase{"in order", {{1, 1}, {2, 2}, {3, 3}}},
        OrderCase{"reversed", {{3, 0}, {2, 0}, {1, 3}}},
        OrderCase{"gap holds the watermark", {{1, 1}, {3, 0}, {4, 0}, {6, 0}, {2, 4}, {5, 6}}},
        OrderCase{"first batch last", {{2, 0}, {5, 0}, {4, 0}, {3, 0}, {1, 5}, {6, 6}}},
        OrderCase{"interleaved", {{2, 0}, {1, 2}, {4, 0}, {3, 4}, {6, 0}, {5, 6}}},
        OrderCase{"duplicate pending ack", {{2, 0}, {2, 0}, {1, 2}, {3, 3}}}));

TEST(AckTracker, RandomOrderEndsAtTheLastSeq) {
  std::mt19937 rng(12345);
  for (int round = 0; round < 20; ++round) {
    std::vector<uint64_t> seqs(200);
    for (size_t i = 0; i < seqs.size(); ++i) seqs[i] = i + 1;
    std::shuffle(seqs.begin(), seqs.end(), rng);
    AckTracker acks;
    std::vector<bool> finished(seqs.size() + 1, false);
    uint64_t last = 0;
    for (uint64_t s : seqs) {
      finished[s] = true;
      uint64_t wm = acks.done(s);
      if (wm) {
        EXPECT_GT(wm, last) << "the watermark never goes back";
        last = wm;
      }
      uint64_t now = acks.watermark();
      EXPECT_EQ(now, last);
      // Everything up to the watermark is done, and it stops at the first gap.
      for (uint64_t k = 1; k <= now; ++k) ASSERT_TRUE(finished[k]) << "seq " << k;
      if (now < seqs.size()) {
        EXPECT_FALSE(finished[now + 1]);
      }
    }
    EXPECT_EQ(acks.watermark(), 200u);
    EXPECT_EQ(last, 200u);
  }
}

TEST(AckTracker, ConcurrentDoneFromSeveralThreadsEndsAtTheMax) {
  constexpr int kThreads = 4;
  constexpr uint64_t kPerThread = 5000;
  constexpr uint64_t kTotal = kThreads * kPerThread;
  AckTracker acks;
  std::atomic<uint64_t> highest_returned{0};
  std::atomic<int> non_increasing{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Thread t owns seqs t+1, t+1+kThreads, ... and finishes them slightly
      // shuffled, so completions interleave across threads and arrive out of order.
      std::vector<uint64_t> mine;
      for (uint64_t s = t + 1; s <= kTotal; s += kThreads) mine.push_back(s);
      std::mt19937 rng(t);
      for (size_t i = 0; i + 8 <= mine.size(); i += 8)
        std::shuffle(mine.begin() + i, mine.begin() + i + 8, rng);
      uint64_t my_last = 0;
      for (uint64_t s : mine) {
        uint64_t wm = acks.done(s);
        if (!wm) continue;
        if (wm <= my_last) ++non_increasing;
        my_last = wm;
        uint64_t prev = highest_returned.load();
        while (wm > prev && !highest_returned.compare_exchange_weak(prev, wm)) {
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(acks.watermark(), kTotal);
  EXPECT_EQ(highest_returned.load(), kTotal);
  EXPECT_EQ(non_increasing.load(), 0) << "a thread saw the watermark go back";
}

}  // namespace
}  // namespace logpipe
