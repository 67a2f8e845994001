#include "engine/system/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <ctime>

#include "engine/text/json_writer.h"

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

// One JSON object per line: {"@timestamp":"...Z","level":"WARN","message":"..."}.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    const auto since = msg.time.time_since_epoch();
    const time_t secs = static_cast<time_t>(duration_cast<seconds>(since).count());
    const int millis = static_cast<int>(duration_cast<milliseconds>(since).count() % 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char stamp[40];
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
    std::string line = "{\"@timestamp\":\"";
    line += stamp;
    line += "\",\"level\":\"";
    const auto level = spdlog::level::to_string_view(msg.level);
    for (char c : std::string_view(level.data(), level.size()))
      line += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    line += "\",\"message\":";
    append_json_string(std::string_view(msg.payload.data(), msg.payload.size()), line);
    line += "}\n";
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

bool set_log_format(const std::string& format) {
  (void)kInstalled;
  if (format == "json")
    spdlog::default_logger()->set_formatter(std::make_unique<JsonFormatter>());
  else if (format == "plain")
    spdlog::default_logger()->set_pattern("[%Y-%m-%dT%H:%M:%S.%e][%l] %v");
  else
    return false;
  return true;
}

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
