#include "engine/system/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "engine/event/value.h"
#include "engine/text/json_writer.h"

namespace logpipe {

namespace {
constexpr const char* kPlainPattern = "[%Y-%m-%dT%H:%M:%S.%e][%l] %v";

// Installs the stderr logger before main() so plugins can log from anywhere.
const bool kInstalled = [] {
  auto logger = std::make_shared<spdlog::logger>(
      "logpipe", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern(kPlainPattern);
  spdlog::set_default_logger(logger);
  return true;
}();

// One JSON object per line: {"@timestamp":"...Z","level":"WARN","message":"..."}.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    // Milliseconds, as the plain pattern's %e and Logstash's log show them.
    const int64_t millis = duration_cast<milliseconds>(msg.time.time_since_epoch()).count();
    std::string line = "{\"@timestamp\":\"";
    Timestamp{millis * 1000000}.append_iso8601(line);
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
    spdlog::default_logger()->set_pattern(kPlainPattern);
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
