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
class LineDecorator;  // engine/plugin.h

// Lines an input handed over with push_line(), not made into events yet: the
// worker that takes the batch makes them (InputRunner::make_line_events). A
// batch holds pushed events or pending lines, never both (the runner seals
// the batch when an input switches), so the events keep the input's order.
struct PendingLines {
  std::string bytes;                // the lines, back to back
  std::vector<size_t> ends;         // where line i ends in bytes
  std::vector<int64_t> timestamps;  // @timestamp of line i, ns
  std::vector<uint8_t> too_long;
  // The decorator of line i: the last entry whose first line is <= i.
  std::vector<std::pair<size_t, std::shared_ptr<const LineDecorator>>> decorators;

  size_t size() const { return ends.size(); }
  void clear() {
    bytes.clear();
    ends.clear();
    timestamps.clear();
    too_long.clear();
    decorators.clear();
  }
};

struct Batch {
  std::vector<Event> events;
  PendingLines lines;
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

  size_t size() const { return events.size() + lines.size() + extra.size(); }
  // Drops one hold; true for the caller that dropped the last one.
  bool release() { return holds.fetch_sub(1, std::memory_order_acq_rel) == 1; }
};

}  // namespace logpipe
