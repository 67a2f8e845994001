// kv filter: pulls `key=value` pairs out of a field, as Logstash's kv filter.
//
// Matching follows the regular expression Logstash's kv builds, done as one
// forward scan (linear time: timeout_millis is accepted, never needed):
//   key        a run of characters up to a field or value separator
//              (a backslash escapes the next character)
//   separator  the value separator; with whitespace => lenient, spaces
//              around it are allowed
//   value      "double quoted", 'single quoted' and, with include_brackets,
//              (paren) [square] <angle>: up to the first unescaped closing
//              character, which must be followed by a field separator or
//              the end of a line; otherwise everything up to the next
//              field separator (may be empty)
// and the field separator after the value is consumed. Text that does not
// fit is skipped one character at a time, as a regex scan does.
// field_split / value_split are regex character classes (single bytes);
// field_split_pattern / value_split_pattern are RE2 regexes and win.
//
// Then per pair, in Logstash's order: empty values dropped (unless
// allow_empty_values); trim_key, remove_char_key, transform_key;
// include_keys / exclude_keys (may use %{field}); prefix (may use %{field});
// trim_value, remove_char_value, transform_value; with
// allow_duplicate_values => false a value the key already has is skipped
// (Logstash's `include?`: array element, or substring of a string);
// recursive parsing of the value; repeated keys collect into arrays.
// default_keys fill keys that were not found. Results go under target
// (replacing it), or to the root (keys written as [a][b] set nested fields).
//
// Bad input: an array source holding a non-string, or a root key that is
// not a valid field reference, tags the event with tag_on_failure and sets
// nothing more. A source of another type, or a missing one, only gets
// default_keys. One instance per filter worker: not thread-safe.
#pragma once

#include <bitset>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event/field_ref.h"
#include "engine/plugin.h"
#include "engine/event/sprintf.h"

namespace re2 {
class RE2;
}

namespace logpipe {

PluginInfo kv_filter_info();

class KvFilter : public Filter {
 public:
  explicit KvFilter(const PluginArgs& args);
  ~KvFilter() override;
  void filter(Event& e, FilterContext& ctx) override;

  // Parses text as the filter would; exposed for tests and benchmarks.
  void parse(std::string_view text, const Event& e, Object& out, int depth = 0) const;

  // A field or value separator: a set of single bytes, or a regex.
  class Separator {
   public:
    Separator() = default;
    Separator(Separator&&) noexcept;
    Separator& operator=(Separator&&) noexcept;
    ~Separator();
    static Separator from_class(const std::string& option, const std::string& chars);
    static Separator from_regex(const std::string& option, const std::string& pattern);
    // Does a separator start at i? Its length in *len.
    bool at(std::string_view text, size_t i, size_t* len) const;
    // First position >= from where one starts; text.size() when none.
    size_t find(std::string_view text, size_t from) const;
    bool is_class() const { return !regex_; }
    const std::bitset<256>& chars() const { return chars_; }

   private:
    std::bitset<256> chars_;
    std::unique_ptr<re2::RE2> regex_;
  };

 private:
  enum class Transform { None, Lowercase, Uppercase, Capitalize };
  struct CharSet {
    bool enabled = false;
    std::bitset<256> chars;
    bool has(char c) const { return chars[static_cast<unsigned char>(c)]; }
  };

  void clean(std::string& s, const CharSet& trim, const CharSet& remove, Transform t) const;
  size_t run_end(std::string_view text, size_t i, bool is_key) const;
  static bool already_has(const Value& existing, const std::string& value);
  void store(Object& out, std::string key, Value value) const;
  bool write_to_event(Event& e, Object& kv) const;
  void fail(Event& e) const;

  FieldRef source_;
  std::optional<FieldRef> target_;
  Separator field_split_;
  Separator value_split_;
  bool key_stops_are_classes_ = false;
  std::bitset<256> key_stops_;  // field or value separator bytes, when both are classes
  bool strict_ = false;
  bool include_brackets_ = true;
  bool allow_empty_values_ = false;
  bool allow_duplicate_values_ = true;
  bool recursive_ = false;
  CharSet trim_key_, trim_value_, remove_char_key_, remove_char_value_;
  Transform transform_key_ = Transform::None;
  Transform transform_value_ = Transform::None;
  std::vector<std::string> include_keys_;
  std::vector<std::string> exclude_keys_;
  bool keys_dynamic_ = false;  // include/exclude keys use %{field}
  std::vector<SprintfTemplate> include_templates_;
  std::vector<SprintfTemplate> exclude_templates_;
  SprintfTemplate prefix_;
  Object default_keys_;
  std::vector<std::string> tag_on_failure_;
};

}  // namespace logpipe
