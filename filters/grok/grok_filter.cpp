#include "filters/grok/grok_filter.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <tuple>
#include <utility>

#include "engine/config/field_option.h"
#include "engine/config/typed_options.h"
#include "engine/system/log.h"
#include "engine/text/ruby_number.h"

namespace logpipe {

namespace {

// [a][b] form of a reference, so a target and a field can be joined.
std::string bracketed(const FieldRef& ref) {
  std::string out = ref.metadata() ? "[@metadata]" : "";
  for (auto& part : ref.path()) out += "[" + part + "]";
  return out;
}

std::vector<std::string> strings_of(const Value& v) {
  std::vector<std::string> out;
  if (v.is_array()) {
    for (auto& item : v.as_array()) out.push_back(item.to_string());
  } else if (!v.is_null()) {
    out.push_back(v.to_string());
  }
  return out;
}

struct GrokOptions {
  Object match;
  bool break_on_match = false;
  bool named_captures_only = false;
  bool keep_empty_captures = false;
  std::vector<std::string> overwrite;
  Object pattern_definitions;
  std::vector<std::string> patterns_dir;
  std::string patterns_files_glob;
  std::vector<std::string> tag_on_failure;
  std::optional<std::string> target;
  std::string ecs_compatibility;
};

const OptionSchema<GrokOptions>& grok_schema() {
  static const OptionSchema<GrokOptions> schema = [] {
    OptionSchema<GrokOptions> s;
    s.hash("match", &GrokOptions::match,
           "Field => pattern, or field => array of patterns tried in order.")
        .fallback(Value(Object()));
    s.boolean("break_on_match", &GrokOptions::break_on_match,
              "Stop at the first pattern that matches.")
        .fallback(true);
    s.boolean("named_captures_only", &GrokOptions::named_captures_only,
              "Store only captures with a field name (%{NAME:field}); off also stores %{NAME}.")
        .fallback(true);
    s.boolean("keep_empty_captures", &GrokOptions::keep_empty_captures,
              "Store captures that are empty or did not take part in the match.")
        .fallback(false);
    s.strings("overwrite", &GrokOptions::overwrite,
              "Fields that captures replace instead of adding to.")
        .fallback(Value(Array()));
    s.hash("pattern_definitions", &GrokOptions::pattern_definitions,
           "Pattern name => definition, for this filter only (overrides files).")
        .fallback(Value(Object()));
    s.strings("patterns_dir", &GrokOptions::patterns_dir,
              "Directories (or files) of pattern files to load.")
        .fallback(Value(Array()));
    s.string("patterns_files_glob", &GrokOptions::patterns_files_glob,
             "Which files of each patterns_dir to read.")
        .fallback("*");
    s.strings("tag_on_failure", &GrokOptions::tag_on_failure, "Tags added when no pattern matches.")
        .fallback(Value(Array{Value("_grokparsefailure")}));
    s.accepted("tag_on_timeout", OptionType::String,
               "Tag for a match that timed out (RE2 matching never times out).")
        .fallback("_groktimeout");
    s.accepted("timeout_millis", OptionType::Number,
               "Match time limit; accepted, RE2 runs in linear time and needs none.")
        .fallback(30000);
    s.accepted("timeout_scope", OptionType::String,
               "Whether the timeout applies per pattern or per event; accepted.")
        .fallback("pattern")
        .one_of({"pattern", "event"});
    s.string("target", &GrokOptions::target,
             "Field under which the captures are stored (default: the event root).");
    s.string("ecs_compatibility", &GrokOptions::ecs_compatibility,
             "Built-in pattern set: disabled (legacy field names) or v1/v8 (ECS).")
        .fallback("disabled")
        .one_of({"disabled", "v1", "v8"});
    return s;
  }();
  return schema;
}

}  // namespace

GrokFilter::GrokFilter(const PluginArgs& args, const PatternFiles& builtin) : Filter(args) {
  GrokOptions o = grok_schema().bind(args.settings);
  break_on_match_ = o.break_on_match;
  keep_empty_captures_ = o.keep_empty_captures;
  tag_on_failure_ = std::move(o.tag_on_failure);

  PatternLibrary library;
  const char* builtin_set = o.ecs_compatibility == "disabled" ? "legacy" : "ecs-v1";
  library.add_builtin(builtin, builtin_set);
  // Where patterns came from, for the error that names an undefined one.
  std::string searched = std::string("the built-in patterns (") + builtin_set + ")";
  for (size_t i = 0; i < o.patterns_dir.size(); ++i) {
    const std::string& dir = o.patterns_dir[i];
    std::string error;
    size_t files = 0;
    if (!library.add_path(dir, o.patterns_files_glob, &error, &files))
      throw OptionError("patterns_dir", error);
    searched += i == 0 ? "; patterns_dir " : ", ";
    if (!std::filesystem::exists(dir))
      searched += dir + " (does not exist)";
    else
      searched += dir + " (" + std::to_string(files) + (files == 1 ? " file" : " files") +
                  " matching \"" + o.patterns_files_glob + "\")";
  }
  if (!o.pattern_definitions.empty()) searched += "; pattern_definitions";
  for (auto& [name, definition] : o.pattern_definitions) {
    for (auto& text : strings_of(definition)) library.add(name, text);
  }

  std::optional<FieldRef> target;
  if (o.target) target = field_option("target", *o.target);
  const std::vector<std::string>& overwrite = o.overwrite;

  GrokCompiler compiler(library, o.named_captures_only);
  for (auto& [field_name, patterns] : o.match) {
    MatchField m;
    m.field = field_option("match", field_name);
    std::string error;
    for (auto& expression : strings_of(patterns)) {
      try {
        GrokProgram program = compiler.compile(expression);
        std::vector<CaptureSink> sinks;
        for (auto& capture : program.captures) {
          auto ref = FieldRef::parse(capture.field, &error);
          if (ref && target) ref = FieldRef::parse(bracketed(*target) + bracketed(*ref), &error);
          // Logstash only fails when such a capture is stored; it is skipped here.
          CaptureSink sink;
          sink.valid = ref.has_value();
          if (ref) sink.ref = *ref;
          sink.coercion = capture.coercion;
          for (auto& o : overwrite) sink.overwrite |= o == capture.field;
          sinks.push_back(std::move(sink));
        }
        for (auto& sink : sinks) {
          int uses = 0;
          for (auto& other : sinks) uses += other.ref.is_top_level() && sink.ref.is_top_level() &&
                                            other.ref.path()[0] == sink.ref.path()[0];
          sink.captured_once = uses == 1;
        }
        bool leaves_source_alone = true;
        for (auto& sink : sinks)
          leaves_source_alone &= !sink.valid || sink.ref.metadata() != m.field.metadata() ||
                                 sink.ref.path().empty() || m.field.path().empty() ||
                                 sink.ref.path()[0] != m.field.path()[0];
        m.max_captures = std::max(m.max_captures, sinks.size());
        m.total_captures += sinks.size();
        GrokMatcher matcher(std::move(program));
        if (!matcher.pcre_error().empty() && args.env.validating)
          log_warn("grok {}: pattern \"{}\" is beyond PCRE2 ({}); RE2 extracts its fields, "
                   "which is much slower",
                   id(), expression, matcher.pcre_error());
        patterns_.push_back({field_name, expression, matcher.pcre_error().empty() ? "pcre2" : "re2"});
        pattern_matches_.emplace_back(0);
        m.groks.push_back(Grok{std::move(matcher), std::move(sinks), leaves_source_alone, patterns_.size() - 1});
      } catch (const GrokUndefinedPattern& e) {
        throw OptionError("match", "grok pattern \"" + expression + "\": " + e.what() +
                                       "; searched " + searched);
      } catch (const GrokCompileError& e) {
        throw OptionError("match", "grok pattern \"" + expression + "\": " + e.what());
      }
    }
    match_.push_back(std::move(m));
  }
  if (args.env.trace) {
    trace_ = args.env.trace;
    auto shared = std::make_shared<const PatternLibrary>(std::move(library));
    for (auto& [field_name, patterns] : o.match) {
      diagnosers_.emplace_back();
      for (auto& expression : strings_of(patterns))
        diagnosers_.back().emplace_back(shared, o.named_captures_only, expression);
    }
  }
}

void GrokFilter::trace_match(const Grok& grok, size_t index, const Event& e) {
  Object detail;
  detail.set("field", Value(patterns_[grok.counter].field));
  detail.set("matched", Value(true));
  detail.set("pattern_index", Value(uint64_t{index}));
  detail.set("pattern", Value(patterns_[grok.counter].pattern));
  trace_->record(e, id(), Value(std::move(detail)));
}

// Every field's patterns, diagnosed on the text they were tried on (an
// array's first element).
void GrokFilter::trace_failure(const Event& e) {
  for (size_t i = 0; i < match_.size() && i < diagnosers_.size(); ++i) {
    const MatchField& m = match_[i];
    if (m.groks.empty()) continue;
    const Value* value = e.get(m.field);
    std::vector<std::string> texts = value ? strings_of(*value) : std::vector<std::string>();
    std::string text = texts.empty() ? std::string() : texts.front();
    auto began = std::chrono::steady_clock::now();
    Value report = grok_report(diagnosers_[i], text);
    // The sandbox leaves this out of the filter's time: production has none of it.
    auto took = std::chrono::steady_clock::now() - began;
    report.as_object().set(
        "diagnosis_ns",
        Value(int64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(took).count())));
    report.as_object().set("field", Value(patterns_[m.groks[0].counter].field));
    report.as_object().set("text", Value(text));
    trace_->record(e, id(), std::move(report));
  }
}

void GrokFilter::filter(Event& e, FilterContext& ctx) {
  (void)ctx;
  // As Logstash: the event matched when any field did.
  bool matched = false;
  for (auto& m : match_) {
    if (!match_field(m, e)) continue;
    matched = true;
    if (break_on_match_) break;
  }
  if (matched) {
    bump(matches_);
    filter_matched(e);
  } else {
    bump(failures_);
    if (trace_) [[unlikely]]
      trace_failure(e);
    for (auto& tag : tag_on_failure_) e.add_tag(tag);
  }
}

// One writer (this worker), readers anywhere: a plain relaxed store, no
// locked read-modify-write on the per-event path.
void GrokFilter::bump(std::atomic<uint64_t>& counter) {
  counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

void GrokFilter::collect_metrics(PluginMetrics& out) const {
  using K = PluginMetric::Kind;
  out.push_back({"matches_total", "Events a pattern matched.", K::Counter, {}, double(matches_.load(std::memory_order_relaxed))});
  out.push_back({"failures_total", "Events no pattern matched (tagged with tag_on_failure, e.g. _grokparsefailure).",
                 K::Counter, {}, double(failures_.load(std::memory_order_relaxed))});
  for (size_t i = 0; i < patterns_.size(); ++i)
    out.push_back({"pattern_matches_total", "Matches per pattern, with the engine that runs it (pcre2, or re2 for patterns beyond PCRE2).",
                   K::Counter,
                   {{"field", patterns_[i].field}, {"pattern", patterns_[i].pattern}, {"engine", patterns_[i].engine}},
                   double(pattern_matches_[i].load(std::memory_order_relaxed))});
}

bool GrokFilter::match_field(MatchField& m, Event& e) {
  // Room for every top-level field the stores may add, taken before the
  // input is viewed: adding a field then never moves the one being read.
  e.fields().reserve(e.fields().size() +
                     (break_on_match_ ? m.max_captures : m.total_captures));
  const Value* value = e.get(m.field);
  if (value && value->is_string()) return match_groks(m, value->as_string(), false, e);
  if (value && value->is_array()) {
    // Stores may change the array itself: work on copies.
    std::vector<std::string> items = strings_of(*value);
    bool success = false;
    for (auto& item : items) success |= match_groks(m, item, true, e);
    return success;
  }
  text_.clear();
  if (value) value->append_string(text_);  // nil reads as "", as Ruby's to_s
  return match_groks(m, text_, true, e);
}

// `input` views either the event's own field (input_is_copy false) or a copy.
bool GrokFilter::match_groks(MatchField& m, std::string_view input, bool input_is_copy,
                             Event& e) {
  bool matched = false;
  std::string owned;  // the input, once a store may have replaced the field
  for (size_t k = 0; k < m.groks.size(); ++k) {
    Grok& grok = m.groks[k];
    if (!grok.matcher.match(input)) continue;
    matched = true;
    bump(pattern_matches_[grok.counter]);
    if (trace_) [[unlikely]]
      trace_match(grok, k, e);
    // Captures are views into the input: they may be stored straight from
    // there unless a store can change the input field itself.
    bool direct = input_is_copy || grok.leaves_source_alone;
    if (!direct) {
      const auto& groups = grok.matcher.groups();
      values_.resize(groups.size());
      for (size_t i = 0; i < groups.size(); ++i) values_[i] = capture_value(grok, i);
      bool more = !break_on_match_ && k + 1 < m.groks.size();
      if (more && owned.empty()) {
        owned.assign(input);
        input = owned;
        input_is_copy = true;
      }
    }
    store(grok, direct, e);
    if (break_on_match_) break;
  }
  return matched;
}

Value GrokFilter::capture_value(const Grok& grok, size_t i) const {
  std::string_view g = grok.matcher.groups()[i];
  if (!g.data()) return Value();
  switch (grok.sinks[i].coercion) {
    // A number beyond int64 or double stays the text captured (see
    // engine/text/ruby_number.h): Ruby would hold it, a clamped value would lie.
    case GrokCoercion::Int:
      if (auto i = ruby_to_i(g)) return Value(*i);
      break;
    case GrokCoercion::Float:
      if (auto f = ruby_to_f(g)) return Value(*f);
      break;
    case GrokCoercion::None: break;
  }
  return Value(g);
}

void GrokFilter::store(const Grok& grok, bool direct, Event& e) {
  const auto& groups = grok.matcher.groups();
  // Fields this grok adds come after these; a name it captures only once can
  // only already exist among them.
  const size_t fields_before = e.fields().size();
  for (size_t i = 0; i < grok.sinks.size(); ++i) {
    const CaptureSink& sink = grok.sinks[i];
    if (!sink.valid) continue;
    // As Logstash: nil and "" are empty, a coerced "" (0) is not.
    bool empty = direct ? !groups[i].data() ||
                              (sink.coercion == GrokCoercion::None && groups[i].empty())
                        : values_[i].is_null() ||
                              (values_[i].is_string() && values_[i].as_string().empty());
    if (empty && !keep_empty_captures_) continue;
    auto take = [&]() { return direct ? capture_value(grok, i) : std::move(values_[i]); };
    if (sink.overwrite) {
      e.set(sink.ref, take());
      continue;
    }
    Value* existing = nullptr;
    if (sink.ref.is_top_level()) {
      // The common case, without the path walk of Event::get/set.
      Object& fields = e.fields();
      const std::string& name = sink.ref.path()[0];
      if (sink.captured_once) {
        auto& entries = fields.entries();
        for (size_t f = 0; f < fields_before && !existing; ++f)
          if (same_key(entries[f].first, name)) existing = &entries[f].second;
      } else {
        existing = fields.find(name);
      }
      if (!existing) {
        if (direct && sink.coercion == GrokCoercion::None && groups[i].data()) {
          // Built in place: the capture's one copy, no intermediate Value.
          fields.entries().emplace_back(std::piecewise_construct, std::forward_as_tuple(name),
                                        std::forward_as_tuple(groups[i]));
        } else {
          fields.entries().emplace_back(name, take());
        }
        continue;
      }
    } else {
      existing = e.get(sink.ref);
    }
    if (!existing || existing->is_null()) {
      e.set(sink.ref, take());
    } else if (existing->is_array()) {
      existing->as_array().push_back(take());
    } else if (existing->is_string()) {
      Array pair;
      pair.reserve(2);
      pair.push_back(std::move(*existing));
      pair.push_back(take());
      *existing = Value(std::move(pair));
    }
    // Numbers, booleans, objects: Logstash keeps the old value.
  }
}

PluginInfo grok_filter_info() {
  PluginInfo info;
  info.name = "grok";
  info.kind = PluginKind::Filter;
  info.description = "Parses text fields into structured fields with named regex patterns.";
  info.options = grok_schema().specs();
  info.make_filter = [](const PluginArgs& args) -> std::unique_ptr<Filter> {
    return std::make_unique<GrokFilter>(args, builtin_pattern_files());
  };
  return info;
}

}  // namespace logpipe
