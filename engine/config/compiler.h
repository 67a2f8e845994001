// Config compiler: AST -> PipelineConfig, with every error found at once.
//
// For each plugin block: look the plugin up, merge repeated attributes as
// Logstash does (hashes merged, arrays appended, equal scalars kept once,
// different scalars made a list), substitute ${VAR} / ${VAR:default},
// check each option against the plugin's declared OptionSpecs (unknown option,
// wrong type, not an allowed value, missing required), coerce and fill in
// defaults, then build the plugin once so that its own checks (a bad regex, a
// bad mode) are reported too. Conditions are compiled to Condition trees.
//
// Every error carries file:line:column. compile() throws ConfigException with
// all of them; nothing half-valid is returned.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/config/ast.h"
#include "engine/config/config_error.h"
#include "engine/config/env_subst.h"
#include "engine/config/pipeline_config.h"

namespace logpipe::config {

struct CompileOptions {
  EnvLookup env;  // empty: the process environment
  bool support_escapes = false;
  PluginEnv plugin_env;  // what plugins are built with while validating
  // pipeline.ecs_compatibility: the value of every plugin's (and codec's)
  // ecs_compatibility option that the config does not set, as in Logstash.
  std::string ecs_compatibility = "disabled";
};

std::shared_ptr<PipelineConfig> compile(const AstConfig& ast, const CompileOptions& opts = {});

// Reads -f arguments (a file, a directory — all its files in lexical order — or
// a glob; each may be repeated) and -e strings into sources. Throws
// ConfigException for a path that matches nothing or cannot be read.
std::vector<SourceFile> load_sources(const std::vector<std::string>& paths,
                                     const std::vector<std::string>& config_strings);

// Reads, parses and compiles in one step.
std::shared_ptr<PipelineConfig> load_pipeline(const std::vector<SourceFile>& sources,
                                              const CompileOptions& opts = {});

}  // namespace logpipe::config
