// BatchPositionLedger: the positions the file and Kafka inputs store once
// their batches are delivered.
#include "engine/runtime/batch_position_ledger.h"

#include <gtest/gtest.h>

#include <vector>

namespace logpipe {
namespace {

TEST(BatchPositionLedgerTest, CommittingABatchReleasesItAndEveryOlderOne) {
  BatchPositionLedger<int> ledger;
  ledger.sealed(1, {10});
  ledger.sealed(2, {});  // a batch without positions keeps nothing
  ledger.sealed(3, {30, 31});
  ledger.sealed(4, {40});
  EXPECT_EQ(ledger.committed(3), (std::vector<int>{10, 30, 31}));
  EXPECT_EQ(ledger.committed_seq(), 3u);
  EXPECT_EQ(ledger.committed(3), std::vector<int>{});  // a repeat releases nothing
  EXPECT_EQ(ledger.committed(2), std::vector<int>{});  // nor does an older one
  EXPECT_EQ(ledger.committed_seq(), 3u);
  EXPECT_EQ(ledger.committed(4), std::vector<int>{40});
}

TEST(BatchPositionLedgerTest, APositionRidesWithTheLastSealedBatchUntilItIsCommitted) {
  BatchPositionLedger<int> ledger;
  EXPECT_FALSE(ledger.ride_with(0, 5));  // nothing sealed yet: store it now
  ledger.sealed(1, {10});
  EXPECT_TRUE(ledger.ride_with(1, 11));
  ledger.sealed(2, {});
  EXPECT_TRUE(ledger.ride_with(2, 20));
  EXPECT_EQ(ledger.last_in_flight([](int p) { return p == 11; }), 1u);
  EXPECT_EQ(ledger.last_in_flight([](int p) { return p >= 11; }), 2u);
  EXPECT_EQ(ledger.last_in_flight([](int p) { return p == 99; }), 0u);
  EXPECT_EQ(ledger.committed(2), (std::vector<int>{10, 11, 20}));
  EXPECT_FALSE(ledger.ride_with(2, 21));
}

}  // namespace
}  // namespace logpipe
