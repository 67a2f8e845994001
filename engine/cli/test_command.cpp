#include "engine/cli/test_command.h"

#include <boost/program_options.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "engine/config/compiler.h"
#include "engine/event/ecs.h"
#include "engine/testing/lfv_config.h"
#include "engine/testing/lfv_runner.h"

namespace po = boost::program_options;

namespace logpipe {

int run_test_command(int argc, char** argv) {
  po::options_description desc(
      "Usage: logpipe test -f FILTER.conf [-f ...] [--junit FILE] [--plugin-mock FILE] CASES...\n"
      "Runs Logstash Filter Verifier test cases (files or directories) through the filters.\n\nOptions");
  // clang-format off
  desc.add_options()
    ("help,h", "print this help")
    ("path.config,f", po::value<std::vector<std::string>>()->composing(), "config file or directory; repeatable")
    ("junit", po::value<std::string>(), "write JUnit XML here")
    ("pipeline.ecs_compatibility", po::value<std::string>()->default_value("disabled"),
       "disabled|v1|v8: ecs_compatibility of the plugins that do not set it (Logstash 8: v8)")
    ("plugin-mock", po::value<std::string>(), "LFV plugin mocks (YAML list of {id, mock}): replace or remove plugins by id")
    ("cases", po::value<std::vector<std::string>>()->composing(), "test case files or directories");
  // clang-format on
  po::positional_options_description pos;
  pos.add("cases", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "logpipe test: %s\n", e.what());
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return 0;
  }
  if (!vm.count("path.config") || !vm.count("cases")) {
    std::fprintf(stderr, "logpipe test: give -f CONFIG and test case files (see logpipe test --help)\n");
    return 2;
  }
  if (!is_ecs_compatibility(vm["pipeline.ecs_compatibility"].as<std::string>())) {
    std::fprintf(stderr, "logpipe test: pipeline.ecs_compatibility is disabled, v1 or v8\n");
    return 2;
  }
  std::vector<config::SourceFile> sources;
  std::shared_ptr<PipelineConfig> config;
  try {
    sources = config::load_sources(vm["path.config"].as<std::vector<std::string>>(), {});
    config::CompileOptions copts;
    copts.ecs_compatibility = vm["pipeline.ecs_compatibility"].as<std::string>();
    config = load_lfv_test_pipeline(sources, vm.count("plugin-mock") ? vm["plugin-mock"].as<std::string>() : "", copts);
  } catch (const config::ConfigException& e) {
    for (auto& err : e.errors) std::fprintf(stderr, "%s\n", config::format_error(err, sources).c_str());
    return 2;
  } catch (const LfvCaseError& e) {
    std::fprintf(stderr, "logpipe test: %s\n", e.what());
    return 2;
  }
  std::vector<LfvSetResult> results;
  try {
    LfvRunner runner(config);
    for (const auto& file : discover_lfv_case_files(vm["cases"].as<std::vector<std::string>>()))
      results.push_back(runner.run(load_lfv_case_set(file)));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "logpipe test: %s\n", e.what());
    return 2;
  }
  size_t passed = 0, failed = 0;
  for (const auto& r : results) {
    for (size_t i = 0; i < r.cases.size(); ++i) {
      const auto& c = r.cases[i];
      std::string name = c.description.empty() ? "test case " + std::to_string(i + 1) : c.description;
      if (c.failures.empty()) {
        ++passed;
        std::printf("PASS %s: %s\n", r.path.c_str(), name.c_str());
        continue;
      }
      ++failed;
      std::printf("FAIL %s: %s\n", r.path.c_str(), name.c_str());
      for (const auto& f : c.failures) std::printf("%s\n", f.c_str());
    }
  }
  std::printf("%zu passed, %zu failed, %zu files\n", passed, failed, results.size());
  if (vm.count("junit")) {
    std::ofstream out(vm["junit"].as<std::string>());
    out << lfv_junit_xml(results);
  }
  return failed ? 1 : 0;
}

}  // namespace logpipe
