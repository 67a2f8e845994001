// translate filter: replaces a field's value by the one a dictionary gives
// for it, as Logstash's translate filter (v3, Logstash 8).
//
// The dictionary is inline (`dictionary`) or a file (`dictionary_path`:
// .yml/.yaml, .json or .csv, refreshed every `refresh_interval` seconds; see
// filters/translate_dictionary.h for how workers share and reload it). The
// text of `source` (a string; an array's first element; anything else in its
// string form) is looked up:
//   exact => true, regex => false   the key equal to the text;
//   exact => true, regex => true    the first key, as a Ruby regex, found in it;
//   exact => false                  every key found inside the text is replaced
//                                   by its value (a match when anything changed).
// The value found (any kind: a file may give objects or numbers) is written to
// `target`: "translation" with ecs_compatibility => disabled, the source field
// itself (in place) with v1/v8. Without a match `fallback` (sprintf) is
// written, if set. An existing target is left alone unless override => true
// (the default when translating in place).
//
// iterate_on => the source field: each element of that array is looked up
// and target gets an array of the results (null, or fallback, for misses).
// iterate_on => another field holding an array of objects: source and target
// are read and written inside each object.
//
// Config errors (OptionError): dictionary with dictionary_path, source with
// field, target with destination, no source, override => false in place, a
// file that does not load at start, a key that is not a usable regex.
// One instance per filter worker: not thread-safe.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/event/field_ref.h"
#include "engine/event/sprintf.h"
#include "engine/plugin.h"
#include "filters/translate_dictionary.h"

namespace logpipe {

PluginInfo translate_filter_info();

class TranslateFilter : public Filter {
 public:
  explicit TranslateFilter(const PluginArgs& args);
  void process(const std::vector<Event*>& events, FilterContext& ctx) override;
  void filter(Event& e, FilterContext& ctx) override;
  void collect_metrics(PluginMetrics& out) const override;

 private:
  enum class Iterate { None, Values, Objects };
  // The text a value is looked up by (Logstash's coercion of the source).
  std::string_view text_of(const Value& v);
  bool translate_one(Event& e);
  bool translate_values(Event& e);
  bool translate_objects(Event& e);
  void pick_up_new_dictionary();
  // One lookup, counted as a match or a miss.
  bool lookup(std::string_view text, Value* out);
  // Counters with one writer (this worker): a relaxed store, no locked add.
  static void bump(std::atomic<uint64_t>& counter) {
    counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }

  FieldRef source_, target_;
  std::optional<FieldRef> iterate_on_;
  Iterate iterate_ = Iterate::None;
  bool in_place_ = false;
  bool override_ = false;
  std::optional<SprintfTemplate> fallback_;
  MatchMode mode_ = MatchMode::Exact;
  DictionaryMatcher matcher_;
  std::shared_ptr<DictionaryFile> file_;  // with dictionary_path
  uint64_t file_version_ = 0;
  std::string text_;  // scratch for a non-string source
  std::atomic<uint64_t> matches_{0}, misses_{0}, fallbacks_{0};
};

}  // namespace logpipe
