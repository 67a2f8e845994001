// BatchPositionLedger: what an input may store once a batch is delivered.
//
// An input that resumes from a position (the file input's sincedb offsets,
// the Kafka input's consumer offsets) notes, when a batch is sealed, the
// positions its events reach; when the pipeline reports the batch committed
// (every batch up to it delivered, engine/runtime/ack_tracker.h), those positions,
// and those of every older batch, are the ones to store. Nothing is stored
// for a batch still in flight, so a crash re-reads rather than loses.
//
// Batches are sealed in increasing sequence order. Not thread-safe: each
// input keeps the ledger under the lock it already holds for sealing and
// committing.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

namespace logpipe {

template <typename Position>
class BatchPositionLedger {
 public:
  // The positions batch `seq` reaches (nothing is kept for none).
  void sealed(uint64_t seq, std::vector<Position> positions) {
    if (positions.empty()) return;
    batches_.emplace_back(seq, std::move(positions));
  }

  // Lets a position reached without an event (a skipped line) ride with
  // batch `seq`, the last one sealed. False when that batch is committed
  // already: the position is the caller's to store now.
  bool ride_with(uint64_t seq, Position position) {
    if (seq <= committed_seq_) return false;
    if (batches_.empty() || batches_.back().first != seq) batches_.emplace_back(seq, std::vector<Position>());
    batches_.back().second.push_back(std::move(position));
    return true;
  }

  // Every batch up to `seq` is delivered: their positions, oldest first.
  std::vector<Position> committed(uint64_t seq) {
    committed_seq_ = std::max(committed_seq_, seq);
    std::vector<Position> positions;
    while (!batches_.empty() && batches_.front().first <= seq) {
      for (auto& p : batches_.front().second) positions.push_back(std::move(p));
      batches_.pop_front();
    }
    return positions;
  }

  uint64_t committed_seq() const { return committed_seq_; }

  // The newest batch in flight holding a position `matches` accepts; 0: none.
  template <typename Predicate>
  uint64_t last_in_flight(Predicate matches) const {
    uint64_t last = 0;
    for (const auto& [seq, positions] : batches_)
      if (std::any_of(positions.begin(), positions.end(), matches)) last = seq;
    return last;
  }

 private:
  std::deque<std::pair<uint64_t, std::vector<Position>>> batches_;
  uint64_t committed_seq_ = 0;
};

}  // namespace logpipe
