// FieldRef: a parsed Logstash field reference such as `message`, `[a][b]` or
// `[@metadata][kafka][offset]`.
//
// Parse once when the config is compiled, then resolve per event with no
// parsing and no allocation on lookup. Rules (LOGSTASH_CONFIG_FACTS.md §6): text
// with no bracket is one top-level name taken verbatim (dots, spaces, @ are
// kept); otherwise it must be a sequence of non-empty [name] fragments and
// nothing else. A leading [@metadata] fragment addresses the event's metadata.
// Numeric fragments index arrays (negative from the end).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace logpipe {

class FieldRef {
 public:
  FieldRef() = default;

  // Returns nullopt and fills *error (when given) for an invalid reference.
  static std::optional<FieldRef> parse(std::string_view text, std::string* error = nullptr);
  // For references known to be valid (throws std::invalid_argument otherwise).
  static FieldRef must(std::string_view text);

  bool metadata() const { return metadata_; }
  // Path below the root (below @metadata when metadata() is true). Empty path with
  // metadata() means the whole metadata object.
  const std::vector<std::string>& path() const { return path_; }
  const std::string& text() const { return text_; }
  // Top-level name when the path has one element and is not metadata; else "".
  bool is_top_level() const { return !metadata_ && path_.size() == 1; }

  bool operator==(const FieldRef& o) const {
    return metadata_ == o.metadata_ && path_ == o.path_;
  }

 private:
  std::vector<std::string> path_;
  std::string text_;
  bool metadata_ = false;
};

}  // namespace logpipe
