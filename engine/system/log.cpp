#include "engine/system/log.h"

#include <spdlog/sinks/stdout_sinks.h>

namespace logpipe {

namespace {
// Installs the stderr logger before main() so plugins can log from anywhere.
const bool kInstalled = [] {
  auto logger = std::make_shared<spdlog::logger>(
      "logpipe", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern("[%Y-%m-%dT%H:%M:%S.%e][%l] %v");
  spdlog::set_default_logger(logger);
  return true;
}();
}  // namespace

bool set_log_level(const std::string& level) {
  (void)kInstalled;
  if (level == "fatal") spdlog::set_level(spdlog::level::critical);
  else if (level == "error") spdlog::set_level(spdlog::level::err);
  else if (level == "warn") spdlog::set_level(spdlog::level::warn);
  else if (level == "info") spdlog::set_level(spdlog::level::info);
  else if (level == "debug") spdlog::set_level(spdlog::level::debug);
  else if (level == "trace") spdlog::set_level(spdlog::level::trace);
  else return false;
  return true;
}

}  // namespace logpipe
