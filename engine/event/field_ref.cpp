#include "engine/event/field_ref.h"

#include <stdexcept>

namespace logpipe {

namespace {

// Parses a run of [name] fragments, allowing a fragment to be itself a
// composite reference ([[a][b]][c] is [a][b][c]), as the Event API does.
bool parse_fragments(std::string_view s, std::vector<std::string>* out, std::string* error) {
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] != '[') {
      if (error) *error = "unexpected text outside brackets";
      return false;
    }
    if (i + 1 < s.size() && s[i + 1] == '[') {
      // Composite fragment: find its balanced end.
      int depth = 0;
      size_t j = i;
      for (; j < s.size(); ++j) {
        if (s[j] == '[') ++depth;
        if (s[j] == ']' && --depth == 0) break;
      }
      if (j >= s.size()) {
        if (error) *error = "unbalanced brackets";
        return false;
      }
      if (!parse_fragments(s.substr(i + 1, j - i - 1), out, error)) return false;
      i = j + 1;
      continue;
    }
    size_t close = s.find(']', i + 1);
    if (close == std::string_view::npos) {
      if (error) *error = "unbalanced brackets";
      return false;
    }
    std::string_view name = s.substr(i + 1, close - i - 1);
    if (name.empty()) {
      if (error) *error = "empty field name []";
      return false;
    }
    if (name.find('[') != std::string_view::npos) {
      if (error) *error = "unbalanced brackets";
      return false;
    }
    out->emplace_back(name);
    i = close + 1;
  }
  return true;
}

}  // namespace

std::optional<FieldRef> FieldRef::parse(std::string_view text, std::string* error) {
  FieldRef ref;
  ref.text_ = std::string(text);
  if (text.empty()) {
    if (error) *error = "invalid field reference '': empty";
    return std::nullopt;
  }
  if (text.find_first_of("[]") == std::string_view::npos) {
    ref.path_.emplace_back(text);
  } else if (!parse_fragments(text, &ref.path_, error)) {
    if (error) *error = "invalid field reference '" + std::string(text) + "': " + *error;
    return std::nullopt;
  }
  if (!ref.path_.empty() && ref.path_[0] == "@metadata") {
    ref.metadata_ = true;
    ref.path_.erase(ref.path_.begin());
  }
  return ref;
}

FieldRef FieldRef::must(std::string_view text) {
  std::string err;
  auto r = parse(text, &err);
  if (!r) throw std::invalid_argument(err);
  return *r;
}

}  // namespace logpipe
