// LfvCaseSet: one Logstash Filter Verifier (LFV) test-case file, parsed.
//
// A file (JSON or YAML, chosen by its extension .json/.yaml/.yml) holds the
// keys LFV reads: fields, ignore, codec, input_plugin, export_metadata,
// export_outputs and
// testcases [{input, expected, description, fields}], plus the legacy flat
// top-level input/expected of LFV 1.x (run before the testcases, as 1.x did).
// Unknown keys are ignored; JSON keys match case-insensitively, YAML keys
// exactly, as in LFV. Bracket keys ("[a][b]") in fields and expected events
// are expanded into nested objects.
//
// A file that names `input_plugin` is run in LFV's daemon semantics (see
// lfv_runner.h); otherwise in its standalone semantics.
//
// load_lfv_case_set throws LfvCaseError ("path: reason") for a file that
// cannot be read or does not have the shape above.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "engine/event/value.h"

namespace logpipe {

struct LfvCaseError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct LfvCase {
  std::string description;
  std::vector<std::string> input;  // empty: one dummy event
  std::vector<Value> expected;     // objects
  Object fields;                   // daemon only: over the file's fields
};

struct LfvCaseSet {
  std::string path;
  Object fields;
  std::vector<std::string> ignore;  // "@version" always appended
  std::string codec = "line";
  std::string input_plugin;  // non-empty: daemon semantics
  bool export_metadata = false;
  bool export_outputs = false;  // daemon: each event names the output it reached
  std::vector<LfvCase> cases;
};

LfvCaseSet load_lfv_case_set(const std::string& path);
// The same from text; `path` names it in errors and picks the parser.
LfvCaseSet parse_lfv_case_set(const std::string& path, const std::string& text);

// CASES arguments to files: a file as given (it must end in .json, .yaml or
// .yml), a directory's such files (not recursive) in name order.
std::vector<std::string> discover_lfv_case_files(const std::vector<std::string>& paths);

// "[a][b]" keys become {"a": {"b": ...}}, recursively; other keys are kept.
Object expand_bracket_keys(const Object& o);

}  // namespace logpipe
