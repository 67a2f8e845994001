// FilterGraph: one worker's copy of a pipeline's filters, and the compiled
// conditionals that route events through them and on to the outputs.
//
// Built from a PipelineConfig on its own, so that the sandbox and filter unit
// tests run exactly the code the workers run. Not thread-safe: each worker has
// its own graph (filters keep per-worker caches and per-worker RE2 copies).
//
// run() takes the live events of a batch and leaves in it the survivors, in
// their original order, followed by the events filters created (clone,
// split ...), which went through the rest of the graph after the filter that
// made them. route() says which events each output gets.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "engine/config/pipeline_config.h"
#include "engine/metrics/latency_histogram.h"

namespace logpipe {

class FilterGraph {
 public:
  // Receives each event a filter creates; it must keep the event alive until
  // the batch is done.
  using Adopt = std::function<void(std::unique_ptr<Event>)>;

  // Builds one instance of every filter of config with env (worker_index set
  // by the caller). Throws what a filter's constructor throws.
  FilterGraph(const PipelineConfig& config, const PluginEnv& env);

  void run(std::vector<Event*>& events, const Adopt& adopt);
  // per_output[i] gets, in order, the events that reach output i;
  // per_output must hold one list per output.
  void route(const std::vector<Event*>& events,
             std::vector<std::vector<const Event*>>& per_output) const;

  size_t filter_count() const { return filters_.size(); }
  Filter& filter(size_t i) { return *filters_[i]; }

  // What went through filter i of this graph: written by the graph's worker,
  // readable from any thread while it runs (relaxed atomics, updated once
  // per batch, not per event). Zero for a filter with enable_metric => false.
  struct FilterCounters {
    std::atomic<uint64_t> events_in{0};
    std::atomic<uint64_t> events_out{0};  // survivors plus events it created
    std::atomic<uint64_t> nanos{0};       // time spent in the filter
    SharedLatencyHistogram per_event;     // each batch's time over its events
  };
  const FilterCounters& counters(size_t i) const { return counters_[i]; }

 private:
  class Emitter;
  void run_nodes(const std::vector<GraphNode>& nodes, std::vector<Event*>& events,
                 Emitter& emitter);

  const PipelineConfig& config_;
  std::vector<std::unique_ptr<Filter>> filters_;
  std::unique_ptr<FilterCounters[]> counters_;
};

}  // namespace logpipe
