// Appending JSON text to a std::string: the fake server builds every response
// by hand (no DOM), because responses to 5 MB bulks are written at hundreds of
// thousands of items per second.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace logpipe::es_fake {

// Appends `s` as a JSON string literal. Bytes >= 0x80 are copied as they are
// (the server only echoes what it accepted as UTF-8, or raw request bytes).
inline void append_json_string(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

inline std::string json_string(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

// ES's error body: {"error":{"root_cause":[{type,reason}],"type","reason"},"status":N}.
inline std::string es_error_body(int status, std::string_view type, std::string_view reason) {
  std::string cause = "{\"type\":" + json_string(type) + ",\"reason\":" + json_string(reason);
  return "{\"error\":{\"root_cause\":[" + cause + "}]," + cause.substr(1) + "},\"status\":" + std::to_string(status) +
         "}";
}

}  // namespace logpipe::es_fake
