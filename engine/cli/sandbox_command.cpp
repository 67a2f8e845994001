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
#include "engine/cli/sandbox_page.h"
#include "engine/cli/sandbox_run.h"
#include "engine/cli/terminal_style.h"
#include "engine/config/compiler.h"
#include "engine/config/config_error.h"
#include "engine/text/json_writer.h"

namespace po = boost::program_options;

namespace logpipe {

namespace {

constexpr auto kWatchPoll = std::chrono::milliseconds(100);

struct SandboxOptions {
  std::vector<std::string> configs;
  std::vector<std::string> samples;  // empty or "-": stdin
  std::string codec = "line";
  bool json = false;
  TerminalStyle style;
};

std::string read_all(std::istream& in) {
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
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

void print_summary(const Value& summary, const SandboxOptions& o) {
  if (o.json) {
    Object line;
    line.set("summary", summary);
    std::printf("%s\n", to_json(Value(std::move(line))).c_str());
    return;
  }
  const TerminalStyle& style = o.style;
  const Object& s = summary.as_object();
  std::printf("%s events in %lld, out %lld\n", style.bold("summary:").c_str(),
              (long long)s.find("events_in")->as_int(), (long long)s.find("events_out")->as_int());
  for (auto& [tag, n] : s.find("failures")->as_object())
    std::printf("  %s %lld\n", style.bad(tag).c_str(), (long long)n.as_int());
  const Value* slowest = s.find("slowest_filter");
  for (auto& f : s.find("filters")->as_array()) {
    const Object& fo = f.as_object();
    bool is_slowest = slowest && fo.find("id")->as_string() == slowest->as_string();
    std::printf(
        "  filter %s (%s): %.1f us/event over %lld events%s\n",
        style.name(fo.find("id")->as_string()).c_str(), fo.find("where")->as_string().c_str(),
        fo.find("ns_per_event")->as_number() / 1000.0, (long long)fo.find("events")->as_int(),
        is_slowest ? style.bad("  <- slowest").c_str() : "");
  }
}

// The sample files' bytes ("-": stdin), in order; unreadable files are said
// on stderr and skipped.
std::vector<std::string> read_samples(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (auto& path : paths.empty() ? std::vector<std::string>{"-"} : paths) {
    if (path == "-") {
      out.push_back(read_all(std::cin));
      continue;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "logpipe sandbox: cannot read %s\n", path.c_str());
      continue;
    }
    out.push_back(read_all(in));
  }
  return out;
}

// One run over the samples; false when the config does not compile.
bool run_once(const SandboxOptions& o) {
  SandboxRequest request;
  request.codec = o.codec;
  try {
    request.configs = config::load_sources(o.configs, {});
  } catch (const config::ConfigException& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return false;
  }
  request.samples = read_samples(o.samples);
  size_t number = 0;
  SandboxOutcome outcome = run_sandbox(request, [&](const Event& e, const std::vector<Value>* t) {
    if (!o.json) return print_event_text(e, ++number, t, o.style);
    Object line;
    line.set("event", sandbox_event_value(e));
    line.set("grok", t ? Value(Array(t->begin(), t->end())) : Value(Array()));
    std::printf("%s\n", to_json(Value(std::move(line))).c_str());
  });
  if (!outcome.compiled) {
    for (auto& err : outcome.errors) std::fprintf(stderr, "%s\n", err.c_str());
    return false;
  }
  print_summary(outcome.summary, o);
  std::fflush(stdout);
  return true;
}

// --http: the page starts with the config's text (its files joined when
// there are several) and the sample files' lines.
int serve_page(const SandboxOptions& o, const std::string& address) {
  SandboxPageOptions page;
  if (!parse_http_address(address, &page.host, &page.port)) {
    std::fprintf(stderr, "logpipe sandbox: --http takes PORT or HOST:PORT, not %s\n", address.c_str());
    return 2;
  }
  std::vector<config::SourceFile> sources;
  try {
    sources = config::load_sources(o.configs, {});
  } catch (const config::ConfigException& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  page.config_name = sources.size() == 1 ? sources[0].name : "filter config";
  for (auto& s : sources) {
    if (!page.config_text.empty() && page.config_text.back() != '\n') page.config_text += '\n';
    page.config_text += s.text;
  }
  if (!o.samples.empty())  // none given: the page starts with no samples, not stdin's
    for (auto& sample : read_samples(o.samples)) page.samples_text += sample;
  page.codec = o.codec;
  return serve_sandbox_page(page);
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
      "       logpipe sandbox -f CONFIG --http [HOST:]PORT [FILE...]\n"
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
    ("http", po::value<std::string>(), "serve a page on [HOST:]PORT (host 127.0.0.1) where one edits the config and the samples and sees the events as one types")
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

  if (vm.count("http")) return serve_page(o, vm["http"].as<std::string>());
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
