// json_lines: one JSON document per delimited line; encode writes JSON and
// the delimiter.
#include "engine/codecs/codec_options.h"
#include "engine/codecs/codecs.h"
#include "engine/codecs/json_event_decoder.h"
#include "engine/codecs/line_splitter.h"
#include "engine/text/json_writer.h"

namespace logpipe {

namespace {

struct JsonLinesOptions {
  JsonDecoderOptions decoder;
  std::string delimiter;
};

const OptionSchema<JsonLinesOptions>& json_lines_schema() {
  static const OptionSchema<JsonLinesOptions> schema = [] {
    // The decoder's options with the delimiter second, as before.
    OptionSchema<JsonDecoderOptions> charset, rest;
    codec_options::charset(charset, &JsonDecoderOptions::charset);
    codec_options::ecs_compatibility(rest, &JsonDecoderOptions::ecs_compatibility);
    codec_options::target(rest, &JsonDecoderOptions::target);
    declare_json_max_depth(rest);
    OptionSchema<JsonLinesOptions> s;
    s.include(charset, &JsonLinesOptions::decoder);
    codec_options::delimiter(s, &JsonLinesOptions::delimiter);
    s.include(rest, &JsonLinesOptions::decoder);
    return s;
  }();
  return schema;
}

class JsonLinesCodec : public Codec {
 public:
  explicit JsonLinesCodec(const PluginArgs& args)
      : JsonLinesCodec(json_lines_schema().bind(args.settings)) {}
  explicit JsonLinesCodec(const JsonLinesOptions& o)
      : decoder_(o.decoder, /*set_original=*/false),
        splitter_(codec_options::checked_delimiter(o.delimiter)) {}

  void decode(std::string_view data, const EventSink& sink) override {
    splitter_.split(data, [&](std::string_view line) { decoder_.decode(line, sink); });
  }

  void flush(const EventSink& sink) override {
    if (splitter_.has_rest()) decoder_.decode(splitter_.take_rest(), sink);
  }

  void encode(const Event& e, std::string& out) override {
    append_event_json(e, out);
    out += splitter_.delimiter();
  }

 private:
  JsonEventDecoder decoder_;
  LineSplitter splitter_;
};

}  // namespace

PluginInfo json_lines_codec_info() {
  PluginInfo info;
  info.name = "json_lines";
  info.kind = PluginKind::Codec;
  info.description = "Newline-delimited JSON: one event per line.";
  info.options = json_lines_schema().specs();
  info.make_codec = [](const PluginArgs& args) -> std::unique_ptr<Codec> {
    return std::make_unique<JsonLinesCodec>(args);
  };
  return info;
}

}  // namespace logpipe
