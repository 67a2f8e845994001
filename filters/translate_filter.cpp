#include "filters/translate_filter.h"

#include "engine/config/typed_options.h"
#include "engine/system/log.h"
#include "engine/config/field_option.h"

namespace logpipe {

namespace {

struct TranslateOptions {
  std::optional<std::string> source, field, target, destination, dictionary_path, fallback,
      iterate_on;
  std::optional<bool> override_target;
  Object dictionary;
  std::optional<double> yaml_dictionary_code_point_limit;
  std::string yaml_load_strategy;
  double refresh_interval = 300;
  std::string refresh_behaviour;
  bool exact = true;
  bool regex = false;
  std::string ecs_compatibility;
};

const OptionSchema<TranslateOptions>& translate_schema() {
  using O = TranslateOptions;
  static const OptionSchema<O> schema = [] {
    OptionSchema<O> s;
    s.string("source", &O::source, "Field whose value is looked up in the dictionary.");
    s.string("field", &O::field, "Deprecated name of source.");
    s.string("target", &O::target,
             "Field the translation is written to (default: \"translation\" with ecs_compatibility "
             "=> disabled, the source field itself with v1/v8).");
    s.string("destination", &O::destination, "Deprecated name of target.");
    s.boolean("override", &O::override_target,
              "Overwrite a target that already exists (default: false, true when translating in "
              "place).");
    s.hash("dictionary", &O::dictionary, "The dictionary inline: { \"key\" => \"value\" }.");
    s.path("dictionary_path", &O::dictionary_path,
           "Dictionary file: YAML (.yml, .yaml), JSON (.json) or CSV (.csv, key and value columns).");
    s.number("yaml_dictionary_code_point_limit", &O::yaml_dictionary_code_point_limit,
             "Largest YAML dictionary file accepted, in code points (YAML only; default 134217728).");
    s.string("yaml_load_strategy", &O::yaml_load_strategy,
             "How the YAML file is read: one_shot (YAML 1.1 types) or streaming (only true/false "
             "and plain numbers typed).")
        .fallback("one_shot")
        .one_of({"one_shot", "streaming"});
    s.number("refresh_interval", &O::refresh_interval,
             "Seconds between checks of the dictionary file for changes; 0 never checks.")
        .fallback(300);
    s.string("refresh_behaviour", &O::refresh_behaviour,
             "On refresh, merge the file into the dictionary or replace the dictionary with it.")
        .fallback("merge")
        .one_of({"merge", "replace"});
    s.boolean("exact", &O::exact,
              "Match the whole value (true) or replace every key found inside it (false).")
        .fallback(true);
    s.boolean("regex", &O::regex,
              "With exact => true: keys are regexes, the first that matches (in dictionary "
              "order) wins.")
        .fallback(false);
    s.string("fallback", &O::fallback, "Written to target when nothing matched (sprintf format).");
    s.string("iterate_on", &O::iterate_on,
             "Array field to translate element by element: the source field itself (an array of "
             "values), or an array of objects that each hold source.");
    s.string("ecs_compatibility", &O::ecs_compatibility,
             "disabled: target defaults to \"translation\"; v1/v8: to the source field.")
        .fallback("disabled")
        .one_of({"disabled", "v1", "v8"});
    return s;
  }();
  return schema;
}

// A path below an object of the iterated array (source and target inside
// each element).
const Value* find_below(const Value& root, const std::vector<std::string>& path) {
  const Value* v = &root;
  for (const std::string& step : path) {
    if (!v->is_object()) return nullptr;
    v = v->as_object().find(step);
    if (!v) return nullptr;
  }
  return v;
}

void set_below(Value& root, const std::vector<std::string>& path, Value value) {
  Value* v = &root;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    if (!v->is_object()) *v = Value(Object());
    v = &v->as_object()[path[i]];
  }
  if (!v->is_object()) *v = Value(Object());
  v->as_object().set(path.back(), std::move(value));
}

MatchMode mode_of(const TranslateOptions& o) {
  if (!o.exact) return MatchMode::Substring;  // regex is then ignored, as in Logstash
  return o.regex ? MatchMode::Regex : MatchMode::Exact;
}

const char* mode_name(MatchMode m) {
  switch (m) {
    case MatchMode::Exact: return "exact";
    case MatchMode::Regex: return "regex";
    case MatchMode::Substring: return "substring";
  }
  return "";
}

}  // namespace

TranslateFilter::TranslateFilter(const PluginArgs& args) : Filter(args) {
  TranslateOptions o = translate_schema().bind(args.settings);
  if (o.dictionary_path && !o.dictionary.empty())
    throw OptionError("dictionary_path", "`dictionary` and `dictionary_path` cannot both be set");
  if (o.field) {
    if (o.source) throw OptionError("field", "set only `source` (`field` is its deprecated name)");
    if (args.env.validating) log_warn("translate {}: `field` is deprecated; use `source`", id());
    o.source = o.field;
  }
  if (!o.source) throw OptionError("source", "no source field: set `source => ...`");
  if (o.destination) {
    if (o.target) throw OptionError("destination", "set only `target` (`destination` is its deprecated name)");
    if (args.env.validating) log_warn("translate {}: `destination` is deprecated; use `target`", id());
    o.target = o.destination;
  }
  if (!o.target) o.target = o.ecs_compatibility == "disabled" ? std::string("translation") : *o.source;
  source_ = field_option("source", *o.source);
  target_ = field_option("target", *o.target);
  in_place_ = *o.source == *o.target;
  if (in_place_ && o.override_target == false)
    throw OptionError("override", "`override => false` has no effect when translating in place; remove it");
  override_ = o.override_target.value_or(in_place_);
  if (o.fallback) fallback_.emplace(*o.fallback);
  if (o.iterate_on) {
    iterate_on_ = field_option("iterate_on", *o.iterate_on);
    iterate_ = *o.iterate_on == *o.source ? Iterate::Values : Iterate::Objects;
  }
  mode_ = mode_of(o);

  if (!o.dictionary_path) {
    if (o.yaml_dictionary_code_point_limit)
      throw OptionError("yaml_dictionary_code_point_limit", "applies only to a YAML dictionary_path");
    std::vector<TranslateDictionary::Entry> entries(o.dictionary.begin(), o.dictionary.end());
    try {
      matcher_ = DictionaryMatcher(mode_, TranslateDictionary::build(std::move(entries)));
    } catch (const std::exception& ex) {
      throw OptionError("dictionary", ex.what());
    }
    return;
  }
  DictionaryFileOptions f;
  f.path = *o.dictionary_path;
  if (!dictionary_format_of(f.path, &f.format))
    throw OptionError("dictionary_path", "'" + f.path + "' is not a .yml, .yaml, .json or .csv file");
  if (f.format == DictionaryFormat::Yaml) {
    double limit = o.yaml_dictionary_code_point_limit.value_or(134217728);
    if (!(limit > 0))
      throw OptionError("yaml_dictionary_code_point_limit", "must be a positive number");
    f.yaml_code_point_limit = static_cast<int64_t>(limit);
  } else if (o.yaml_dictionary_code_point_limit) {
    throw OptionError("yaml_dictionary_code_point_limit", "applies only to a YAML dictionary file, not to JSON or CSV");
  }
  f.refresh_interval = o.refresh_interval;
  f.replace = o.refresh_behaviour == "replace";
  f.yaml_streaming = o.yaml_load_strategy == "streaming";
  MatchMode mode = mode_;
  try {
    // A snapshot whose keys this mode cannot use is refused where it is loaded.
    file_ = DictionaryFile::open(id(), f, mode_name(mode),
                                 [mode](const std::shared_ptr<const TranslateDictionary>& d) {
                                   if (mode != MatchMode::Exact) DictionaryMatcher(mode, d);
                                 });
    file_version_ = file_->version();
    matcher_ = DictionaryMatcher(mode_, file_->current());
  } catch (const std::exception& ex) {
    throw OptionError("dictionary_path", ex.what());
  }
}

void TranslateFilter::pick_up_new_dictionary() {
  uint64_t version = file_->version();
  if (version == file_version_) return;
  file_version_ = version;
  try {
    matcher_ = DictionaryMatcher(mode_, file_->current());
  } catch (const std::exception& ex) {  // checked when loaded; kept safe anyway
    log_warn("translate {}: {}; continuing with the old dictionary", id(), ex.what());
  }
}

void TranslateFilter::process(const std::vector<Event*>& events, FilterContext& ctx) {
  if (file_) pick_up_new_dictionary();
  Filter::process(events, ctx);
}

bool TranslateFilter::lookup(std::string_view text, Value* out) {
  bool found = matcher_.lookup(text, out);
  bump(found ? matches_ : misses_);
  return found;
}

std::string_view TranslateFilter::text_of(const Value& v) {
  if (v.is_string()) return v.as_string();
  text_.clear();
  if (v.is_array()) {
    if (!v.as_array().empty()) v.as_array().front().append_string(text_);
  } else {
    v.append_string(text_);
  }
  return text_;
}

bool TranslateFilter::translate_one(Event& e) {
  if (!override_ && e.has(target_)) return false;
  const Value* source = e.get(source_);
  if (!source) return false;
  Value found;
  if (lookup(text_of(*source), &found)) {
    e.set(target_, std::move(found));
  } else if (fallback_) {
    e.set(target_, Value(fallback_->format(e)));
    bump(fallbacks_);
  } else {
    return in_place_;
  }
  return true;
}

bool TranslateFilter::translate_values(Event& e) {
  if (!override_ && e.has(target_)) return false;
  const Value* source = e.get(*iterate_on_);
  if (!source) return false;
  Array items;  // Ruby's Array(value)
  if (source->is_array()) items = source->as_array();
  else if (!source->is_null()) items.push_back(*source);
  Value fallback = fallback_ ? Value(fallback_->format(e)) : Value();
  Array results(items.size(), fallback);
  bool any = false;
  for (size_t i = 0; i < items.size(); ++i) {
    Value found;
    if (lookup(text_of(items[i]), &found)) results[i] = std::move(found);
    else if (fallback_) bump(fallbacks_);
    // Ruby's any?: an element other than nil and false.
    any = any || !(results[i].is_null() || (results[i].is_bool() && !results[i].as_bool()));
  }
  e.set(target_, Value(std::move(results)));
  return any || in_place_;
}

bool TranslateFilter::translate_objects(Event& e) {
  Value* list = e.get(*iterate_on_);
  if (!list) return false;
  if (target_.path().empty()) return in_place_;
  bool any = false;
  if (list->is_array()) {
    for (Value& element : list->as_array()) {
      const Value* inner = find_below(element, source_.path());
      if (!inner || inner->is_null()) continue;
      Value found;
      if (lookup(text_of(*inner), &found)) {
        set_below(element, target_.path(), std::move(found));
      } else if (fallback_) {
        set_below(element, target_.path(), Value(fallback_->format(e)));
        bump(fallbacks_);
      } else {
        continue;
      }
      any = true;
    }
  }
  return any || in_place_;
}

void TranslateFilter::filter(Event& e, FilterContext& ctx) {
  (void)ctx;
  bool matched = false;
  switch (iterate_) {
    case Iterate::None: matched = translate_one(e); break;
    case Iterate::Values: matched = translate_values(e); break;
    case Iterate::Objects: matched = translate_objects(e); break;
  }
  if (matched) filter_matched(e);
}

void TranslateFilter::collect_metrics(PluginMetrics& out) const {
  using K = PluginMetric::Kind;
  auto figure = [](const std::atomic<uint64_t>& c) { return double(c.load(std::memory_order_relaxed)); };
  out.push_back({"matches_total", "Values a dictionary key matched.", K::Counter, {}, figure(matches_)});
  out.push_back({"misses_total", "Values no dictionary key matched.", K::Counter, {}, figure(misses_)});
  out.push_back({"fallbacks_total", "Misses given the fallback value.", K::Counter, {}, figure(fallbacks_)});
}

PluginInfo translate_filter_info() {
  PluginInfo info;
  info.name = "translate";
  info.kind = PluginKind::Filter;
  info.description =
      "Replaces a field's value by the one a dictionary (inline, or a YAML/JSON/CSV file "
      "refreshed while running) gives for it.";
  info.options = translate_schema().specs();
  info.make_filter = [](const PluginArgs& args) -> std::unique_ptr<Filter> {
    return std::make_unique<TranslateFilter>(args);
  };
  return info;
}

}  // namespace logpipe
