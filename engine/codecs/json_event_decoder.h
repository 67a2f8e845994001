// JsonEventDecoder: JSON text to events, as Logstash's Event.from_json does
// for the json and json_lines codecs.
//
// - A JSON object becomes one event; an array of objects one event per
//   element. Blank text gives no event.
// - In the event, `@metadata` goes to the event's metadata, `@version`
//   defaults to "1" and `@timestamp` is parsed as ISO 8601. A missing or null
//   @timestamp is now; one that does not parse (or is not a string) is
//   replaced by now, kept in `_@timestamp`, and the event is tagged
//   `_timestampparsefailure`.
// - With `target`, each decoded object is put under that field of a new event
//   instead, and its @timestamp is data like any other field.
// - Anything else (invalid JSON, a scalar, an array holding a non-object, a
//   non-object @metadata) becomes one event with the text in `message` and
//   the tag `_jsonparsefailure`.
// - Invalid UTF-8 is repaired to U+FFFD and the text parsed again, so one bad
//   byte does not cost the event its fields. (Logstash would give a
//   _jsonparsefailure event holding Ruby's escaped form of the text.)
// Not thread-safe: one per codec instance.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/codecs/charset.h"
#include "engine/config/typed_options.h"
#include "engine/event/field_ref.h"
#include "engine/plugin.h"

namespace logpipe {

// The codec options the decoder reads (declared by the codecs, see
// json_decoder_schema()).
struct JsonDecoderOptions {
  std::string charset;
  std::string ecs_compatibility;
  std::optional<std::string> target;
  int max_depth = 0;
};

// `charset`, `ecs_compatibility`, `target` and `max_depth`, in that order.
const OptionSchema<JsonDecoderOptions>& json_decoder_schema();
// `max_depth` alone, for a codec that orders the decoder's options itself.
void declare_json_max_depth(OptionSchema<JsonDecoderOptions>& s);

class JsonEventDecoder {
 public:
  // Throws OptionError for a bad charset or target. set_original: in ECS
  // mode, store the text in [event][original] when it gives one event (what
  // the json codec does; json_lines does not).
  JsonEventDecoder(const JsonDecoderOptions& options, bool set_original);
  // The options bound from settings (missing defaults applied).
  JsonEventDecoder(const Settings& settings, bool set_original);

  void decode(std::string_view text, const EventSink& sink);

 private:
  bool emit(Value& root, std::string_view text, const EventSink& sink);
  Event make_event(Value&& data) const;
  void emit_failure(std::string_view text, const EventSink& sink) const;

  CharsetDecoder charset_;
  int max_depth_;
  std::optional<FieldRef> target_;
  std::optional<FieldRef> original_;  // [event][original] when it is set
  std::string converted_;             // reused buffers
  std::string repaired_;
};

}  // namespace logpipe
