// Runs a codec as a stream input does: any input decoded in chunks (the first
// bytes choose the chunk size and whether events go under a target), each
// event encoded again and the encoding decoded by a fresh codec.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/plugin.h"
#include "fuzz/fuzz_input.h"

namespace logpipe::fuzz {

inline std::unique_ptr<Codec> build_codec(const PluginInfo& info, bool with_target) {
  Settings settings;
  for (auto& spec : info.all_options())
    if (spec.default_value) settings.set(spec.name, *spec.default_value);
  if (with_target) settings.set("target", Value("[doc]"));
  PluginEnv env;
  return info.make_codec(PluginArgs{info.name, info.name + "_1", settings, env, nullptr});
}

inline void decode_encode_decode(const PluginInfo& info, const uint8_t* data, size_t size) {
  FuzzInput in(data, size);
  bool with_target = in.flag();
  size_t chunk = 1 + in.byte();
  std::string_view text = in.rest();
  auto codec = build_codec(info, with_target);
  std::vector<Event> events;
  EventSink keep = [&](Event&& e) { events.push_back(std::move(e)); };
  for (size_t pos = 0; pos < text.size(); pos += chunk) codec->decode(text.substr(pos, chunk), keep);
  codec->flush(keep);
  std::string encoded;
  for (const Event& e : events) codec->encode(e, encoded);
  auto again = build_codec(info, with_target);
  again->decode(encoded, [](Event&&) {});
  again->flush([](Event&&) {});
}

}  // namespace logpipe::fuzz
