// plain: each chunk handed to decode() is one event; encode writes the
// event's text with no delimiter.
#include "engine/codecs/charset.h"
#include "engine/codecs/codec_options.h"
#include "engine/codecs/codecs.h"
#include "engine/codecs/text_format.h"

namespace logpipe {

namespace {

struct PlainOptions {
  std::optional<std::string> format;
  std::string charset;
  std::string ecs_compatibility;
};

const OptionSchema<PlainOptions>& plain_schema() {
  static const OptionSchema<PlainOptions> schema = [] {
    OptionSchema<PlainOptions> s;
    codec_options::format(s, &PlainOptions::format);
    codec_options::charset(s, &PlainOptions::charset);
    codec_options::ecs_compatibility(s, &PlainOptions::ecs_compatibility);
    return s;
  }();
  return schema;
}

class PlainCodec : public Codec {
 public:
  explicit PlainCodec(const PluginArgs& args)
      : PlainCodec(plain_schema().bind(args.settings)) {}
  explicit PlainCodec(const PlainOptions& o) : charset_(o.charset), format_(o.format) {
    // In ECS mode Logstash keeps a copy of the text in [event][original].
    if (o.ecs_compatibility != "disabled") original_ = FieldRef::must("[event][original]");
  }

  void decode(std::string_view data, const EventSink& sink) override {
    Event e(charset_.passthrough() ? std::string(data) : charset_.to_utf8(data));
    if (original_) e.set(*original_, Value(*e.message()));
    sink(std::move(e));
  }

  void encode(const Event& e, std::string& out) override { format_.append(e, out); }
  bool lines_are_messages() const override { return charset_.passthrough() && !original_; }

 private:
  CharsetDecoder charset_;
  TextFormat format_;
  std::optional<FieldRef> original_;
};

}  // namespace

PluginInfo plain_codec_info() {
  PluginInfo info;
  info.name = "plain";
  info.kind = PluginKind::Codec;
  info.description = "Plain text: each chunk of input is one event; no delimiter between events.";
  info.options = plain_schema().specs();
  info.make_codec = [](const PluginArgs& args) -> std::unique_ptr<Codec> {
    return std::make_unique<PlainCodec>(args);
  };
  return info;
}

}  // namespace logpipe
