// line: one event per delimited line, partial lines kept across chunks.
#include "engine/codecs/charset.h"
#include "engine/codecs/codec_options.h"
#include "engine/codecs/codecs.h"
#include "engine/codecs/line_splitter.h"
#include "engine/codecs/text_format.h"

namespace logpipe {

namespace {

struct LineOptions {
  std::optional<std::string> format;
  std::string charset;
  std::string delimiter;
  std::string ecs_compatibility;  // accepted: the line codec keeps no [event][original]
};

const OptionSchema<LineOptions>& line_schema() {
  static const OptionSchema<LineOptions> schema = [] {
    OptionSchema<LineOptions> s;
    codec_options::format(s, &LineOptions::format);
    codec_options::charset(s, &LineOptions::charset);
    codec_options::delimiter(s, &LineOptions::delimiter);
    codec_options::ecs_compatibility(s, &LineOptions::ecs_compatibility);
    return s;
  }();
  return schema;
}

class LineCodec : public Codec {
 public:
  explicit LineCodec(const PluginArgs& args)
      : LineCodec(line_schema().bind(args.settings)) {}
  explicit LineCodec(const LineOptions& o)
      : charset_(o.charset),
        format_(o.format),
        splitter_(codec_options::checked_delimiter(o.delimiter)) {}

  void decode(std::string_view data, const EventSink& sink) override {
    splitter_.split(data, [&](std::string_view line) { emit(line, sink); });
  }

  void flush(const EventSink& sink) override {
    if (splitter_.has_rest()) emit(splitter_.take_rest(), sink);
  }

  void encode(const Event& e, std::string& out) override {
    format_.append(e, out);
    out += splitter_.delimiter();
  }

 private:
  void emit(std::string_view line, const EventSink& sink) {
    sink(Event(charset_.passthrough() ? std::string(line) : charset_.to_utf8(line)));
  }

  CharsetDecoder charset_;
  TextFormat format_;
  LineSplitter splitter_;
};

}  // namespace

PluginInfo line_codec_info() {
  PluginInfo info;
  info.name = "line";
  info.kind = PluginKind::Codec;
  info.description = "Line-oriented text: one event per line; each encoded event ends with the delimiter.";
  info.options = line_schema().specs();
  info.make_codec = [](const PluginArgs& args) -> std::unique_ptr<Codec> {
    return std::make_unique<LineCodec>(args);
  };
  return info;
}

}  // namespace logpipe
