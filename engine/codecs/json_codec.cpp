// json: each chunk handed to decode() is one JSON document; encode writes
// one compact JSON object with no newline.
#include "engine/codecs/codec_options.h"
#include "engine/codecs/codecs.h"
#include "engine/codecs/json_event_decoder.h"
#include "engine/text/json_writer.h"

namespace logpipe {

namespace {

struct JsonCodecOptions {
  JsonDecoderOptions decoder;
};

const OptionSchema<JsonCodecOptions>& json_codec_schema() {
  static const OptionSchema<JsonCodecOptions> schema = [] {
    OptionSchema<JsonCodecOptions> s;
    // charset, ecs_compatibility, target
    s.include(json_decoder_schema(), &JsonCodecOptions::decoder);
    return s;
  }();
  return schema;
}

class JsonCodec : public Codec {
 public:
  explicit JsonCodec(const PluginArgs& args)
      : JsonCodec(json_codec_schema().bind(args.settings)) {}
  explicit JsonCodec(const JsonCodecOptions& o) : decoder_(o.decoder, /*set_original=*/true) {}

  void decode(std::string_view data, const EventSink& sink) override { decoder_.decode(data, sink); }
  void encode(const Event& e, std::string& out) override { append_event_json(e, out); }

 private:
  JsonEventDecoder decoder_;
};

}  // namespace

PluginInfo json_codec_info() {
  PluginInfo info;
  info.name = "json";
  info.kind = PluginKind::Codec;
  info.description =
      "Whole JSON documents: an object is one event, an array of objects one event per element.";
  info.options = json_codec_schema().specs();
  info.make_codec = [](const PluginArgs& args) -> std::unique_ptr<Codec> {
    return std::make_unique<JsonCodec>(args);
  };
  return info;
}

}  // namespace logpipe
