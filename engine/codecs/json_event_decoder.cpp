#include "engine/codecs/json_event_decoder.h"

#include "engine/codecs/codec_options.h"
#include "engine/codecs/iso8601.h"
#include "engine/config/field_option.h"
#include "engine/text/json_reader.h"
#include "engine/text/utf8.h"
#include "engine/system/log.h"

namespace logpipe {

namespace {

bool blank(std::string_view s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') return false;
  return true;
}

// What Logstash can turn into an event: an object whose @metadata, if any, is
// an object too.
bool event_shaped(const Value& v) {
  if (!v.is_object()) return false;
  const Value* md = v.as_object().find("@metadata");
  return !md || md->is_object();
}

void settle_timestamp(Event& e) {
  Value* ts = e.fields().find("@timestamp");
  if (!ts) {
    e.set_timestamp(Timestamp::now());
    return;
  }
  if (ts->is_null()) {
    *ts = Value(Timestamp::now());
    return;
  }
  Timestamp parsed;
  if (ts->is_timestamp()) return;
  if (ts->is_string() && parse_iso8601(ts->as_string(), &parsed)) {
    *ts = Value(parsed);
    return;
  }
  Value original = std::move(*ts);
  *ts = Value(Timestamp::now());
  e.add_tag("_timestampparsefailure");
  e.set_top("_@timestamp", std::move(original));
}

}  // namespace

const OptionSchema<JsonDecoderOptions>& json_decoder_schema() {
  static const OptionSchema<JsonDecoderOptions> schema = [] {
    OptionSchema<JsonDecoderOptions> s;
    codec_options::charset(s, &JsonDecoderOptions::charset);
    codec_options::ecs_compatibility(s, &JsonDecoderOptions::ecs_compatibility);
    codec_options::target(s, &JsonDecoderOptions::target);
    declare_json_max_depth(s);
    return s;
  }();
  return schema;
}

void declare_json_max_depth(OptionSchema<JsonDecoderOptions>& s) {
  s.integer("max_depth", &JsonDecoderOptions::max_depth,
            "logpipe: deepest nesting of objects and arrays decoded; deeper text is a "
            "_jsonparsefailure.")
      .fallback(kJsonMaxDepth)
      .range(1, kJsonMaxDepth);
}

JsonEventDecoder::JsonEventDecoder(const JsonDecoderOptions& options, bool set_original)
    : charset_(options.charset), max_depth_(options.max_depth > 0 ? options.max_depth : kJsonMaxDepth) {
  if (options.target) {
    target_ = field_option("target", *options.target);
  }
  if (set_original && options.ecs_compatibility != "disabled")
    original_ = FieldRef::must("[event][original]");
}

JsonEventDecoder::JsonEventDecoder(const Settings& settings, bool set_original)
    : JsonEventDecoder(json_decoder_schema().bind(settings), set_original) {}

void JsonEventDecoder::decode(std::string_view text, const EventSink& sink) {
  if (!charset_.passthrough()) {
    converted_.clear();
    charset_.append_utf8(text, converted_);
    text = converted_;
  }
  if (blank(text)) return;
  Value root;
  std::string error;
  bool ok = parse_json(text, &root, &error, max_depth_);
  if (!ok && !valid_utf8(text)) {
    repaired_.clear();
    append_repaired_utf8(text, repaired_);
    ok = parse_json(repaired_, &root, &error, max_depth_);
  }
  if (ok && emit(root, text, sink)) return;
  if (ok) error = "JSON must be an object or an array of objects";
  log_debug("JSON parse failure, original data now in message field: {}", error);
  emit_failure(text, sink);
}

bool JsonEventDecoder::emit(Value& root, std::string_view text, const EventSink& sink) {
  // Under a target, @metadata is data like any other field.
  auto acceptable = [this](const Value& v) { return target_ ? v.is_object() : event_shaped(v); };
  if (root.is_array()) {
    Array& items = root.as_array();
    for (auto& item : items)
      if (!acceptable(item)) return false;
    if (items.size() != 1) {
      for (auto& item : items) sink(make_event(std::move(item)));
      return true;
    }
    Value single = std::move(items[0]);
    root = std::move(single);
  } else if (!acceptable(root)) {
    return false;
  }
  Event e = make_event(std::move(root));
  if (original_ && !e.has(*original_)) e.set(*original_, Value(text));
  sink(std::move(e));
  return true;
}

Event JsonEventDecoder::make_event(Value&& data) const {
  Event e;
  if (target_) {
    e.set_timestamp(Timestamp::now());
    e.set_top("@version", Value("1"));
    e.set(*target_, std::move(data));
    return e;
  }
  e.fields() = std::move(data.as_object());
  if (Value* md = e.fields().find("@metadata")) {
    e.metadata() = std::move(md->as_object());
    e.fields().erase("@metadata");
  }
  if (!e.fields().find("@version")) e.set_top("@version", Value("1"));
  settle_timestamp(e);
  return e;
}

void JsonEventDecoder::emit_failure(std::string_view text, const EventSink& sink) const {
  Event e{std::string(text)};
  e.add_tag("_jsonparsefailure");
  sink(std::move(e));
}

}  // namespace logpipe
