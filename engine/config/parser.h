// Parser for the Logstash pipeline configuration language (LSCL).
//
// Turns configuration text into an AstConfig (ast.h) following the grammar
// Logstash accepts, quirks included (see conformance/LOGSTASH_CONFIG_FACTS.md,
// sections 1-5 and 8): `\"` never ends a string, barewords need two
// characters, attributes and hash entries are separated by whitespace only,
// `and`/`or` chains are grouped by Logstash's one-pop shunting-yard, and a
// condition mixing xor/nand with another boolean operator is rejected.
//
// Errors: parsing stops at the first error of a file (as Logstash does) and
// throws ConfigException whose error points at the first character that
// cannot be parsed; an unterminated string, regexp or block points at where
// it started. parse_configs parses each file on its own and reports the first
// error of every file.
//
// Pure functions of their input: thread-safe, no I/O, no environment lookups.
#pragma once

#include <vector>

#include "engine/config/ast.h"
#include "engine/config/config_error.h"

namespace logpipe::config {

struct ParseOptions {
  // config.support_escapes: \" \' \\ \n \r \t \0 in strings become the
  // character they name; otherwise strings keep their backslashes.
  bool support_escapes = false;
};

// Parses one file. Throws ConfigException (with exactly one error) on a syntax error.
AstConfig parse_config(const SourceFile& file, const ParseOptions& opts = {});

// Parses several files (already in the order -f gives them, i.e. sorted) and
// joins their sections in order. Throws ConfigException holding the first
// error of each file that has one.
AstConfig parse_configs(const std::vector<SourceFile>& files, const ParseOptions& opts = {});

}  // namespace logpipe::config
