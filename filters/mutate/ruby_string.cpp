#include "filters/mutate/ruby_string.h"

#include "engine/text/ruby_number.h"
#include "engine/text/utf8.h"

namespace logpipe {

void strip_in_place(std::string& s) {
  size_t end = s.size();
  while (end > 0 && is_strip_space(s[end - 1])) --end;
  size_t begin = 0;
  while (begin < end && is_strip_space(s[begin])) ++begin;
  s.erase(end);
  s.erase(0, begin);
}

Array ruby_split(const std::string& s, const std::string& sep) {
  Array out;
  if (sep == " ") {
    size_t i = 0;
    while (i < s.size()) {
      while (i < s.size() && is_ruby_whitespace(s[i])) ++i;
      if (i == s.size()) break;
      size_t start = i;
      while (i < s.size() && !is_ruby_whitespace(s[i])) ++i;
      out.emplace_back(std::string_view(s).substr(start, i - start));
    }
    return out;
  }
  if (sep.empty()) {
    for (size_t i = 0; i < s.size();) {
      size_t len;
      decode_utf8(s, i, &len);
      out.emplace_back(std::string_view(s).substr(i, len));
      i += len;
    }
    return out;
  }
  size_t start = 0;
  for (;;) {
    size_t at = s.find(sep, start);
    if (at == std::string::npos) {
      out.emplace_back(std::string_view(s).substr(start));
      break;
    }
    out.emplace_back(std::string_view(s).substr(start, at - start));
    start = at + sep.size();
  }
  while (!out.empty() && out.back().as_string().empty()) out.pop_back();
  return out;
}

void ruby_join(const Array& a, const std::string& sep, std::string& out) {
  for (size_t i = 0; i < a.size(); ++i) {
    if (i) out += sep;
    if (a[i].is_array())
      ruby_join(a[i].as_array(), sep, out);
    else
      a[i].append_string(out);
  }
}

}  // namespace logpipe
