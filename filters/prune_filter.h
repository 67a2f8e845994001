// prune filter: removes top-level fields by name or value, as Logstash's
// prune filter. Nested fields are never looked at; @timestamp and @version
// are ordinary top-level fields here as in Logstash (a whitelist that does
// not name them removes them); [@metadata] is never touched.
//
// In Logstash's order, over the fields the event had on entry:
//   whitelist_names   remove every field whose name matches none of them
//   blacklist_names   remove every field whose name matches one of them
//                     (default `%\{[^}]+\}`: names left with an unresolved
//                     %{...} reference)
//   whitelist_values  field => regex: a string that does not match is
//                     removed; in an array, the elements that do not match
//                     (the field itself when none is left)
//   blacklist_values  the same for values that match
// Matching is Ruby's `=~`: the regex may match anywhere (use ^ and $), in
// Ruby's dialect translated to RE2 (engine/text/ruby_regex.h); a regex RE2
// cannot run is a config error. Numbers and booleans are matched by their
// string form and objects never (Logstash raises on both). With interpolate
// every name, key and regex is first formatted with %{field} from the event
// and compiled per event (a cache per worker keeps the last 64), and a
// formatted regex that does not compile matches nothing.
// One instance per filter worker: not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/event/sprintf.h"
#include "engine/plugin.h"

namespace re2 {
class RE2;
}

namespace logpipe {

PluginInfo prune_filter_info();

class PruneFilter : public Filter {
 public:
  explicit PruneFilter(const PluginArgs& args);
  ~PruneFilter() override;
  void filter(Event& e, FilterContext& ctx) override;

 private:
  // A regex as configured: compiled once, or (interpolate) a template.
  struct Pattern {
    SprintfTemplate text;
    std::shared_ptr<re2::RE2> compiled;
  };
  struct ValueRule {
    SprintfTemplate key;
    Pattern pattern;
  };
  const re2::RE2* resolve(const Pattern& p, const Event& e);
  bool any_matches(const std::vector<Pattern>& patterns, const Event& e, const std::string& name);
  void prune_values(Event& e, const std::vector<ValueRule>& rules, bool keep_matching,
                    std::vector<std::string>& remove);

  bool interpolate_ = false;
  std::vector<Pattern> whitelist_names_, blacklist_names_;
  std::vector<ValueRule> whitelist_values_, blacklist_values_;
  std::unordered_map<std::string, std::shared_ptr<re2::RE2>> cache_;  // interpolate only
};

}  // namespace logpipe
