// plain: each chunk handed to decode() is one event; encode writes the
// event's text with no delimiter.
#include "engine/codecs/charset.h"
#include "engine/codecs/codec_options.h"
#include "engine/codecs/codecs.h"
#include "engine/codecs/text_format.h"

namespace logpipe {

namespace {

class PlainCodec : public Codec {
 public:
  explicit PlainCodec(const PluginArgs& args)
      : charset_(args.settings.get_string("charset", "UTF-8")),
        format_(codec_options::optional_string(args.settings, "format")) {
    // In ECS mode Logstash keeps a copy of the text in [event][original].
    if (args.settings.get_string("ecs_compatibility", "disabled") != "disabled")
      original_ = FieldRef::must("[event][original]");
  }

  void decode(std::string_view data, const EventSink& sink) override {
    Event e(charset_.passthrough() ? std::string(data) : charset_.to_utf8(data));
    if (original_) e.set(*original_, Value(*e.message()));
    sink(std::move(e));
  }

  void encode(const Event& e, std::string& out) override { format_.append(e, out); }

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
  info.options = {codec_options::format(), codec_options::charset(),
                  codec_options::ecs_compatibility()};
  info.make_codec = [](const PluginArgs& args) -> std::unique_ptr<Codec> {
    return std::make_unique<PlainCodec>(args);
  };
  return info;
}

}  // namespace logpipe
