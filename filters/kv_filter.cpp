#include "filters/kv_filter.h"

#include <re2/re2.h>

#include <algorithm>
#include <cstdint>

#include "engine/config/typed_options.h"
#include "engine/system/log.h"
#include "engine/text/ruby_regex.h"
#include "engine/config/field_option.h"

namespace logpipe {

namespace {

// The bytes a regex character class body (as Logstash puts the option's
// text between [ and ]) matches; escapes and ranges mean what they mean in
// a Ruby regex. kv splits bytes, so of a Unicode class ([[:space:]]) only
// the ASCII members count: a byte >= 0x80 is a separator only when the body
// spells it, or a class would cut UTF-8 characters apart. Throws OptionError
// when the class does not compile.
std::bitset<256> class_bytes(const std::string& option, const std::string& body) {
  std::string why;
  auto re = compile_ruby_regex("[" + body + "]", &why, /*latin1=*/true);
  if (!re) throw OptionError(option, "'" + body + "' is not a valid character class: " + why);
  std::bitset<256> bytes;
  for (int b = 0; b < 256; ++b) {
    char c = static_cast<char>(b);
    if (b >= 0x80 && body.find(c) == std::string::npos) continue;
    if (RE2::FullMatch(re2::StringPiece(&c, 1), *re)) bytes.set(b);
  }
  return bytes;
}

void apply_transform(std::string& s, int mode) {  // 1 lower, 2 upper, 3 capitalize
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool upper = mode == 2 || (mode == 3 && i == 0);
    if (upper && c >= 'a' && c <= 'z') s[i] = static_cast<char>(c - 'a' + 'A');
    if (!upper && c >= 'A' && c <= 'Z') s[i] = static_cast<char>(c - 'A' + 'a');
  }
}

bool contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// Linear search of the first `limit` entries; the size and first byte weed
// out most names before a full compare.
Value* find_in(std::vector<Object::Entry>& entries, std::string_view name, size_t limit) {
  limit = std::min(limit, entries.size());
  for (size_t i = 0; i < limit; ++i) {
    const std::string& key = entries[i].first;
    if (key.size() == name.size() && (name.empty() || key[0] == name[0]) && key == name)
      return &entries[i].second;
  }
  return nullptr;
}

}  // namespace

// ---------------------------------------------------------------- Separator

KvFilter::Separator::Separator(Separator&&) noexcept = default;
KvFilter::Separator& KvFilter::Separator::operator=(Separator&&) noexcept = default;
KvFilter::Separator::~Separator() = default;

KvFilter::Separator KvFilter::Separator::from_class(const std::string& option, const std::string& chars) {
  if (chars.empty()) throw OptionError(option, "must not be empty");
  Separator s;
  s.chars_ = class_bytes(option, chars);
  return s;
}

KvFilter::Separator KvFilter::Separator::from_regex(const std::string& option, const std::string& pattern) {
  Separator s;
  std::string why;
  s.regex_ = compile_ruby_regex(pattern, &why);
  if (!s.regex_) throw OptionError(option, "invalid regex '" + pattern + "': " + why);
  if (RE2::FullMatch("", *s.regex_))
    throw OptionError(option, "the regex '" + pattern + "' matches the empty string");
  return s;
}

bool KvFilter::Separator::at(std::string_view text, size_t i, size_t* len) const {
  if (i >= text.size()) return false;
  if (!regex_) {
    *len = 1;
    return chars_[static_cast<unsigned char>(text[i])];
  }
  re2::StringPiece m;
  if (!regex_->Match(re2::StringPiece(text.data(), text.size()), i, text.size(), RE2::ANCHOR_START, &m, 1) ||
      m.empty())
    return false;
  *len = m.size();
  return true;
}

size_t KvFilter::Separator::find(std::string_view text, size_t from) const {
  if (!regex_) {
    for (size_t i = from; i < text.size(); ++i)
      if (chars_[static_cast<unsigned char>(text[i])]) return i;
    return text.size();
  }
  re2::StringPiece whole(text.data(), text.size());
  re2::StringPiece m;
  while (from < text.size() && regex_->Match(whole, from, text.size(), RE2::UNANCHORED, &m, 1)) {
    size_t at = static_cast<size_t>(m.data() - text.data());
    if (!m.empty()) return at;
    from = at + 1;  // an empty match (\b, $) is no separator
  }
  return text.size();
}

// ---------------------------------------------------------------- filter

namespace {

struct KvOptions {
  std::string source;
  std::optional<std::string> target;
  std::string field_split;
  std::string value_split;
  std::optional<std::string> field_split_pattern;
  std::optional<std::string> value_split_pattern;
  std::vector<std::string> include_keys;
  std::vector<std::string> exclude_keys;
  std::string prefix;
  std::optional<std::string> trim_key;
  std::optional<std::string> trim_value;
  std::optional<std::string> remove_char_key;
  std::optional<std::string> remove_char_value;
  std::optional<std::string> transform_key;
  std::optional<std::string> transform_value;
  bool allow_duplicate_values = false;
  bool allow_empty_values = false;
  Object default_keys;
  bool recursive = false;
  bool include_brackets = false;
  std::string whitespace;
  std::vector<std::string> tag_on_failure;
};

const OptionSchema<KvOptions>& kv_schema() {
  static const OptionSchema<KvOptions> schema = [] {
    const std::vector<std::string> transforms = {"lowercase", "uppercase", "capitalize"};
    OptionSchema<KvOptions> s;
    s.string("source", &KvOptions::source, "Field to parse.").fallback("message");
    s.string("target", &KvOptions::target, "Field to put the pairs under; the root when unset.");
    s.string("field_split", &KvOptions::field_split,
             "Characters (a regex character class) separating pairs.")
        .fallback(" ");
    s.string("value_split", &KvOptions::value_split,
             "Characters (a regex character class) separating a key from its value.")
        .fallback("=");
    s.string("field_split_pattern", &KvOptions::field_split_pattern,
             "Regex separating pairs; takes precedence over field_split.");
    s.string("value_split_pattern", &KvOptions::value_split_pattern,
             "Regex separating key and value; takes precedence over value_split.");
    s.strings("include_keys", &KvOptions::include_keys,
              "Only these keys are kept (all when empty).")
        .fallback(Value(Array()));
    s.strings("exclude_keys", &KvOptions::exclude_keys, "Keys that are dropped.")
        .fallback(Value(Array()));
    s.string("prefix", &KvOptions::prefix, "Prepended to every key (may use %{field}).")
        .fallback("");
    s.string("trim_key", &KvOptions::trim_key,
             "Characters (a character class) trimmed from both ends of keys.");
    s.string("trim_value", &KvOptions::trim_value,
             "Characters (a character class) trimmed from both ends of values.");
    s.string("remove_char_key", &KvOptions::remove_char_key,
             "Characters (a character class) removed from keys.");
    s.string("remove_char_value", &KvOptions::remove_char_value,
             "Characters (a character class) removed from values.");
    s.string("transform_key", &KvOptions::transform_key, "Case change of keys.").one_of(transforms);
    s.string("transform_value", &KvOptions::transform_value, "Case change of values.")
        .one_of(transforms);
    s.boolean("allow_duplicate_values", &KvOptions::allow_duplicate_values,
              "Keep a repeated key's repeated value; false keeps each value once.")
        .fallback(true);
    s.boolean("allow_empty_values", &KvOptions::allow_empty_values,
              "Keep pairs whose value is empty.")
        .fallback(false);
    s.hash("default_keys", &KvOptions::default_keys, "Keys and values set when not found.")
        .fallback(Value(Object()));
    s.boolean("recursive", &KvOptions::recursive, "Parse values for nested key=value pairs.")
        .fallback(false);
    s.boolean("include_brackets", &KvOptions::include_brackets,
              "Values in (), [] or <> are taken whole, without the brackets.")
        .fallback(true);
    s.string("whitespace", &KvOptions::whitespace,
             "lenient allows whitespace around the value separator; strict does not.")
        .fallback("lenient")
        .one_of({"lenient", "strict"});
    s.strings("tag_on_failure", &KvOptions::tag_on_failure,
              "Tags added when the source cannot be processed.")
        .fallback(Value(Array{Value("_kv_filter_error")}));
    s.accepted("tag_on_timeout", OptionType::String,
               "Accepted for compatibility: parsing is linear-time and never times out.")
        .fallback("_kv_filter_timeout");
    s.accepted("timeout_millis", OptionType::Number,
               "Accepted for compatibility: parsing is linear-time and never times out.")
        .fallback(30000);
    s.accepted("ecs_compatibility", OptionType::String,
               "Accepted for compatibility; changes nothing here.")
        .one_of({"disabled", "v1", "v8"});
    return s;
  }();
  return schema;
}

}  // namespace

KvFilter::KvFilter(const PluginArgs& args) : Filter(args) {
  KvOptions o = kv_schema().bind(args.settings);
  source_ = field_option("source", o.source);
  if (o.target) target_ = field_option("target", *o.target);
  field_split_ = o.field_split_pattern
                     ? Separator::from_regex("field_split_pattern", *o.field_split_pattern)
                     : Separator::from_class("field_split", o.field_split);
  value_split_ = o.value_split_pattern
                     ? Separator::from_regex("value_split_pattern", *o.value_split_pattern)
                     : Separator::from_class("value_split", o.value_split);
  key_stops_are_classes_ = field_split_.is_class() && value_split_.is_class();
  key_stops_ = field_split_.chars() | value_split_.chars();
  strict_ = o.whitespace == "strict";
  include_brackets_ = o.include_brackets;
  allow_empty_values_ = o.allow_empty_values;
  allow_duplicate_values_ = o.allow_duplicate_values;
  recursive_ = o.recursive;
  auto char_set = [&](const char* name, const std::optional<std::string>& chars, CharSet& set) {
    if (!chars || chars->empty()) return;
    set.enabled = true;
    set.chars = class_bytes(name, *chars);
  };
  char_set("trim_key", o.trim_key, trim_key_);
  char_set("trim_value", o.trim_value, trim_value_);
  char_set("remove_char_key", o.remove_char_key, remove_char_key_);
  char_set("remove_char_value", o.remove_char_value, remove_char_value_);
  // An enumeration without default: enumeration() binds only options that have one.
  auto transform = [&](const char* name, const std::optional<std::string>& t) {
    if (!t || t->empty()) return Transform::None;
    if (*t == "lowercase") return Transform::Lowercase;
    if (*t == "uppercase") return Transform::Uppercase;
    if (*t == "capitalize") return Transform::Capitalize;
    throw OptionError(name, "must be lowercase, uppercase or capitalize");
  };
  transform_key_ = transform("transform_key", o.transform_key);
  transform_value_ = transform("transform_value", o.transform_value);
  include_keys_ = std::move(o.include_keys);
  exclude_keys_ = std::move(o.exclude_keys);
  for (const auto& k : include_keys_) include_templates_.emplace_back(k);
  for (const auto& k : exclude_keys_) exclude_templates_.emplace_back(k);
  for (const auto& t : include_templates_) keys_dynamic_ = keys_dynamic_ || !t.constant();
  for (const auto& t : exclude_templates_) keys_dynamic_ = keys_dynamic_ || !t.constant();
  prefix_ = SprintfTemplate(o.prefix);
  default_keys_ = std::move(o.default_keys);
  tag_on_failure_ = std::move(o.tag_on_failure);
}

KvFilter::~KvFilter() = default;

void KvFilter::clean(std::string& s, const CharSet& trim, const CharSet& remove, Transform t) const {
  if (trim.enabled) {
    size_t b = 0, e = s.size();
    while (b < e && trim.has(s[b])) ++b;
    while (e > b && trim.has(s[e - 1])) --e;
    if (b > 0 || e < s.size()) s = s.substr(b, e - b);
  }
  if (remove.enabled) s.erase(std::remove_if(s.begin(), s.end(), [&](char c) { return remove.has(c); }), s.end());
  if (t != Transform::None) apply_transform(s, static_cast<int>(t));
}

// Logstash skips a repeated value with `kv_keys[key].include?(value)`: an
// element of an array, a substring of a string, a key of a hash.
bool KvFilter::already_has(const Value& existing, const std::string& value) {
  if (existing.is_array()) {
    for (const auto& v : existing.as_array())
      if (v.is_string() && v.as_string() == value) return true;
    return false;
  }
  if (existing.is_string()) return existing.as_string().find(value) != std::string::npos;
  if (existing.is_object()) return existing.as_object().find(value) != nullptr;
  return false;
}

void KvFilter::store(Object& out, std::string key, Value value) const {
  // Object's own lookup: indexed once a line has many pairs (20,000 pairs
  // scanned linearly cost seconds a line).
  Value* existing = out.find(key);
  if (!existing) {
    if (out.size() == 0) out.reserve(16);
    out.append(std::move(key), std::move(value));
    return;
  }
  if (!existing->is_array()) {
    Array pair;
    pair.push_back(std::move(*existing));
    *existing = Value(std::move(pair));
  }
  existing->as_array().push_back(std::move(value));
}

// End of an unquoted key or value starting at i: a run of backslash-escaped
// pairs and characters that do not start a stop (for keys: a field or value
// separator; for values: a field separator). Regex separators also stop at
// a newline, as their `.` does.
size_t KvFilter::run_end(std::string_view text, size_t i, bool is_key) const {
  const size_t n = text.size();
  const bool class_mode = is_key ? key_stops_are_classes_ : field_split_.is_class();
  if (class_mode) {
    const std::bitset<256>& stops = is_key ? key_stops_ : field_split_.chars();
    while (i < n) {
      unsigned char c = static_cast<unsigned char>(text[i]);
      if (c == '\\' && i + 1 < n && text[i + 1] != '\n') {
        i += 2;
        continue;
      }
      if (stops[c]) break;
      ++i;
    }
    return std::min(i, n);
  }
  auto next_stop = [&](size_t from) {
    size_t stop = field_split_.find(text, from);
    if (is_key) stop = std::min(stop, value_split_.find(text, from));
    return stop;
  };
  size_t stop = next_stop(i);
  while (i < n) {
    if (i > stop) stop = next_stop(i);
    const size_t limit = std::min(stop + 1, n);
    size_t j = i;
    while (j < limit && text[j] != '\\' && text[j] != '\n') ++j;
    if (j >= limit) return stop;
    if (text[j] == '\n') return j;
    if (j + 1 < n && text[j + 1] != '\n') {  // an escaped pair, even over a separator
      i = j + 2;
      continue;
    }
    if (j == stop) return stop;
    i = j + 1;
  }
  return n;
}

void KvFilter::parse(std::string_view text, const Event& e, Object& out, int depth) const {
  const size_t n = text.size();
  if (value_split_.find(text, 0) == n) return;  // no value separator at all

  // include_keys / exclude_keys may use %{field}.
  std::vector<std::string> dynamic_include, dynamic_exclude;
  const std::vector<std::string>* include = &include_keys_;
  const std::vector<std::string>* exclude = &exclude_keys_;
  if (keys_dynamic_) {
    for (const auto& t : include_templates_) dynamic_include.push_back(t.format(e));
    for (const auto& t : exclude_templates_) dynamic_exclude.push_back(t.format(e));
    include = &dynamic_include;
    exclude = &dynamic_exclude;
  }

  // A quoted value ends at the first unescaped closing character, which
  // must be followed by a field separator or the end of a line. Scans only
  // move forward and always start just after an opening character, so the
  // last answer per closing character can be reused: the parse stays linear.
  static constexpr char kOpen[] = {'"', '\'', '(', '[', '<'};
  static constexpr char kClose[] = {'"', '\'', ')', ']', '>'};
  const size_t alternatives = include_brackets_ ? 5 : 2;
  size_t close_from[5] = {0, 0, 0, 0, 0};
  size_t close_at[5] = {0, 0, 0, 0, 0};
  bool close_known[5] = {false, false, false, false, false};
  auto find_close = [&](size_t alt, size_t from) {
    if (close_known[alt] && from >= close_from[alt] && from <= close_at[alt]) return close_at[alt];
    size_t c = from;
    while (c < n) {
      if (text[c] == '\\' && c + 1 < n && text[c + 1] != '\n') {
        c += 2;
        continue;
      }
      if (text[c] == kClose[alt]) break;
      ++c;
    }
    c = std::min(c, n);
    close_known[alt] = true;
    close_from[alt] = from;
    close_at[alt] = c;
    return c;
  };
  auto ends_value = [&](size_t i) {  // (field separator | $) at i
    size_t len;
    return i >= n || text[i] == '\n' || field_split_.at(text, i, &len);
  };

  std::string prefix;
  bool prefix_done = false;
  size_t p = 0;
  while (p < n) {
    size_t len;
    // A key cannot start on a separator; like a regex scan, move on by one.
    if (field_split_.at(text, p, &len) || value_split_.at(text, p, &len) ||
        (!key_stops_are_classes_ && text[p] == '\n')) {
      ++p;
      continue;
    }
    const size_t key_begin = p;
    size_t key_end = run_end(text, p, true);
    size_t q = key_end;
    if (!strict_)
      while (q < n && text[q] == ' ') ++q;
    size_t split_len;
    if (key_end == p || !value_split_.at(text, q, &split_len)) {
      p = std::max(key_end, p + 1);
      continue;
    }
    size_t v = q + split_len;
    if (!strict_)
      while (v < n && text[v] == ' ') ++v;

    size_t value_begin = v, value_end = v;
    bool quoted = false;
    if (v < n) {
      for (size_t alt = 0; alt < alternatives; ++alt) {
        if (text[v] != kOpen[alt]) continue;
        size_t c = find_close(alt, v + 1);
        if (c < n && ends_value(c + 1)) {
          value_begin = v + 1;
          value_end = c;
          p = c + 1;
          quoted = true;
        }
        break;
      }
    }
    if (!quoted) {
      value_end = run_end(text, v, false);  // may be empty: the value is optional
      p = value_end;
    }
    if (field_split_.at(text, p, &len)) p += len;  // the separator belongs to this pair

    std::string_view value_text = text.substr(value_begin, value_end - value_begin);
    if (value_text.empty() && !allow_empty_values_) continue;
    std::string key(text.substr(key_begin, key_end - key_begin));
    clean(key, trim_key_, remove_char_key_, transform_key_);
    if (!include->empty() && !contains(*include, key)) continue;
    if (contains(*exclude, key)) continue;
    if (!prefix_.text().empty()) {
      if (!prefix_done) {
        prefix = prefix_.constant() ? prefix_.text() : prefix_.format(e);
        prefix_done = true;
      }
      key.insert(0, prefix);
    }
    std::string value(value_text);
    clean(value, trim_value_, remove_char_value_, transform_value_);
    if (!allow_duplicate_values_) {
      const Value* existing = out.find(key);
      if (existing && already_has(*existing, value)) continue;
    }
    if (recursive_ && depth < 64) {
      Object inner;
      parse(value, e, inner, depth + 1);
      if (!inner.empty()) {
        store(out, std::move(key), Value(std::move(inner)));
        continue;
      }
    }
    store(out, std::move(key), Value(std::move(value)));
  }
}

void KvFilter::fail(Event& e) const {
  for (const auto& tag : tag_on_failure_) e.add_tag(tag);
}

// Sets each pair at the root like Logstash's event.set(key, value): a key
// with brackets is a field reference; an invalid one aborts with a tag.
bool KvFilter::write_to_event(Event& e, Object& kv) const {
  if (target_) {
    e.set(*target_, Value(std::move(kv)));
    return true;
  }
  Object& fields = e.fields();
  fields.reserve(fields.size() + kv.size());
  // kv's keys are distinct, so a key can only clash with a field that was
  // there before: search just those.
  const size_t existing = fields.size();
  for (auto& [key, value] : kv) {
    if (key.empty()) return false;  // not a field reference
    if (key.find('[') == std::string::npos && key != "@metadata") {
      if (Value* old = find_in(fields.entries(), key, existing))
        *old = std::move(value);
      else
        fields.entries().emplace_back(std::move(key), std::move(value));
      continue;
    }
    auto ref = FieldRef::parse(key);
    if (!ref || !e.set(*ref, std::move(value))) {
      log_debug("kv {}: key '{}' is not a valid field reference", id(), key);
      return false;
    }
  }
  return true;
}

void KvFilter::filter(Event& e, FilterContext& ctx) {
  (void)ctx;
  Object kv;
  if (const Value* src = e.get(source_)) {
    if (src->is_string()) {
      parse(src->as_string(), e, kv);
    } else if (src->is_array()) {
      for (const auto& item : src->as_array()) {
        if (!item.is_string()) {  // Logstash raises here: nothing is set
          log_debug("kv {}: array in {} holds a non-string", id(), source_.text());
          fail(e);
          return;
        }
        parse(item.as_string(), e, kv);
      }
    } else if (!src->is_null()) {
      log_debug("kv {}: field {} is neither a string nor an array", id(), source_.text());
    }
  }
  if (!default_keys_.empty()) {
    Object merged = default_keys_;
    for (auto& [key, value] : kv) merged.set(key, std::move(value));
    kv = std::move(merged);
  }
  if (kv.empty()) return;
  if (!write_to_event(e, kv)) {
    fail(e);
    return;
  }
  filter_matched(e);
}

PluginInfo kv_filter_info() {
  PluginInfo info;
  info.name = "kv";
  info.kind = PluginKind::Filter;
  info.description = "Extracts key=value pairs from a field.";
  info.options = kv_schema().specs();
  info.make_filter = [](const PluginArgs& args) -> std::unique_ptr<Filter> {
    return std::make_unique<KvFilter>(args);
  };
  return info;
}

}  // namespace logpipe
