// `logpipe sandbox -f team/filter.conf [FILE...|-]`: runs a config's filter
// sections over sample lines exactly as the workers would (the config
// compiler, FilterGraph, the input codec chosen by --codec) with the inputs
// and outputs set aside, as a deploy replaces them. Prints each resulting
// event, which grok pattern matched or where every pattern failed, and a
// summary (events in/out, failures per tag, time per event of each filter).
// --watch re-runs when the config or a sample file changes; --http serves
// the same runs as a page (engine/cli/sandbox_page.h).
#pragma once

namespace logpipe {

// argv[0] is "sandbox". Returns 0, or 1 for a config that does not compile
// (without --watch), 2 for usage errors.
int run_sandbox_command(int argc, char** argv);

}  // namespace logpipe
