// TextFormat: how the plain and line codecs turn an event into text.
//
// With a `format` option the text is that sprintf template applied to the
// event. Without one it is Logstash's Event#to_s:
//   "<@timestamp ISO 8601> <host> <message>"
// where a missing host or message is written as the literal "%{host}" /
// "%{message}", and a missing @timestamp drops the first part. Values print
// as Java's toString does (a hash as {k=v, k2=v2}, an array as [a, b]).
// Thread-safe after construction.
#pragma once

#include <optional>
#include <string>

#include "engine/event/event.h"
#include "engine/event/sprintf.h"

namespace logpipe {

class TextFormat {
 public:
  TextFormat() = default;
  explicit TextFormat(const std::optional<std::string>& format);

  // Appends the event's text, without any delimiter.
  void append(const Event& e, std::string& out) const;

 private:
  std::optional<SprintfTemplate> format_;
};

// Logstash's Event#to_s.
void append_event_to_s(const Event& e, std::string& out);

}  // namespace logpipe
