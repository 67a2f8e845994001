#include "filters/json_filter.h"

#include "engine/codecs/iso8601.h"
#include "engine/config/typed_options.h"
#include "engine/text/json_reader.h"
#include "engine/text/utf8.h"
#include "engine/system/log.h"
#include "engine/config/field_option.h"

namespace logpipe {

namespace {

bool blank(std::string_view s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
  return true;
}

// event.set(key, value) as Logstash does for each parsed root key: a key
// written as a field reference addresses a nested field. Returns false for
// a key that is not a valid reference (Logstash raises there).
bool set_root_key(Event& e, const std::string& key, Value&& v) {
  if (key.empty()) return false;
  if (key.find('[') == std::string::npos && key != "@metadata") {
    e.fields().set(key, std::move(v));
    return true;
  }
  auto ref = FieldRef::parse(key);
  return ref && e.set(*ref, std::move(v));
}

struct JsonFilterOptions {
  std::string source;
  std::optional<std::string> target;
  bool skip_on_invalid_json = false;
  std::vector<std::string> tag_on_failure;
  int max_depth = 0;
};

const OptionSchema<JsonFilterOptions>& json_filter_schema() {
  static const OptionSchema<JsonFilterOptions> schema = [] {
    OptionSchema<JsonFilterOptions> s;
    s.string("source", &JsonFilterOptions::source, "Field holding the JSON text.").required();
    s.string("target", &JsonFilterOptions::target,
             "Field to store the parsed value in; without it the object's keys go to the root.");
    s.boolean("skip_on_invalid_json", &JsonFilterOptions::skip_on_invalid_json,
              "Do not log a warning for a source that is not valid JSON (the event is still "
              "tagged).")
        .fallback(false);
    s.strings("tag_on_failure", &JsonFilterOptions::tag_on_failure,
              "Tags added when the source cannot be parsed.")
        .fallback(Value(Array{Value("_jsonparsefailure")}));
    s.accepted("ecs_compatibility", OptionType::String,
               "Accepted for compatibility; changes nothing here.")
        .one_of({"disabled", "v1", "v8"});
    s.integer("max_depth", &JsonFilterOptions::max_depth,
              "logpipe: deepest nesting of objects and arrays parsed; deeper text fails "
              "(tag_on_failure).")
        .fallback(kJsonMaxDepth)
        .range(1, kJsonMaxDepth);
    return s;
  }();
  return schema;
}

}  // namespace

JsonFilter::JsonFilter(const PluginArgs& args) : Filter(args) {
  JsonFilterOptions o = json_filter_schema().bind(args.settings);
  source_ = field_option("source", o.source);
  if (o.target) target_ = field_option("target", *o.target);
  skip_on_invalid_json_ = o.skip_on_invalid_json;
  max_depth_ = o.max_depth;
  tag_on_failure_ = std::move(o.tag_on_failure);
}

void JsonFilter::fail(Event& e) const {
  for (const auto& tag : tag_on_failure_) e.add_tag(tag);
}

void JsonFilter::filter(Event& e, FilterContext& ctx) {
  (void)ctx;
  const Value* src = e.get(source_);
  if (!src || src->is_null()) return;
  if (!src->is_string()) {
    fail(e);
    if (!skip_on_invalid_json_) log_debug("json {}: field {} is not a string", id(), source_.text());
    return;
  }
  std::string_view text = src->as_string();
  if (!valid_utf8(text)) {
    repaired_.clear();
    append_repaired_utf8(text, repaired_);
    text = repaired_;
  }
  Value parsed;
  if (!blank(text)) {
    std::string error;
    if (!parse_json(text, &parsed, &error, max_depth_)) {
      fail(e);
      if (!skip_on_invalid_json_) log_debug("json {}: cannot parse field {}: {}", id(), source_.text(), error);
      return;
    }
  }
  if (target_) {
    e.set(*target_, std::move(parsed));
    filter_matched(e);
    return;
  }
  if (!parsed.is_object()) {
    fail(e);
    log_debug("json {}: parsed JSON is not an object: it needs a target", id());
    return;
  }
  Object& root = parsed.as_object();
  Value timestamp;
  bool has_timestamp = false;
  if (Value* ts = root.find("@timestamp")) {
    timestamp = std::move(*ts);
    root.erase("@timestamp");
    has_timestamp = true;
  }
  e.fields().reserve(e.fields().size() + root.size());
  for (auto& [key, value] : root) {
    if (!set_root_key(e, key, std::move(value))) {  // keys before it stay set, as in Logstash
      fail(e);
      log_debug("json {}: key '{}' is not a valid field reference", id(), key);
      return;
    }
  }
  if (has_timestamp) {
    Timestamp t;
    if (timestamp.is_string() && parse_iso8601(timestamp.as_string(), &t)) {
      e.set_timestamp(t);
    } else {
      e.set_timestamp(Timestamp::now());
      e.add_tag("_timestampparsefailure");
      e.set_top("_@timestamp", Value(timestamp.to_string()));
    }
  }
  filter_matched(e);
}

PluginInfo json_filter_info() {
  PluginInfo info;
  info.name = "json";
  info.kind = PluginKind::Filter;
  info.description = "Parses a field holding JSON text into the event (or into target).";
  info.options = json_filter_schema().specs();
  info.make_filter = [](const PluginArgs& args) -> std::unique_ptr<Filter> {
    return std::make_unique<JsonFilter>(args);
  };
  return info;
}

}  // namespace logpipe
