#include "engine/config/env_subst.h"

#include <cstdlib>

namespace logpipe::config {

namespace {

bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.';
}
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

struct Placeholder {
  std::string_view name;
  std::optional<std::string_view> default_value;
  size_t end = 0;  // one past the closing "}"
};

// Matches a reference starting at text[start] == '$'.
std::optional<Placeholder> match_placeholder(std::string_view text, size_t start) {
  size_t i = start + 2;  // past "${"
  if (i >= text.size() || !is_name_start(text[i])) return std::nullopt;
  const size_t name_begin = i;
  while (i < text.size() && is_name_char(text[i])) ++i;
  Placeholder p;
  p.name = text.substr(name_begin, i - name_begin);
  if (i < text.size() && text[i] == ':') {
    const size_t close = text.find('}', i + 1);
    if (close == std::string_view::npos) return std::nullopt;
    p.default_value = text.substr(i + 1, close - i - 1);
    i = close;
  }
  if (i >= text.size() || text[i] != '}') return std::nullopt;
  p.end = i + 1;
  return p;
}

std::string_view strip_pair(std::string_view s, char quote) {
  if (!s.empty() && s.front() == quote && s.back() == quote)
    return s.size() >= 2 ? s.substr(1, s.size() - 2) : std::string_view();
  return s;
}

std::string_view strip_pairs(std::string_view s) { return strip_pair(strip_pair(s, '\''), '"'); }

// Ruby's String#strip: ASCII whitespace and NUL.
std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\n\v\f\r";
  const size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  size_t e = s.size();
  while (e > b && (kSpace.find(s[e - 1]) != std::string_view::npos || s[e - 1] == '\0')) --e;
  return s.substr(b, e - b);
}

}  // namespace

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

bool substitute_env(std::string_view text, const EnvLookup& env, std::string* out, EnvError* err,
                    bool* substituted) {
  out->clear();
  if (substituted) *substituted = false;
  size_t copied = 0;  // text before this offset is already in *out
  size_t search = 0;
  std::string name;
  for (;;) {
    const size_t start = text.find("${", search);
    if (start == std::string_view::npos) break;
    const auto p = match_placeholder(text, start);
    if (!p) {
      search = start + 1;  // not a reference: left as written
      continue;
    }
    name.assign(p->name);
    std::optional<std::string> value = env(name);
    if (!value && p->default_value) value = std::string(*p->default_value);
    if (!value) {
      if (err) {
        err->offset = start;
        err->message = "environment variable " + name + " is not set and has no default";
      }
      return false;
    }
    out->append(text.substr(copied, start - copied));
    out->append(*value);
    copied = search = p->end;
    if (substituted) *substituted = true;
  }
  out->append(text.substr(copied));
  return true;
}

std::string strip_enclosing_quotes(std::string_view s) { return std::string(strip_pairs(s)); }

bool env_result_as_list(std::string_view substituted_text, std::vector<std::string>* list) {
  const std::string_view s = strip_pairs(substituted_text);
  if (s.empty() || s.front() != '[' || s.back() != ']') return false;
  const std::string_view inner = s.substr(1, s.size() - 2);  // size >= 2: "[" != "]"
  list->clear();
  size_t begin = 0;
  while (!inner.empty() && begin <= inner.size()) {
    size_t comma = inner.find(',', begin);
    if (comma == std::string_view::npos) comma = inner.size();
    list->emplace_back(inner.substr(begin, comma - begin));
    begin = comma + 1;
  }
  // Ruby's split drops trailing empty pieces before the elements are trimmed.
  while (!list->empty() && list->back().empty()) list->pop_back();
  for (auto& item : *list) item = std::string(strip_pairs(trim(item)));
  return true;
}

}  // namespace logpipe::config
