// Config language: any text through the parser (both escape modes) and, when
// it parses, the compiler (plugin lookup, option checks, conditions, every
// plugin built once as for -t). ${VAR} resolves to nothing, so the
// environment does not steer the run.
#include <cstdlib>
#include <string>

#include "engine/config/compiler.h"
#include "engine/config/parser.h"

using namespace logpipe;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Plugins built while validating must not write into the checkout.
  static const std::string data_dir = [] {
    char dir[] = "/tmp/logpipe-config-fuzzer-XXXXXX";
    return std::string(mkdtemp(dir) ? dir : "/tmp");
  }();
  config::SourceFile file{"fuzz.conf", std::string(reinterpret_cast<const char*>(data), size)};
  for (bool escapes : {false, true}) {
    config::ParseOptions parse_options;
    parse_options.support_escapes = escapes;
    config::AstConfig ast;
    try {
      ast = config::parse_config(file, parse_options);
    } catch (const config::ConfigException&) {
      continue;
    }
    config::CompileOptions options;
    options.env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    options.support_escapes = escapes;
    options.plugin_env.data_dir = data_dir;
    options.plugin_env.validating = true;
    try {
      config::compile(ast, options);
    } catch (const config::ConfigException&) {
    }
  }
  return 0;
}
