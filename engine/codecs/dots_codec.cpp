// dots: one '.' per encoded event, nothing else (a progress meter on stdout).
// Like Logstash's, it cannot decode: the config compiler refuses it in inputs.
#include "engine/codecs/codecs.h"

namespace logpipe {

namespace {

class DotsCodec : public Codec {
 public:
  void decode(std::string_view, const EventSink&) override {}  // never built for inputs
  void encode(const Event&, std::string& out) override { out += '.'; }
};

}  // namespace

PluginInfo dots_codec_info() {
  PluginInfo info;
  info.name = "dots";
  info.kind = PluginKind::Codec;
  info.description = "Writes one '.' per event and no delimiter; outputs only (it cannot decode).";
  info.encode_only = true;
  info.make_codec = [](const PluginArgs&) -> std::unique_ptr<Codec> {
    return std::make_unique<DotsCodec>();
  };
  return info;
}

}  // namespace logpipe
