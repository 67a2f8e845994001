#include "engine/event/sprintf.h"

#include <charconv>
#include <limits>
#include <stdexcept>

#include "engine/text/joda_format.h"
#include "engine/text/json_writer.h"

namespace logpipe {

namespace {

constexpr std::string_view kTimeNow = "TIME_NOW";

// Logstash tests the placeholder body with regionMatches against "+%s" over the
// body's own length, so "", "+" and "+%" also mean epoch seconds.
bool is_epoch_seconds(std::string_view body) {
  constexpr std::string_view kEpoch = "+%s";
  return body.size() <= kEpoch.size() && kEpoch.substr(0, body.size()) == body;
}

// Logstash hands Joda a millisecond DateTime: finer digits print as 0.
Timestamp truncate_to_millis(Timestamp ts) {
  int64_t below = ts.nanos % 1000000;
  if (below < 0) below += 1000000;
  // The very first instants of the range have no whole millisecond in range.
  if (ts.nanos < std::numeric_limits<int64_t>::min() + below) return ts;
  return Timestamp{ts.nanos - below};
}

}  // namespace

SprintfTemplate::SprintfTemplate(std::string_view text) : text_(text) {
  auto add_literal = [this](std::string_view s) {
    if (s.empty()) return;
    if (!parts_.empty() && parts_.back().kind == Part::Literal) {
      parts_.back().text += s;
      return;
    }
    Part p;
    p.text = std::string(s);
    parts_.push_back(std::move(p));
  };
  auto add = [this](Part::Kind kind, std::string_view written) {
    Part p;
    p.kind = kind;
    p.text = std::string(written);
    parts_.push_back(std::move(p));
    return &parts_.back();
  };

  // Same scan as Logstash: each "%{" runs to the next "}", no nesting, no escape.
  size_t pos = 0;
  for (;;) {
    const size_t open = text.find("%{", pos);
    if (open == std::string_view::npos) break;
    size_t close = text.find('}', open + 2);
    if (close == std::string_view::npos) break;
    add_literal(text.substr(pos, open - pos));
    const std::string_view body = text.substr(open + 2, close - open - 2);

    if (is_epoch_seconds(body)) {
      add(Part::EpochSeconds, text.substr(open, close + 1 - open));
    } else if (body[0] == '{' && close + 1 < text.size() && text[close + 1] == '}') {
      ++close;  // the second closing brace
      const std::string_view written = text.substr(open, close + 1 - open);
      const std::string_view pattern = body.substr(1);
      if (pattern == kTimeNow) {
        add(Part::TimeNow, written);
      } else {
        try {
          auto fmt = std::make_shared<const JodaFormat>(JodaFormat::java_time(pattern));
          add(Part::JavaTime, written)->joda = std::move(fmt);
        } catch (const std::invalid_argument&) {
          add_literal(written);  // Logstash fails per event; we keep the text.
        }
      }
    } else if (body[0] == '+') {
      const std::string_view written = text.substr(open, close + 1 - open);
      try {
        auto fmt = std::make_shared<const JodaFormat>(body.substr(1));
        add(Part::Joda, written)->joda = std::move(fmt);
      } catch (const std::invalid_argument&) {
        add_literal(written);
      }
    } else {
      const std::string_view written = text.substr(open, close + 1 - open);
      if (auto ref = FieldRef::parse(body))
        add(Part::Field, written)->ref = std::make_shared<const FieldRef>(std::move(*ref));
      else
        add_literal(written);
    }
    pos = close + 1;
  }
  add_literal(text.substr(pos));
}

void SprintfTemplate::append(const Event& e, std::string& out) const {
  for (const Part& p : parts_) {
    switch (p.kind) {
      case Part::Literal:
        out += p.text;
        break;
      case Part::Field: {
        if (p.ref->metadata() && p.ref->path().empty()) {
          // %{[@metadata]}: the whole metadata object, as JSON (rare; copies).
          append_json(Value(e.metadata()), out);
          break;
        }
        const Value* v = e.get(*p.ref);
        if (v == nullptr || v->is_null())
          out += p.text;
        else
          v->append_string(out);
        break;
      }
      case Part::EpochSeconds: {
        Timestamp ts;
        if (e.timestamp(&ts)) {
          char buf[24];
          auto r = std::to_chars(buf, buf + sizeof buf, ts.seconds());
          out.append(buf, r.ptr - buf);
        }
        break;
      }
      case Part::Joda: {
        Timestamp ts;
        if (e.timestamp(&ts)) p.joda->append(truncate_to_millis(ts), out);
        break;
      }
      case Part::JavaTime: {
        Timestamp ts;
        if (e.timestamp(&ts)) p.joda->append(ts, out);
        break;
      }
      case Part::TimeNow:
        Timestamp::now().append_iso8601(out);
        break;
    }
  }
}

std::string SprintfTemplate::format(const Event& e) const {
  if (constant()) return text_;
  std::string out;
  append(e, out);
  return out;
}

}  // namespace logpipe
