// One sandbox run: a config's filter sections (its inputs and outputs set
// aside, as a deploy replaces them) over sample data decoded by the codec
// asked for, through FilterGraph as the workers run it, with the grok
// filters explaining each match and failure. Shared by `logpipe sandbox`
// on a terminal and its page (`--http`).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/config/config_error.h"
#include "engine/event/event.h"
#include "engine/event/value.h"

namespace logpipe {

struct SandboxRequest {
  std::vector<config::SourceFile> configs;
  std::string codec = "line";
  std::vector<std::string> samples;  // each sample file's bytes, decoded in turn
};

struct SandboxOutcome {
  bool compiled = false;
  // When not compiled: one message per error, "file:line:column: why" first.
  std::vector<std::string> errors;
  // When compiled: {"events_in", "events_out", "failures": {tag: n},
  // "filters": [{"id", "where", "events", "ns_per_event"}], "slowest_filter"}.
  Value summary;
};

// Called for each event the filters let through, in order, with what the
// grok filters reported on it (nullptr when nothing).
using SandboxEventFn = std::function<void(const Event& event, const std::vector<Value>* grok)>;

SandboxOutcome run_sandbox(const SandboxRequest& request, const SandboxEventFn& on_event);

// The event as a JSON value, as the outputs would write it.
Value sandbox_event_value(const Event& event);

}  // namespace logpipe
