// `logpipe test -f filter.conf [-f ...] [--junit FILE] CASES...`: runs LFV
// test-case files through the config's filters (see engine/testing/).
// Exit 0: every case passed; 1: some failed (diff on stdout); 2: usage or
// config error (config errors as file:line:column on stderr).
#pragma once

namespace logpipe {
int run_test_command(int argc, char** argv);  // argv[0] is "test"
}
