// LfvRunner: runs LFV test-case sets through a config's filter section, with
// the FilterGraph the workers run, and compares the events as LFV does.
//
// Inputs and outputs of the config are set aside. Each input line (plus
// "\n") goes through the file's codec (standalone), or as it is through
// the codec written on the config's input named by input_plugin, plain
// when none is (daemon, whose generator input keeps a line's "\n"); fields are added as
// Logstash's add_field does (standalone: sprintf'd strings, appended) or set
// per top-level key keeping JSON types (daemon). Each event runs as a batch
// of one, as LFV's `-b 1`. Comparison is LFV's: the whole event, after the
// `ignore` fields (and @version) are removed from the actual event, must
// equal the expected event exactly (types matter, 1 == 1.0); counts first.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/config/pipeline_config.h"
#include "engine/testing/lfv_cases.h"

namespace logpipe {

struct LfvCaseResult {
  std::string description;
  std::vector<std::string> failures;  // empty: passed
};

struct LfvSetResult {
  std::string path;
  std::vector<LfvCaseResult> cases;
  std::string set_failure;  // a count mismatch fails the whole file
  double seconds = 0;
  bool passed() const;
};

class LfvRunner {
 public:
  // config: the filter-test form of the user's config (lfv_config.h), whose
  // inputs are input_plugin's candidates.
  explicit LfvRunner(std::shared_ptr<const PipelineConfig> config);
  LfvSetResult run(const LfvCaseSet& set);

 private:
  std::shared_ptr<const PipelineConfig> config_;
};

// Field-by-field text of one event's differences.
std::string lfv_event_diff(const Value& expected, const Value& actual);
std::string lfv_junit_xml(const std::vector<LfvSetResult>& results);

}  // namespace logpipe
