// Logging for the engine and plugins: one stderr logger (spdlog), so that
// stdout stays free for events. Messages use fmt syntax: log_warn("x {}", y).
// Passwords are never passed here: plugins log option names, not values.
#pragma once

#include <spdlog/spdlog.h>

namespace logpipe {

// Sets the level from Logstash's names: fatal error warn info debug trace.
bool set_log_level(const std::string& level);
// "plain" (the default) or "json": one JSON object per line with
// @timestamp, level and message, for log shippers and CI.
bool set_log_format(const std::string& format);

template <typename... Args>
void log_error(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::error(fmt, std::forward<Args>(args)...);
}
template <typename... Args>
void log_warn(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::warn(fmt, std::forward<Args>(args)...);
}
template <typename... Args>
void log_info(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::info(fmt, std::forward<Args>(args)...);
}
template <typename... Args>
void log_debug(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::debug(fmt, std::forward<Args>(args)...);
}

}  // namespace logpipe
