// Lumberjack (beats) v1/v2: window, data (key/value), JSON and compressed
// frames, fed in chunks as TCP reads deliver them, with the JSON payloads
// decoded into events as the beats input does.
#include <string>
#include <vector>

#include "engine/codecs/json_event_decoder.h"
#include "fuzz/fuzz_input.h"
#include "inputs/beats/lumberjack_decoder.h"

using namespace logpipe;

namespace {

class DecodingHandler final : public LumberjackHandler {
 public:
  void on_window(char, uint32_t) override {}
  void on_json(char, uint32_t, std::string_view json) override {
    json_.decode(json, [](Event&&) {});
  }
  void on_pairs(char, uint32_t, const std::vector<std::pair<std::string_view, std::string_view>>& pairs) override {
    Event e;
    for (const auto& [k, v] : pairs) e.set_top(k, Value(std::string(v)));
  }

 private:
  JsonEventDecoder json_{JsonDecoderOptions{"UTF-8", "disabled", std::nullopt}, false};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput in(data, size);
  size_t chunk = 1 + in.byte();
  std::string_view stream = in.rest();
  // Limits small enough that a fuzzed length field cannot ask for gigabytes.
  LumberjackLimits limits;
  limits.max_payload = size_t{1} << 20;
  limits.max_decompressed = size_t{4} << 20;
  LumberjackDecoder decoder(limits);
  DecodingHandler handler;
  for (size_t pos = 0; pos < stream.size(); pos += chunk)
    if (!decoder.feed(stream.substr(pos, chunk), handler)) break;
  return 0;
}
