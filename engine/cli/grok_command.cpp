#include "engine/cli/grok_command.h"

#include <unistd.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "engine/cli/grok_report_text.h"
#include "engine/cli/terminal_style.h"
#include "engine/text/json_writer.h"
#include "filters/grok/grok_diagnosis.h"

namespace po = boost::program_options;

namespace logpipe {

namespace {

Value explanation(const GrokDiagnoser& d) {
  Object out;
  out.set("pattern", Value(d.expression()));
  out.set("re2", Value(d.program().re2));
  out.set("pcre", Value(d.program().pcre));
  std::string why = d.engine_explanation();
  out.set("engine", Value(why.rfind("PCRE2 judges", 0) == 0 ? "PCRE2" : "RE2"));
  out.set("why", Value(why));
  return Value(std::move(out));
}

void print_explanation(const Value& e, const TerminalStyle& style) {
  const Object& o = e.as_object();
  std::printf("pattern %s\n", style.name(o.find("pattern")->as_string()).c_str());
  std::printf("  engine   %s\n", style.bold(o.find("engine")->as_string()).c_str());
  std::printf("  why      %s\n", o.find("why")->as_string().c_str());
  std::printf("  re2      %s\n", o.find("re2")->as_string().c_str());
  if (o.find("pcre")->as_string() != o.find("re2")->as_string())
    std::printf("  pcre2    %s\n", o.find("pcre")->as_string().c_str());
}

}  // namespace

int run_grok_command(int argc, char** argv) {
  po::options_description desc(
      "Usage: logpipe grok [options] 'PATTERN' [LINE...]\n"
      "Tries a grok expression on each LINE (or each line of stdin) and prints the\n"
      "captures, or how far the expression got, the part that failed and a caret\n"
      "under the place in the line where matching stopped.\n"
      "Exit status: 0 every line matched, 1 some did not, 2 usage or pattern error.\n\nOptions");
  // clang-format off
  desc.add_options()
    ("help,h", "print this help")
    ("patterns-dir", po::value<std::vector<std::string>>()->composing(), "directory (or file) of pattern files; repeatable")
    ("define", po::value<std::vector<std::string>>()->composing(), "NAME=REGEX, as pattern_definitions; repeatable")
    ("match,m", po::value<std::vector<std::string>>()->composing(),
       "a pattern, tried in order as in match => [...]; when given, every positional argument is a line")
    ("ecs", po::value<std::string>()->default_value("disabled"), "built-in pattern set: disabled (legacy names), v1 or v8")
    ("explain", po::bool_switch(), "print the expanded regex and which engine runs it, and why")
    ("json", po::bool_switch(), "one JSON object per line")
    ("color", po::value<std::string>()->default_value("auto"), "auto, always or never");
  // clang-format on
  po::options_description hidden;
  hidden.add_options()("args", po::value<std::vector<std::string>>());
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description positional;
  positional.add("args", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "logpipe grok: %s\n(see logpipe grok --help)\n", e.what());
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return 0;
  }
  TerminalStyle style;
  if (!TerminalStyle::from_choice(vm["color"].as<std::string>(), STDOUT_FILENO, &style)) {
    std::fprintf(stderr, "logpipe grok: --color takes auto, always or never\n");
    return 2;
  }
  std::string ecs = vm["ecs"].as<std::string>();
  if (ecs != "disabled" && ecs != "v1" && ecs != "v8") {
    std::fprintf(stderr, "logpipe grok: --ecs takes disabled, v1 or v8\n");
    return 2;
  }
  std::vector<std::string> args, patterns;
  if (vm.count("args")) args = vm["args"].as<std::vector<std::string>>();
  if (vm.count("match")) {
    patterns = vm["match"].as<std::vector<std::string>>();
  } else if (!args.empty()) {
    patterns.push_back(args.front());
    args.erase(args.begin());
  }
  if (patterns.empty()) {
    std::fprintf(stderr, "logpipe grok: give a PATTERN (see logpipe grok --help)\n");
    return 2;
  }

  auto library = std::make_shared<PatternLibrary>();
  library->add_builtin(builtin_pattern_files(), ecs == "disabled" ? "legacy" : "ecs-v1");
  if (vm.count("patterns-dir"))
    for (auto& dir : vm["patterns-dir"].as<std::vector<std::string>>()) {
      std::string error;
      if (!library->add_path(dir, "*", &error)) {
        std::fprintf(stderr, "logpipe grok: --patterns-dir %s: %s\n", dir.c_str(), error.c_str());
        return 2;
      }
    }
  if (vm.count("define"))
    for (auto& def : vm["define"].as<std::vector<std::string>>()) {
      size_t eq = def.find('=');
      if (eq == std::string::npos || eq == 0) {
        std::fprintf(stderr, "logpipe grok: --define takes NAME=REGEX, not %s\n", def.c_str());
        return 2;
      }
      library->add(def.substr(0, eq), def.substr(eq + 1));
    }
  std::vector<GrokDiagnoser> diagnosers;
  try {
    for (auto& p : patterns) diagnosers.emplace_back(library, true, p);
  } catch (const GrokCompileError& e) {
    std::fprintf(stderr, "logpipe grok: %s\n", e.what());
    return 2;
  }

  const bool json = vm["json"].as<bool>();
  if (vm["explain"].as<bool>()) {
    for (auto& d : diagnosers) {
      Value e = explanation(d);
      if (json) {
        Object line;
        line.set("explain", std::move(e));
        std::printf("%s\n", to_json(Value(std::move(line))).c_str());
      } else {
        print_explanation(e, style);
      }
    }
  }

  int status = 0;
  size_t number = 0;
  auto one_line = [&](const std::string& line) {
    ++number;
    Value report = grok_report(diagnosers, line);
    bool matched = report.as_object().find("matched")->as_bool();
    if (!matched) status = 1;
    if (json) {
      report.as_object().set("line", Value(line));
      std::printf("%s\n", to_json(report).c_str());
    } else {
      std::printf("%s %s\n", style.dim("line " + std::to_string(number) + ":").c_str(),
                  line.c_str());
      std::fputs(render_grok_report(report, line, style).c_str(), stdout);
    }
  };
  if (!args.empty()) {
    for (auto& line : args) one_line(line);
  } else if (!vm["explain"].as<bool>() || !isatty(STDIN_FILENO)) {
    std::string line;
    while (std::getline(std::cin, line)) one_line(line);
  }
  return status;
}

}  // namespace logpipe
