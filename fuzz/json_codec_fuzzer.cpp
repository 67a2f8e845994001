// json codec: decoded in chunks, re-encoded, decoded again (codec_harness.h).
#include "engine/codecs/codecs.h"
#include "fuzz/codec_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const logpipe::PluginInfo info = logpipe::json_codec_info();
  logpipe::fuzz::decode_encode_decode(info, data, size);
  return 0;
}
