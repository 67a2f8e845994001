// The config `logpipe test` runs, made from the user's as LFV's daemon makes
// its own: the filter sections as written, every input replaced by a stdin
// input that keeps only its id, codec (`codec => plain` when none was
// written, as LFV does), type, add_field and tags; every output by a stdout
// output with its id, in the same conditionals, so that the runner knows
// which outputs an event reaches (pipeline outputs are dropped: with all the
// files given to -f, the pipeline they feed is in the same config). So input
// and output options, and input and output plugins logpipe does not have
// (pipeline, tcp ...), never stop a filter test, while every filter is
// compiled as in production.
//
// LFV's plugin mocks (`--plugin-mock FILE`) are applied before: a YAML list
// of `{id, mock}`. Every plugin whose `id` is listed is replaced by the
// mock's plugin text (parsed as one plugin block, e.g.
// `mutate { replace => { "message" => "mocked" } }`, which keeps the id),
// or removed when the entry has no mock. As in LFV, it works in every
// section and an id no plugin has is not an error.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/config/ast.h"
#include "engine/config/compiler.h"
#include "engine/config/pipeline_config.h"

namespace logpipe {

struct LfvPluginMock {
  std::string id;
  // The replacement, already parsed; null: remove the plugin.
  std::shared_ptr<config::AstPlugin> replacement;
};

// Reads FILE. A mock's text is parsed as a pseudo file named
// "FILE: mock ID" (the text wrapped in `filter {` and `}`, so its first line
// is line 2), appended to `sources` so that errors in it, and in its options
// when the config compiles, point at its line and column. Throws
// LfvCaseError for unreadable YAML or an entry without an id, and
// config::ConfigException for a mock that is not one plugin block.
std::vector<LfvPluginMock> load_lfv_plugin_mocks(const std::string& path, std::vector<config::SourceFile>& sources);

// Applies the mocks to every section and nested if/else body of `ast`.
// Returns how many plugins were replaced or removed.
size_t apply_lfv_plugin_mocks(config::AstConfig& ast, const std::vector<LfvPluginMock>& mocks);

// The filter-test form of `ast` (see above).
config::AstConfig lfv_test_config(const config::AstConfig& ast);

// Parses `sources`, applies the mocks of `plugin_mock_path` ("": none) and
// compiles the filter-test form. Throws config::ConfigException (mock
// pseudo files are appended to `sources` for its messages) or LfvCaseError.
std::shared_ptr<PipelineConfig> load_lfv_test_pipeline(std::vector<config::SourceFile>& sources,
                                                       const std::string& plugin_mock_path,
                                                       const config::CompileOptions& options = {});

}  // namespace logpipe
