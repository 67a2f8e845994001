// The option reference, generated from the same OptionSpecs the compiler
// checks against, so the documentation cannot drift from the code.
// docs/plugins.md is this output; a test fails when it is stale.
#pragma once

#include <string>

namespace logpipe {

// Text for `logpipe --help-plugin NAME` (every kind with that name); "" if none.
std::string plugin_help(const std::string& name);
// Markdown for docs/plugins.md.
std::string plugin_reference_markdown();

}  // namespace logpipe
