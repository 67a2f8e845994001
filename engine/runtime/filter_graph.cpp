#include "engine/runtime/filter_graph.h"

#include "engine/runtime/steady_clock.h"
#include "engine/system/log.h"

namespace logpipe {

namespace {

void drop_cancelled(std::vector<Event*>& events) {
  size_t j = 0;
  for (Event* e : events)
    if (!e->cancelled()) events[j++] = e;
  events.resize(j);
}

// Index of the branch an event takes: a condition's index, branches.size()
// for the else body, -1 for none.
int choose_branch(const GraphNode& node, const Event& e) {
  for (size_t i = 0; i < node.branches.size(); ++i)
    if (node.branches[i].condition->eval(e)) return static_cast<int>(i);
  return node.else_body.empty() && !node.branches.empty() ? -1
                                                          : static_cast<int>(node.branches.size());
}

const std::vector<GraphNode>& branch_body(const GraphNode& node, size_t b) {
  return b < node.branches.size() ? node.branches[b].body : node.else_body;
}

void route_nodes(const std::vector<GraphNode>& nodes, const std::vector<Event*>& events,
                 std::vector<std::vector<const Event*>>& per_output) {
  for (const GraphNode& node : nodes) {
    if (events.empty()) return;
    if (node.kind == GraphNode::Kind::Plugin) {
      auto& list = per_output[node.plugin];
      list.insert(list.end(), events.begin(), events.end());
      continue;
    }
    std::vector<std::vector<Event*>> parts(node.branches.size() + 1);
    for (Event* e : events) {
      int c = choose_branch(node, *e);
      if (c >= 0) parts[static_cast<size_t>(c)].push_back(e);
    }
    for (size_t b = 0; b < parts.size(); ++b) route_nodes(branch_body(node, b), parts[b], per_output);
  }
}

}  // namespace

// Collects what one filter creates while it runs.
class FilterGraph::Emitter final : public FilterContext {
 public:
  explicit Emitter(const Adopt& adopt) : adopt_(adopt) {}
  void emit(std::unique_ptr<Event> e) override {
    made.push_back(e.get());
    adopt_(std::move(e));
  }
  std::vector<Event*> made;

 private:
  const Adopt& adopt_;
};

FilterGraph::FilterGraph(const PipelineConfig& config, const PluginEnv& env)
    : config_(config), counters_(new FilterCounters[config.filters.size()]) {
  for (auto& decl : config.filters) {
    PluginArgs args{decl.info->name, decl.id, *decl.settings, env, nullptr};
    filters_.push_back(decl.info->make_filter(args));
  }
}

void FilterGraph::run(std::vector<Event*>& events, const Adopt& adopt) {
  Emitter emitter(adopt);
  run_nodes(config_.filter_graph, events, emitter);
}

void FilterGraph::route(const std::vector<Event*>& events,
                        std::vector<std::vector<const Event*>>& per_output) const {
  route_nodes(config_.output_graph, events, per_output);
}

void FilterGraph::run_nodes(const std::vector<GraphNode>& nodes, std::vector<Event*>& events,
                            Emitter& emitter) {
  for (const GraphNode& node : nodes) {
    if (events.empty()) return;
    if (node.kind == GraphNode::Kind::Plugin) {
      emitter.made.clear();
      bool metered = config_.filters[node.plugin].enable_metric;
      uint64_t given = events.size();
      int64_t began = metered ? steady_ns() : 0;
      try {
        filters_[node.plugin]->process(events, emitter);
      } catch (const std::exception& ex) {
        // Filter::process tags the one event that failed; a filter with its
        // own batch-wide process() cannot say which, so every event it was
        // given is tagged and none is lost.
        log_error("filter {} ({}) failed: {}", config_.filters[node.plugin].id,
                  config_.filters[node.plugin].where, ex.what());
        for (Event* e : events) e->add_tag("_filter_error");
      }
      drop_cancelled(events);
      events.insert(events.end(), emitter.made.begin(), emitter.made.end());
      emitter.made.clear();
      if (metered) {
        FilterCounters& c = counters_[node.plugin];
        int64_t took = steady_ns() - began;
        c.nanos.fetch_add(static_cast<uint64_t>(took), std::memory_order_relaxed);
        c.per_event.record(took / static_cast<int64_t>(given), given);
        c.events_in.fetch_add(given, std::memory_order_relaxed);
        c.events_out.fetch_add(events.size(), std::memory_order_relaxed);
      }
      continue;
    }
    size_t nparts = node.branches.size() + 1;
    std::vector<int> choice(events.size());
    std::vector<std::vector<Event*>> parts(nparts);
    for (size_t i = 0; i < events.size(); ++i) {
      choice[i] = choose_branch(node, *events[i]);
      if (choice[i] >= 0) parts[static_cast<size_t>(choice[i])].push_back(events[i]);
    }
    for (size_t b = 0; b < nparts; ++b)
      if (!parts[b].empty()) run_nodes(branch_body(node, b), parts[b], emitter);
    // Merge back in the original order; created events go last.
    std::vector<size_t> cursor(nparts, 0);
    std::vector<Event*> merged;
    merged.reserve(events.size());
    for (size_t i = 0; i < events.size(); ++i) {
      if (events[i]->cancelled()) continue;
      if (choice[i] >= 0) ++cursor[static_cast<size_t>(choice[i])];
      merged.push_back(events[i]);
    }
    for (size_t b = 0; b < nparts; ++b)
      merged.insert(merged.end(), parts[b].begin() + static_cast<long>(cursor[b]), parts[b].end());
    events.swap(merged);
  }
}

}  // namespace logpipe
