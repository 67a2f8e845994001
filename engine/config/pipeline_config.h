// PipelineConfig: a validated pipeline, ready to be built and run.
//
// The config compiler turns the AST into this: every plugin block checked
// against its option schema (one Settings per block) and every conditional
// compiled. The filter and output sections become trees of GraphNodes that
// name plugins by index; the Pipeline builds one set of filter instances per
// worker from the same declarations.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/config/condition.h"
#include "engine/plugin.h"

namespace logpipe {

struct PluginDecl {
  const PluginInfo* info = nullptr;
  std::string id;
  std::shared_ptr<const Settings> settings;
  std::string where;  // "file:line:column" of the block, for runtime messages
  bool enable_metric = true;  // the common option, read once by the compiler
};

struct GraphNode {
  enum class Kind { Plugin, If } kind = Kind::Plugin;
  size_t plugin = 0;  // index into PipelineConfig::filters or ::outputs
  struct Branch {
    std::shared_ptr<const Condition> condition;
    std::vector<GraphNode> body;
  };
  std::vector<Branch> branches;  // if, else if ...
  std::vector<GraphNode> else_body;
};

struct PipelineConfig {
  std::vector<PluginDecl> inputs;
  std::vector<PluginDecl> filters;
  std::vector<PluginDecl> outputs;
  std::vector<GraphNode> filter_graph;
  std::vector<GraphNode> output_graph;
};

// Builds the codec a plugin's settings choose (or its default codec); for a
// streaming input, the line-oriented form of plain and json.
std::unique_ptr<Codec> make_codec_for(const PluginDecl& decl, const PluginEnv& env);
// The codec `spec` names under `name` (spec.name, or its line-oriented form),
// for the plugin `plugin_id`; null for an unknown codec.
std::unique_ptr<Codec> make_codec(const CodecSpec& spec, const std::string& name, const std::string& plugin_id,
                                  const PluginEnv& env);

}  // namespace logpipe
