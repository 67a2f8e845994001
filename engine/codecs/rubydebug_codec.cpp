// rubydebug: the event as Ruby's awesome_print shows a hash, which is what
// Logstash prints with `stdout { codec => rubydebug }`:
//
//   {
//          "message" => "hello",
//       "@timestamp" => 2026-11-26T04:55:19.123Z,
//             "tags" => [
//           [0] "a"
//       ],
//             "http" => {
//           "status" => 200
//       }
//   }
//
// Keys are Ruby-inspected strings right-aligned so the arrows line up (the
// longest key is indented 4 spaces per level), entries are separated by
// commas, arrays show their indexes, strings are quoted and escaped as
// String#inspect does, timestamps and numbers are bare, null is nil.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/codecs/codec_options.h"
#include "engine/codecs/codecs.h"
#include "engine/text/utf8.h"

namespace logpipe {

namespace {

constexpr int kIndent = 4;

// Non-ASCII code points Ruby does not print as they are (controls and
// invisible format characters).
bool unprintable(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0xAD || (cp >= 0x200B && cp <= 0x200F) ||
         (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2064) || cp == 0xFEFF;
}

// Ruby's String#inspect of s. Appends to out when given; returns the number
// of characters of the result (what rjust counts).
size_t inspect(std::string_view s, std::string* out) {
  static const char kHex[] = "0123456789ABCDEF";
  size_t width = 2;  // the quotes
  if (out) *out += '"';
  auto* p = reinterpret_cast<const unsigned char*>(s.data());
  auto* end = p + s.size();
  char buf[16];
  while (p < end) {
    unsigned char c = *p;
    const char* esc = nullptr;
    size_t esc_len = 0;
    size_t consumed = 1;
    if (c < 0x80) {
      switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        case '\f': esc = "\\f"; break;
        case '\v': esc = "\\v"; break;
        case '\b': esc = "\\b"; break;
        case '\a': esc = "\\a"; break;
        case 0x1B: esc = "\\e"; break;
        case '#':
          if (p + 1 < end && (p[1] == '{' || p[1] == '$' || p[1] == '@')) esc = "\\#";
          break;
        default:
          if (c < 0x20 || c == 0x7F) {
            buf[0] = '\\', buf[1] = 'u', buf[2] = '0', buf[3] = '0';
            buf[4] = kHex[c >> 4], buf[5] = kHex[c & 15];
            esc = buf;
            esc_len = 6;
          }
      }
      if (esc && !esc_len) esc_len = 2;
      if (!esc) {
        if (out) *out += char(c);
        ++width;
      }
    } else {
      size_t n = 0;
      int32_t decoded = decode_utf8(std::string_view(reinterpret_cast<const char*>(p), size_t(end - p)), 0, &n);
      uint32_t cp = static_cast<uint32_t>(decoded);
      if (decoded < 0) {  // an invalid byte
        buf[0] = '\\', buf[1] = 'x', buf[2] = kHex[c >> 4], buf[3] = kHex[c & 15];
        esc = buf;
        esc_len = 4;
      } else if (unprintable(cp)) {
        esc_len = static_cast<size_t>(std::snprintf(buf, sizeof buf, "\\u%04X", cp));
        esc = buf;
        consumed = n;
      } else {
        if (out) out->append(reinterpret_cast<const char*>(p), n);
        ++width;
        consumed = n;
      }
    }
    if (esc) {
      if (out) out->append(esc, esc_len);
      width += esc_len;
    }
    p += consumed;
  }
  if (out) *out += '"';
  return width;
}

class RubyDebugWriter {
 public:
  explicit RubyDebugWriter(std::string& out) : out_(out) {}

  struct Entry {
    std::string_view key;
    const Value* value;   // one of value
    const Object* hash;   // and hash is set
  };

  // A hash printed at the given indentation (the indentation of its
  // entries; its closing brace is one level less).
  void hash(const std::vector<Entry>& entries, int indentation) {
    if (entries.empty()) {
      out_ += "{}";
      return;
    }
    size_t width = 0;
    for (auto& e : entries) width = std::max(width, inspect(e.key, nullptr));
    width += static_cast<size_t>(indentation);
    out_ += "{\n";
    bool first = true;
    for (auto& e : entries) {
      if (!first) out_ += ",\n";
      first = false;
      out_.append(width - inspect(e.key, nullptr), ' ');
      inspect(e.key, &out_);
      out_ += " => ";
      if (e.hash)
        object(*e.hash, indentation + kIndent);
      else
        value(*e.value, indentation + kIndent);
    }
    out_ += '\n';
    out_.append(static_cast<size_t>(indentation - kIndent), ' ');
    out_ += '}';
  }

  void object(const Object& o, int indentation) {
    std::vector<Entry> entries;
    entries.reserve(o.size());
    for (auto& [k, v] : o) entries.push_back({k, &v, nullptr});
    hash(entries, indentation);
  }

  void array(const Array& a, int indentation) {
    if (a.empty()) {
      out_ += "[]";
      return;
    }
    size_t index_width = std::to_string(a.size() - 1).size();
    out_ += "[\n";
    for (size_t i = 0; i < a.size(); ++i) {
      if (i) out_ += ",\n";
      out_.append(static_cast<size_t>(indentation), ' ');
      std::string index = std::to_string(i);
      out_ += '[';
      out_.append(index_width - index.size(), ' ');
      out_ += index;
      out_ += "] ";
      value(a[i], indentation + kIndent);
    }
    out_ += '\n';
    out_.append(static_cast<size_t>(indentation - kIndent), ' ');
    out_ += ']';
  }

  void value(const Value& v, int indentation) {
    switch (v.kind()) {
      case Value::Kind::Null: out_ += "nil"; break;
      case Value::Kind::String: inspect(v.as_string(), &out_); break;
      case Value::Kind::Object: object(v.as_object(), indentation); break;
      case Value::Kind::Array: array(v.as_array(), indentation); break;
      default: v.append_string(out_);  // numbers, booleans, timestamps: bare
    }
  }

 private:
  std::string& out_;
};

struct RubyDebugOptions {
  bool metadata = false;
};

const OptionSchema<RubyDebugOptions>& rubydebug_schema() {
  static const OptionSchema<RubyDebugOptions> schema = [] {
    OptionSchema<RubyDebugOptions> s;
    s.boolean("metadata", &RubyDebugOptions::metadata, "Also show the event's [@metadata].")
        .fallback(false);
    return s;
  }();
  return schema;
}

class RubyDebugCodec : public Codec {
 public:
  explicit RubyDebugCodec(const PluginArgs& args)
      : metadata_(rubydebug_schema().bind(args.settings).metadata) {}

  // Logstash cannot decode rubydebug; rather than fail, take input as plain text.
  void decode(std::string_view data, const EventSink& sink) override {
    sink(Event(std::string(data)));
  }

  void encode(const Event& e, std::string& out) override { append_rubydebug(e, metadata_, out); }

 private:
  bool metadata_;
};

}  // namespace

void append_rubydebug(const Event& e, bool with_metadata, std::string& out) {
  std::vector<RubyDebugWriter::Entry> entries;
  entries.reserve(e.fields().size() + 1);
  for (auto& [k, v] : e.fields()) entries.push_back({k, &v, nullptr});
  if (with_metadata && !e.metadata().empty()) entries.push_back({"@metadata", nullptr, &e.metadata()});
  RubyDebugWriter(out).hash(entries, kIndent);
  out += '\n';
}

PluginInfo rubydebug_codec_info() {
  PluginInfo info;
  info.name = "rubydebug";
  info.kind = PluginKind::Codec;
  info.description = "Human-readable multi-line event dump (Ruby awesome_print layout), for debugging.";
  info.options = rubydebug_schema().specs();
  info.make_codec = [](const PluginArgs& args) -> std::unique_ptr<Codec> {
    return std::make_unique<RubyDebugCodec>(args);
  };
  return info;
}

}  // namespace logpipe
