// The secure defaults, one assertion each, so that changing one fails here
// and has to be a decision: network inputs listen on loopback, and every
// network input bounds message, frame and decompressed sizes and the number
// of connections out of the box. Behaviour behind each default is tested
// beside its plugin (see the README's security section for the list).
#include <gtest/gtest.h>

#include <string>

#include "engine/plugin.h"
#include "engine/text/json_reader.h"

namespace logpipe {
namespace {

// The declared default of `option` of input `plugin`, as the compiler fills it in.
Value input_default(const char* plugin, const char* option) {
  const PluginInfo* info = find_plugin(PluginKind::Input, plugin);
  if (!info) {
    ADD_FAILURE() << "no input " << plugin;
    return Value();
  }
  for (const OptionSpec& spec : info->all_options())
    if (spec.name == option) {
      if (!spec.default_value) ADD_FAILURE() << plugin << " " << option << " has no default";
      return spec.default_value.value_or(Value());
    }
  ADD_FAILURE() << plugin << " has no option " << option;
  return Value();
}

TEST(SecurityDefaults, NetworkInputsListenOnLoopback) {
  for (const char* plugin : {"tcp", "udp", "syslog", "beats"})
    EXPECT_EQ(input_default(plugin, "host").to_string(), "127.0.0.1") << plugin;
}

TEST(SecurityDefaults, NetworkInputsBoundTheirConnections) {
  for (const char* plugin : {"tcp", "syslog", "beats"})
    EXPECT_EQ(input_default(plugin, "max_connections").to_string(), "1000") << plugin;
}

TEST(SecurityDefaults, NetworkInputsBoundMessageFrameAndDecompressedSizes) {
  EXPECT_EQ(input_default("tcp", "max_message_size").to_string(), "16MiB");
  EXPECT_EQ(input_default("syslog", "max_message_size").to_string(), "65536");
  EXPECT_EQ(input_default("udp", "buffer_size").to_string(), "65536");
  EXPECT_EQ(input_default("beats", "max_frame_size").to_string(), "16MiB");
  EXPECT_EQ(input_default("beats", "max_decompressed_size").to_string(), "64MiB");
}

// The json and json_lines codecs and the json filter: 1024 levels, no more.
TEST(SecurityDefaults, JsonNestingIsBoundedAt1024Levels) {
  auto default_of = [](PluginKind kind, const char* plugin) {
    const PluginInfo* info = find_plugin(kind, plugin);
    EXPECT_TRUE(info) << plugin;
    if (info)
      for (const OptionSpec& spec : info->all_options())
        if (spec.name == "max_depth" && spec.default_value) return spec.default_value->to_string();
    return std::string("(none)");
  };
  EXPECT_EQ(default_of(PluginKind::Codec, "json"), "1024");
  EXPECT_EQ(default_of(PluginKind::Codec, "json_lines"), "1024");
  EXPECT_EQ(default_of(PluginKind::Filter, "json"), "1024");
  auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  Value v;
  std::string error;
  EXPECT_TRUE(parse_json(nested(1024), &v, &error)) << error;
  EXPECT_FALSE(parse_json(nested(1025), &v, &error));
  EXPECT_NE(error.find("1024"), std::string::npos) << error;
  EXPECT_TRUE(parse_json(nested(3), &v, &error, 3)) << error;
  EXPECT_FALSE(parse_json(nested(4), &v, &error, 3));
  EXPECT_EQ(error, "nested deeper than 3 levels");
}

}  // namespace
}  // namespace logpipe
