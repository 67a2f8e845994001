#include "filters/prune_filter.h"

#include <re2/re2.h>

#include <algorithm>

#include "engine/config/typed_options.h"
#include "engine/text/ruby_regex.h"

namespace logpipe {

namespace {

constexpr size_t kCacheLimit = 64;

struct PruneOptions {
  bool interpolate = false;
  std::vector<std::string> whitelist_names, blacklist_names;
  Object whitelist_values, blacklist_values;
};

const OptionSchema<PruneOptions>& prune_schema() {
  static const OptionSchema<PruneOptions> schema = [] {
    OptionSchema<PruneOptions> s;
    s.boolean("interpolate", &PruneOptions::interpolate,
              "Format names, keys and regexes with %{field} from each event first (slower).")
        .fallback(false);
    s.strings("whitelist_names", &PruneOptions::whitelist_names,
              "Regexes: top-level fields whose name matches none of them are removed.");
    s.strings("blacklist_names", &PruneOptions::blacklist_names,
              "Regexes: top-level fields whose name matches one of them are removed.")
        .fallback(Value(Array{Value("%\\{[^}]+\\}")}));
    s.hash("whitelist_values", &PruneOptions::whitelist_values,
           "Field => regex: values (or array elements) that do not match are removed.");
    s.hash("blacklist_values", &PruneOptions::blacklist_values,
           "Field => regex: values (or array elements) that match are removed.");
    return s;
  }();
  return schema;
}

std::shared_ptr<re2::RE2> compile(const std::string& option, const std::string& text, bool config_time) {
  std::string error;
  std::unique_ptr<re2::RE2> re = compile_ruby_regex(text, &error);
  if (!re && config_time) throw OptionError(option, "regex '" + text + "': " + error);
  return std::shared_ptr<re2::RE2>(std::move(re));
}

// The text `=~` sees: strings as they are, numbers and booleans as written;
// false for values Logstash cannot match (objects, null).
bool match_text(const Value& v, std::string* out) {
  if (v.is_string()) {
    *out = v.as_string();
    return true;
  }
  if (v.is_number() || v.is_bool() || v.is_timestamp()) {
    *out = v.to_string();
    return true;
  }
  return false;
}

}  // namespace

PruneFilter::PruneFilter(const PluginArgs& args) : Filter(args) {
  PruneOptions o = prune_schema().bind(args.settings);
  interpolate_ = o.interpolate;
  auto pattern = [&](const std::string& option, const std::string& text) {
    Pattern p{SprintfTemplate(text), nullptr};
    if (!interpolate_) p.compiled = compile(option, text, true);
    return p;
  };
  // Each name regex is checked alone (for its error), then, as Logstash's
  // Regexp.union, all of a list run as one: one scan per field name.
  auto names = [&](const std::string& option, const std::vector<std::string>& texts, std::vector<Pattern>& out) {
    std::string joined;
    for (auto& t : texts) {
      out.push_back(pattern(option, t));
      joined += (joined.empty() ? "(?:" : "|(?:") + t + ")";
    }
    if (!interpolate_ && out.size() > 1) out = {Pattern{SprintfTemplate(joined), compile(option, joined, true)}};
  };
  names("whitelist_names", o.whitelist_names, whitelist_names_);
  names("blacklist_names", o.blacklist_names, blacklist_names_);
  auto rules = [&](const std::string& option, const Object& hash, std::vector<ValueRule>& out) {
    for (auto& [key, value] : hash) {
      if (!value.is_string()) throw OptionError(option, "the regex for '" + key + "' must be a string");
      out.push_back(ValueRule{SprintfTemplate(key), pattern(option, value.as_string())});
    }
  };
  rules("whitelist_values", o.whitelist_values, whitelist_values_);
  rules("blacklist_values", o.blacklist_values, blacklist_values_);
}

PruneFilter::~PruneFilter() = default;

const re2::RE2* PruneFilter::resolve(const Pattern& p, const Event& e) {
  if (p.compiled) return p.compiled.get();
  std::string text = p.text.format(e);
  auto it = cache_.find(text);
  if (it != cache_.end()) return it->second.get();
  if (cache_.size() >= kCacheLimit) cache_.clear();
  auto re = compile("", text, false);
  return cache_.emplace(std::move(text), std::move(re)).first->second.get();
}

bool PruneFilter::any_matches(const std::vector<Pattern>& patterns, const Event& e,
                              const std::string& name) {
  for (const Pattern& p : patterns) {
    const re2::RE2* re = resolve(p, e);
    if (re && re2::RE2::PartialMatch(name, *re)) return true;
  }
  return false;
}

void PruneFilter::prune_values(Event& e, const std::vector<ValueRule>& rules, bool keep_matching,
                               std::vector<std::string>& remove) {
  std::string text;
  for (const ValueRule& rule : rules) {
    std::string key = interpolate_ ? rule.key.format(e) : rule.key.text();
    Value* v = e.fields().find(key);
    if (!v || v->is_null() || (v->is_bool() && !v->as_bool())) continue;  // Ruby's falsy
    const re2::RE2* re = resolve(rule.pattern, e);
    auto goes = [&](const Value& x) {
      bool matches = re && match_text(x, &text) && re2::RE2::PartialMatch(text, *re);
      return matches != keep_matching;
    };
    if (!v->is_array()) {
      if (goes(*v)) remove.push_back(key);
      continue;
    }
    Array& items = v->as_array();
    Array kept;
    for (const Value& x : items)
      if (!goes(x)) kept.push_back(x);
    if (kept.size() == items.size()) continue;
    if (kept.empty()) {
      remove.push_back(key);
    } else {
      // Ruby's Array#-: every element equal to a removed one goes.
      Array removed;
      for (const Value& x : items)
        if (goes(x)) removed.push_back(x);
      Array rest;
      for (const Value& x : items)
        if (std::find(removed.begin(), removed.end(), x) == removed.end()) rest.push_back(x);
      items = std::move(rest);
    }
  }
}

void PruneFilter::filter(Event& e, FilterContext& ctx) {
  (void)ctx;
  std::vector<std::string> remove;
  if (!whitelist_names_.empty())
    for (auto& [name, value] : e.fields())
      if (!any_matches(whitelist_names_, e, name)) remove.push_back(name);
  if (!blacklist_names_.empty())
    for (auto& [name, value] : e.fields())
      if (any_matches(blacklist_names_, e, name)) remove.push_back(name);
  prune_values(e, whitelist_values_, true, remove);
  prune_values(e, blacklist_values_, false, remove);
  for (const std::string& name : remove) e.fields().erase(name);
  filter_matched(e);
}

PluginInfo prune_filter_info() {
  PluginInfo info;
  info.name = "prune";
  info.kind = PluginKind::Filter;
  info.description = "Removes top-level fields by name or value (white and black lists of regexes).";
  info.options = prune_schema().specs();
  info.make_filter = [](const PluginArgs& args) -> std::unique_ptr<Filter> {
    return std::make_unique<PruneFilter>(args);
  };
  return info;
}

}  // namespace logpipe
