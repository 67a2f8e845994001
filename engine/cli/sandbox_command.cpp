#include "engine/cli/sandbox_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "engine/cli/grok_report_text.h"
#include "engine/cli/terminal_style.h"
#include "engine/config/compiler.h"
#include "engine/config/config_error.h"
#include "engine/config/parser.h"
#include "engine/runtime/filter_graph.h"
#include "engine/text/json_reader.h"
#include "engine/text/json_writer.h"

namespace po = boost::program_options;

namespace logpipe {

namespace {

// Events per FilterGraph::run, as the workers' default batch size.
constexpr size_t kBatchSize = 125;
constexpr auto kWatchPoll = std::chrono::milliseconds(100);

struct SandboxOptions {
  std::vector<std::string> configs;
  std::vector<std::string> samples;  // empty or "-": stdin
  std::string codec = "line";
  bool json = false;
  TerminalStyle style;
};

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

std::string read_all(std::istream& in) {
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The config with its inputs and outputs replaced by one input that has the
// codec asked for; its codec decodes the samples.
std::shared_ptr<PipelineConfig> compile_filters(const SandboxOptions& o, const PluginEnv& env,
                                                std::vector<config::SourceFile>* sources) {
  *sources = config::load_sources(o.configs, {});
  config::AstConfig ast = config::parse_configs(*sources);
  std::vector<config::AstSection> kept;
  for (auto& s : ast.sections)
    if (s.kind == config::SectionKind::Filter) kept.push_back(std::move(s));
  ast.sections = std::move(kept);
  config::SourceFile input{"sandbox input", "input { stdin { codec => \"" + o.codec + "\" } }\n"};
  sources->push_back(input);
  for (auto& s : config::parse_config(input).sections) ast.sections.push_back(std::move(s));
  config::CompileOptions copts;
  copts.plugin_env = env;
  return config::compile(ast, copts);
}

std::string value_text(const Value& v) { return v.is_string() ? v.as_string() : to_json(v); }

void print_event_text(const Event& e, size_t number, const std::vector<Value>* trace,
                      const TerminalStyle& style) {
  std::printf("%s\n", style.bold("event " + std::to_string(number)).c_str());
  for (auto& [name, value] : e.fields()) {
    std::string shown = name == "tags" ? style.bad(value_text(value)) : value_text(value);
    std::printf("  %s = %s\n", style.name(name).c_str(), shown.c_str());
  }
  if (!trace) return;
  for (auto& t : *trace) {
    const Object& o = t.as_object();
    std::string filter = o.find("filter")->as_string();
    std::string field = o.find("field") ? o.find("field")->as_string() : "";
    if (o.find("matched")->as_bool()) {
      std::printf("  %s %s: %s pattern %lld %s\n", style.dim("grok").c_str(), filter.c_str(),
                  style.good("matched [" + field + "] with").c_str(),
                  (long long)o.find("pattern_index")->as_int() + 1,
                  style.name(o.find("pattern")->as_string()).c_str());
      continue;
    }
    std::printf("  %s %s: [%s]\n", style.dim("grok").c_str(), filter.c_str(), field.c_str());
    std::fputs(render_grok_report(t, o.find("text")->as_string(), style, "    ").c_str(), stdout);
  }
}

struct RunTotals {
  uint64_t in = 0, out = 0;
  std::map<std::string, uint64_t> failure_tags;  // tags starting with _
};

void count_tags(const Event& e, RunTotals& totals) {
  const Value* tags = e.get_top("tags");
  if (!tags || !tags->is_array()) return;
  for (auto& t : tags->as_array())
    if (t.is_string() && t.as_string().rfind('_', 0) == 0) ++totals.failure_tags[t.as_string()];
}

void print_summary(const RunTotals& t, FilterGraph& graph, const PipelineConfig& config,
                   const TraceLog& trace, const SandboxOptions& o) {
  Object failures;
  for (auto& [tag, n] : t.failure_tags) failures.set(tag, Value(n));
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
  if (o.json) {
    Object s;
    s.set("events_in", Value(t.in));
    s.set("events_out", Value(t.out));
    s.set("failures", Value(std::move(failures)));
    s.set("filters", Value(std::move(filters)));
    if (graph.filter_count()) s.set("slowest_filter", Value(config.filters[slowest].id));
    Object line;
    line.set("summary", Value(std::move(s)));
    std::printf("%s\n", to_json(Value(std::move(line))).c_str());
    return;
  }
  const TerminalStyle& style = o.style;
  std::printf("%s events in %llu, out %llu\n", style.bold("summary:").c_str(),
              (unsigned long long)t.in, (unsigned long long)t.out);
  for (auto& [tag, n] : t.failure_tags)
    std::printf("  %s %llu\n", style.bad(tag).c_str(), (unsigned long long)n);
  for (auto& f : filters) {
    const Object& fo = f.as_object();
    bool is_slowest = fo.find("id")->as_string() == config.filters[slowest].id;
    std::printf(
        "  filter %s (%s): %.1f us/event over %lld events%s\n",
        style.name(fo.find("id")->as_string()).c_str(), fo.find("where")->as_string().c_str(),
        fo.find("ns_per_event")->as_number() / 1000.0, (long long)fo.find("events")->as_int(),
        is_slowest ? style.bad("  <- slowest").c_str() : "");
  }
}

// One run over the samples; false when the config does not compile.
bool run_once(const SandboxOptions& o) {
  TraceLog trace;
  PluginEnv env;
  env.workers = 1;
  std::vector<config::SourceFile> sources;
  std::shared_ptr<PipelineConfig> config;
  try {
    config = compile_filters(o, env, &sources);
  } catch (const config::ConfigException& e) {
    for (auto& err : e.errors)
      std::fprintf(stderr, "%s\n", config::format_error(err, sources).c_str());
    return false;
  }
  std::unique_ptr<Codec> codec = make_codec_for(config->inputs.at(0), env);
  if (!codec) {
    std::fprintf(stderr, "logpipe sandbox: no codec %s\n", o.codec.c_str());
    return false;
  }
  env.trace = &trace;
  FilterGraph graph(*config, env);

  std::vector<std::unique_ptr<Event>> owned;  // the batch, and what filters made
  RunTotals totals;
  size_t number = 0;
  auto run_batch = [&] {
    std::vector<Event*> events;
    for (auto& e : owned) events.push_back(e.get());
    graph.run(events, [&](std::unique_ptr<Event> made) { owned.push_back(std::move(made)); });
    for (Event* e : events) {
      ++totals.out;
      count_tags(*e, totals);
      const std::vector<Value>* t = trace.find(e);
      if (o.json) {
        Object line;
        std::string event_json;
        append_event_json(*e, event_json);
        Value event;
        std::string error;
        parse_json(event_json, &event, &error);
        line.set("event", std::move(event));
        line.set("grok", t ? Value(Array(t->begin(), t->end())) : Value(Array()));
        std::printf("%s\n", to_json(Value(std::move(line))).c_str());
      } else {
        print_event_text(*e, ++number, t, o.style);
      }
    }
    owned.clear();
    trace.clear();
  };
  EventSink sink = [&](Event&& e) {
    ++totals.in;
    owned.push_back(std::make_unique<Event>(std::move(e)));
    if (owned.size() >= kBatchSize) run_batch();
  };
  std::vector<std::string> samples = o.samples.empty() ? std::vector<std::string>{"-"} : o.samples;
  for (auto& path : samples) {
    std::string data;
    if (path == "-") {
      data = read_all(std::cin);
    } else {
      std::ifstream in(path, std::ios::binary);
      if (!in) {
        std::fprintf(stderr, "logpipe sandbox: cannot read %s\n", path.c_str());
        continue;
      }
      data = read_all(in);
    }
    codec->decode(data, sink);
    codec->flush(sink);
  }
  run_batch();
  print_summary(totals, graph, *config, trace, o);
  std::fflush(stdout);
  return true;
}

// The files a --watch run looks at, with their modification times.
std::vector<std::pair<std::string, int64_t>> watched(const SandboxOptions& o) {
  std::vector<std::pair<std::string, int64_t>> out;
  std::vector<std::string> paths = o.configs;
  for (auto& s : o.samples)
    if (s != "-") paths.push_back(s);
  for (auto& p : paths) {
    struct stat st {};
    int64_t mtime = stat(p.c_str(), &st) == 0
                        ? int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec + st.st_size
                        : -1;
    out.emplace_back(p, mtime);
  }
  return out;
}

}  // namespace

int run_sandbox_command(int argc, char** argv) {
  po::options_description desc(
      "Usage: logpipe sandbox -f CONFIG [options] [FILE...|-]\n"
      "Runs the filter sections of CONFIG (inputs and outputs set aside) over the lines of\n"
      "each FILE (or stdin) as production would, and prints each resulting event, which grok\n"
      "pattern matched or where every pattern failed, and a summary.\n\nOptions");
  // clang-format off
  desc.add_options()
    ("help,h", "print this help")
    ("path.config,f", po::value<std::vector<std::string>>()->composing(), "config file, directory or glob; repeatable")
    ("codec", po::value<std::string>()->default_value("line"), "the input codec that decodes the samples (line, json_lines, ...)")
    ("json", po::bool_switch(), "one JSON object per event, then one with the summary")
    ("watch", po::bool_switch(), "run again whenever the config or a sample file changes")
    ("color", po::value<std::string>()->default_value("auto"), "auto, always or never");
  // clang-format on
  po::options_description hidden;
  hidden.add_options()("samples", po::value<std::vector<std::string>>());
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description positional;
  positional.add("samples", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "logpipe sandbox: %s\n(see logpipe sandbox --help)\n", e.what());
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return 0;
  }
  SandboxOptions o;
  if (!TerminalStyle::from_choice(vm["color"].as<std::string>(), STDOUT_FILENO, &o.style)) {
    std::fprintf(stderr, "logpipe sandbox: --color takes auto, always or never\n");
    return 2;
  }
  if (!vm.count("path.config")) {
    std::fprintf(stderr, "logpipe sandbox: give the filter config with -f PATH\n");
    return 2;
  }
  o.configs = vm["path.config"].as<std::vector<std::string>>();
  if (vm.count("samples")) o.samples = vm["samples"].as<std::vector<std::string>>();
  o.codec = vm["codec"].as<std::string>();
  o.json = vm["json"].as<bool>();
  const bool watch = vm["watch"].as<bool>();
  bool stdin_sample = o.samples.empty();
  for (auto& s : o.samples) stdin_sample |= s == "-";
  if (watch && stdin_sample) {
    std::fprintf(stderr, "logpipe sandbox: --watch needs sample files (stdin can be read once)\n");
    return 2;
  }

  bool ok = run_once(o);
  if (!watch) return ok ? 0 : 1;
  auto seen = watched(o);
  for (;;) {
    std::this_thread::sleep_for(kWatchPoll);
    auto now = watched(o);
    if (now == seen) continue;
    seen = now;
    std::printf("%s\n", o.json ? R"({"rerun":true})"
                               : o.style.dim("--- changed, running again ---").c_str());
    run_once(o);
  }
}

}  // namespace logpipe
