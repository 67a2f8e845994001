// SprintfTemplate: Logstash's `%{...}` string formatting, compiled once.
//
// A template such as "logs-%{[app][name]}-%{+YYYY.MM.dd}" is split at config
// time into literal text and placeholders (LOGSTASH_CONFIG_FACTS.md §7). Each
// "%{" runs to the next "}" (no nesting, no escape); without a "}" the rest is
// literal.
//   %{REF}       the field's string form (arrays joined with ",", objects as
//                JSON, numbers as Ruby prints them); a missing or null field
//                leaves "%{REF}" as written.
//   %{+FORMAT}   @timestamp formatted with a Joda-Time pattern, in UTC, at
//                millisecond precision as Logstash does; nothing when the
//                event has no @timestamp.
//   %{+%s}       @timestamp as Unix epoch seconds (like Logstash, "%{}",
//                "%{+}" and "%{+%}" mean the same).
//   %{{FORMAT}}  @timestamp with a java.time pattern, UTC, full precision;
//                %{{TIME_NOW}} is the current time in ISO 8601.
// Never fails: an invalid field reference or date pattern is kept as literal
// text (Logstash would raise per event).
// Formatting allocates nothing beyond appending to the caller's string.
// Thread-safe after construction (const use from several workers).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event/event.h"

namespace logpipe {

class JodaFormat;

class SprintfTemplate {
 public:
  SprintfTemplate() = default;
  // Never fails: an unparsable field reference or date pattern stays in the
  // output as written.
  explicit SprintfTemplate(std::string_view text);

  // True when the template has no placeholder (the text is its own result).
  bool constant() const {
    return parts_.size() <= 1 && (parts_.empty() || parts_[0].kind == Part::Literal);
  }
  const std::string& text() const { return text_; }

  std::string format(const Event& e) const;
  void append(const Event& e, std::string& out) const;

 private:
  struct Part {
    enum Kind { Literal, Field, Joda, EpochSeconds, JavaTime, TimeNow } kind = Literal;
    std::string text;                        // literal text, or the placeholder as written
    std::shared_ptr<const FieldRef> ref;     // Field
    std::shared_ptr<const JodaFormat> joda;  // Joda and JavaTime
  };
  std::vector<Part> parts_;
  std::string text_;
};

}  // namespace logpipe
