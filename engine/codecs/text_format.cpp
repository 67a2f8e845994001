#include "engine/codecs/text_format.h"

namespace logpipe {

namespace {

// Java's toString of the value Logstash holds: maps and lists print in
// Java's form, scalars as their usual string form.
void append_java_string(const Value& v, std::string& out) {
  switch (v.kind()) {
    case Value::Kind::Null:
      out += "null";
      break;
    case Value::Kind::Array: {
      out += '[';
      bool first = true;
      for (auto& item : v.as_array()) {
        if (!first) out += ", ";
        first = false;
        append_java_string(item, out);
      }
      out += ']';
      break;
    }
    case Value::Kind::Object: {
      out += '{';
      bool first = true;
      for (auto& [key, item] : v.as_object()) {
        if (!first) out += ", ";
        first = false;
        out += key;
        out += '=';
        append_java_string(item, out);
      }
      out += '}';
      break;
    }
    default:
      v.append_string(out);
  }
}

void append_field_or_placeholder(const Event& e, std::string_view name, std::string& out) {
  const Value* v = e.get_top(name);
  if (!v || v->is_null()) {
    out += "%{";
    out += name;
    out += '}';
    return;
  }
  append_java_string(*v, out);
}

}  // namespace

void append_event_to_s(const Event& e, std::string& out) {
  Timestamp ts;
  if (e.timestamp(&ts)) {
    ts.append_iso8601(out);
    out += ' ';
  }
  append_field_or_placeholder(e, "host", out);
  out += ' ';
  append_field_or_placeholder(e, "message", out);
}

TextFormat::TextFormat(const std::optional<std::string>& format) {
  if (format) format_.emplace(*format);
}

void TextFormat::append(const Event& e, std::string& out) const {
  if (format_)
    format_->append(e, out);
  else
    append_event_to_s(e, out);
}

}  // namespace logpipe
