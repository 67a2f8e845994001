#include "engine/cli/sandbox_run.h"

#include <algorithm>
#include <map>
#include <memory>
#include <unordered_map>

#include "engine/config/compiler.h"
#include "engine/config/parser.h"
#include "engine/runtime/filter_graph.h"
#include "engine/text/json_reader.h"
#include "engine/text/json_writer.h"

namespace logpipe {

namespace {

// Events per FilterGraph::run, as the workers' default batch size.
constexpr size_t kBatchSize = 125;

// What the filters reported per event, in the order they reported it.
class TraceLog : public FilterTrace {
 public:
  void record(const Event& e, const std::string& filter_id, Value detail) override {
    detail.as_object().set("filter", Value(filter_id));
    if (const Value* ns = detail.as_object().find("diagnosis_ns"); ns && ns->is_int())
      diagnosis_ns_[filter_id] += static_cast<uint64_t>(ns->as_int());
    entries_[&e].push_back(std::move(detail));
  }
  const std::vector<Value>* find(const Event* e) const {
    auto it = entries_.find(e);
    return it == entries_.end() ? nullptr : &it->second;
  }
  void clear() { entries_.clear(); }
  // Time filters spent explaining themselves, left out of their figures.
  uint64_t diagnosis_ns(const std::string& filter_id) const {
    auto it = diagnosis_ns_.find(filter_id);
    return it == diagnosis_ns_.end() ? 0 : it->second;
  }

 private:
  std::unordered_map<std::string, uint64_t> diagnosis_ns_;
  std::unordered_map<const Event*, std::vector<Value>> entries_;
};

// The config with its inputs and outputs replaced by one input that has the
// codec asked for; its codec decodes the samples.
std::shared_ptr<PipelineConfig> compile_filters(const SandboxRequest& r, const PluginEnv& env,
                                                std::vector<config::SourceFile>* sources) {
  *sources = r.configs;
  config::AstConfig ast = config::parse_configs(*sources);
  std::vector<config::AstSection> kept;
  for (auto& s : ast.sections)
    if (s.kind == config::SectionKind::Filter) kept.push_back(std::move(s));
  ast.sections = std::move(kept);
  config::SourceFile input{"sandbox input", "input { stdin { codec => \"" + r.codec + "\" } }\n"};
  sources->push_back(input);
  for (auto& s : config::parse_config(input).sections) ast.sections.push_back(std::move(s));
  config::CompileOptions copts;
  copts.plugin_env = env;
  return config::compile(ast, copts);
}

void count_tags(const Event& e, std::map<std::string, uint64_t>& failure_tags) {
  const Value* tags = e.get_top("tags");
  if (!tags || !tags->is_array()) return;
  for (auto& t : tags->as_array())
    if (t.is_string() && t.as_string().rfind('_', 0) == 0) ++failure_tags[t.as_string()];
}

Value summarize(uint64_t in, uint64_t out, const std::map<std::string, uint64_t>& failure_tags,
                FilterGraph& graph, const PipelineConfig& config, const TraceLog& trace) {
  Object failures;
  for (auto& [tag, n] : failure_tags) failures.set(tag, Value(n));
  Array filters;
  size_t slowest = 0;
  double slowest_ns = -1;
  for (size_t i = 0; i < graph.filter_count(); ++i) {
    const auto& c = graph.counters(i);
    uint64_t events = c.events_in.load();
    uint64_t nanos = c.nanos.load();
    nanos -= std::min(nanos, trace.diagnosis_ns(config.filters[i].id));
    double per_event = events ? double(nanos) / double(events) : 0;
    Object f;
    f.set("id", Value(config.filters[i].id));
    f.set("where", Value(config.filters[i].where));
    f.set("events", Value(events));
    f.set("ns_per_event", Value(per_event));
    filters.push_back(Value(std::move(f)));
    if (per_event > slowest_ns) slowest_ns = per_event, slowest = i;
  }
  Object s;
  s.set("events_in", Value(in));
  s.set("events_out", Value(out));
  s.set("failures", Value(std::move(failures)));
  s.set("filters", Value(std::move(filters)));
  if (graph.filter_count()) s.set("slowest_filter", Value(config.filters[slowest].id));
  return Value(std::move(s));
}

}  // namespace

Value sandbox_event_value(const Event& event) {
  std::string json;
  append_event_json(event, json);
  Value v;
  std::string error;
  parse_json(json, &v, &error);
  return v;
}

SandboxOutcome run_sandbox(const SandboxRequest& request, const SandboxEventFn& on_event) {
  SandboxOutcome outcome;
  TraceLog trace;
  PluginEnv env;
  env.workers = 1;
  std::vector<config::SourceFile> sources;
  std::shared_ptr<PipelineConfig> config;
  try {
    config = compile_filters(request, env, &sources);
  } catch (const config::ConfigException& e) {
    for (auto& err : e.errors) outcome.errors.push_back(config::format_error(err, sources));
    return outcome;
  }
  std::unique_ptr<Codec> codec = make_codec_for(config->inputs.at(0), env);
  if (!codec) {
    outcome.errors.push_back("no codec " + request.codec);
    return outcome;
  }
  env.trace = &trace;
  std::unique_ptr<FilterGraph> graph;
  try {
    graph = std::make_unique<FilterGraph>(*config, env);
  } catch (const std::exception& e) {  // a filter that cannot start (a dictionary file, ...)
    outcome.errors.push_back(e.what());
    return outcome;
  }
  outcome.compiled = true;

  std::vector<std::unique_ptr<Event>> owned;  // the batch, and what filters made
  uint64_t in = 0, out = 0;
  std::map<std::string, uint64_t> failure_tags;
  auto run_batch = [&] {
    std::vector<Event*> events;
    for (auto& e : owned) events.push_back(e.get());
    graph->run(events, [&](std::unique_ptr<Event> made) { owned.push_back(std::move(made)); });
    for (Event* e : events) {
      ++out;
      count_tags(*e, failure_tags);
      on_event(*e, trace.find(e));
    }
    owned.clear();
    trace.clear();
  };
  EventSink sink = [&](Event&& e) {
    ++in;
    owned.push_back(std::make_unique<Event>(std::move(e)));
    if (owned.size() >= kBatchSize) run_batch();
  };
  for (auto& data : request.samples) {
    codec->decode(data, sink);
    codec->flush(sink);
  }
  run_batch();
  outcome.summary = summarize(in, out, failure_tags, *graph, *config, trace);
  return outcome;
}

}  // namespace logpipe
