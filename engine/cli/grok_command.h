// `logpipe grok 'PATTERN' [LINE...]`: tries a grok expression on lines (from
// the arguments, else stdin) and prints, per line, the captures or where and
// why matching stopped. See `logpipe grok --help`.
#pragma once

namespace logpipe {

// argv[0] is "grok". Returns the exit status: 0 every line matched, 1 some
// did not, 2 usage or pattern errors.
int run_grok_command(int argc, char** argv);

}  // namespace logpipe
