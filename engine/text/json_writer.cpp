#include "engine/text/json_writer.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <cmath>
#include <vector>

#include "engine/text/json_escape.h"

namespace logpipe {

namespace {

// Writes JSON through a raw pointer into this thread's scratch buffer, then
// hands the whole to the caller's string in one copy: a JSON event is dozens
// of small pieces, and std::string's append per piece (a call, a capacity
// check, a memcpy call) cost more than the pieces themselves. Each writer
// method reserves its worst case first and then writes unchecked.
class Writer {
 public:
  Writer() : buf_(scratch()), escape_(json_escape_impl::best()) {}
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void finish(std::string& out) const { out.append(buf_.data(), len_); }

  void put(char c) { *room(1) = c, ++len_; }
  void put(std::string_view s) {
    std::memcpy(room(s.size()), s.data(), s.size());
    len_ += s.size();
  }

  void string(std::string_view s);
  void number(const Value& v);
  void value(const Value& v);
  void fields(const Object& o);

 private:
  static std::vector<char>& scratch() {
    thread_local std::vector<char> buf(4096);
    return buf;
  }
  // At least n writable bytes at the returned pointer.
  char* room(size_t n) {
    if (buf_.size() - len_ < n) buf_.resize(std::max(buf_.size() * 2, len_ + n));
    return buf_.data() + len_;
  }

  std::vector<char>& buf_;
  const json_escape_impl::Fn escape_;
  size_t len_ = 0;
};

void Writer::string(std::string_view s) {
  // Every input byte becomes at most 6 output bytes (\u00XX; U+FFFD is 3).
  char* const first = room(6 * s.size() + 2 + kJsonEscapeSlack);
  char* d = first;
  *d++ = '"';
  auto* p = reinterpret_cast<const unsigned char*>(s.data());
  if (char* clean_end = copy_json_clean_short(p, s.size(), d))
    d = clean_end;
  else
    d = escape_(p, p + s.size(), d);
  *d++ = '"';
  len_ += static_cast<size_t>(d - first);
}

void Writer::number(const Value& v) {
  char* const first = room(40);
  if (v.is_int()) {
    len_ += static_cast<size_t>(std::to_chars(first, first + 40, v.as_int()).ptr - first);
    return;
  }
  double d = v.as_float();
  if (!std::isfinite(d)) {
    put("null");
    return;
  }
  char* last = std::to_chars(first, first + 38, d).ptr;
  // Keep a float a float for readers that type by form (1.0, not 1).
  if (std::string_view(first, last - first).find_first_of(".e") == std::string_view::npos) {
    last[0] = '.', last[1] = '0';
    last += 2;
  }
  len_ += static_cast<size_t>(last - first);
}

void Writer::value(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Null:
      put("null");
      break;
    case Value::Kind::Bool:
      put(v.as_bool() ? std::string_view("true") : std::string_view("false"));
      break;
    case Value::Kind::Int:
    case Value::Kind::Float:
      number(v);
      break;
    case Value::Kind::String:
      string(v.as_string());
      break;
    case Value::Kind::Timestamp: {
      thread_local std::string iso;
      iso.clear();
      v.as_timestamp().append_iso8601(iso);
      put('"');
      put(iso);
      put('"');
      break;
    }
    case Value::Kind::Array: {
      put('[');
      bool first = true;
      for (auto& e : v.as_array()) {
        if (!first) put(',');
        first = false;
        value(e);
      }
      put(']');
      break;
    }
    case Value::Kind::Object:
      fields(v.as_object());
      break;
  }
}

void Writer::fields(const Object& o) {
  put('{');
  bool first = true;
  for (auto& [k, e] : o) {
    if (!first) put(',');
    first = false;
    string(k);
    put(':');
    value(e);
  }
  put('}');
}

}  // namespace

void append_json_string(std::string_view s, std::string& out) {
  Writer w;
  w.string(s);
  w.finish(out);
}

void append_json(const Value& v, std::string& out) {
  Writer w;
  w.value(v);
  w.finish(out);
}

void append_event_json(const Event& e, std::string& out) {
  Writer w;
  w.fields(e.fields());
  w.finish(out);
}

std::string to_json(const Value& v) {
  std::string s;
  append_json(v, s);
  return s;
}

void append_json_pretty(const Value& v, std::string& out, int indent) {
  auto pad = [&](int n) { out.append(size_t(n) * 2, ' '); };
  if (v.is_array() && !v.as_array().empty()) {
    out += "[\n";
    bool first = true;
    for (auto& e : v.as_array()) {
      if (!first) out += ",\n";
      first = false;
      pad(indent + 1);
      append_json_pretty(e, out, indent + 1);
    }
    out += '\n';
    pad(indent);
    out += ']';
    return;
  }
  if (v.is_object() && !v.as_object().empty()) {
    out += "{\n";
    bool first = true;
    for (auto& [k, e] : v.as_object()) {
      if (!first) out += ",\n";
      first = false;
      pad(indent + 1);
      append_json_string(k, out);
      out += " => ";
      append_json_pretty(e, out, indent + 1);
    }
    out += '\n';
    pad(indent);
    out += '}';
    return;
  }
  append_json(v, out);
}

}  // namespace logpipe
