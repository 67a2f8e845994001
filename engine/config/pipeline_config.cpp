#include "engine/config/pipeline_config.h"

namespace logpipe {

std::unique_ptr<Codec> make_codec(const CodecSpec& spec, const std::string& name, const std::string& plugin_id,
                                  const PluginEnv& env) {
  const PluginInfo* info = find_plugin(PluginKind::Codec, name);
  if (!info || !info->make_codec) return nullptr;
  PluginArgs args{name, plugin_id + "_codec", spec.settings, env, nullptr};
  return info->make_codec(args);
}

std::unique_ptr<Codec> make_codec_for(const PluginDecl& decl, const PluginEnv& env) {
  const CodecSpec* spec = decl.settings->codec();
  if (!spec) return nullptr;
  std::string name = spec->name;
  if (decl.info->streaming_input) {
    if (name == "plain") name = "line";
    else if (name == "json") name = "json_lines";
  }
  return make_codec(*spec, name, decl.id, env);
}

}  // namespace logpipe
