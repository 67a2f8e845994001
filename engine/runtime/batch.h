// Batch: the unit that crosses every queue of the pipeline.
//
// An input fills a batch with events (and the moment it made each, for the
// end-to-end latency), a filter worker runs the filter graph over it and
// hands it to the outputs, each of which may keep it past that call. The
// batch is shared: `holds` counts the worker's own hold plus one per output
// work item, and whoever drops the last hold finishes it (acknowledgement to
// the input, statistics, recycling). Events made by filters live in `extra`
// and share the batch's acknowledgement.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/event/event.h"

namespace logpipe {

class InputRunner;

struct Batch {
  std::vector<Event> events;
  std::vector<int64_t> made_ns;  // steady clock when the input made events[i]
  std::vector<std::unique_ptr<Event>> extra;  // made by filters
  std::vector<int64_t> extra_made_ns;
  InputRunner* input = nullptr;
  uint64_t seq = 0;  // 1, 2, 3 ... per input, in the order sealed
  int64_t sealed_ns = 0;  // steady clock when the input sealed it
  std::atomic<int> holds{0};
  // Set when an output could not take its share (the drain was abandoned):
  // the batch is then never acknowledged.
  std::atomic<bool> undeliverable{false};

  size_t size() const { return events.size() + extra.size(); }
  // Drops one hold; true for the caller that dropped the last one.
  bool release() { return holds.fetch_sub(1, std::memory_order_acq_rel) == 1; }
};

}  // namespace logpipe
