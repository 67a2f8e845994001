// The JSON form of the fault knobs (POST /_fake/faults, GET /_fake/faults):
//
//   {"item_rules":[{"every_nth":3,"status":429,"limit":2},
//                  {"field":"user.id","value":"bad","status":400},
//                  {"id":"doc-7","status":503,"type":"...","reason":"..."}],
//    "request_statuses":[429,429,503],
//    "every_nth_request":{"n":5,"status":503},
//    "latency_ms":20,
//    "reset":{"every_nth":0,"next":1,"after_store":true},
//    "short_items_next":1,
//    "max_content_length":1000,
//    "refuse_ms":500}
//
// Each key present replaces that knob; absent keys are left as they are.
// "refuse_ms" (-1: until resumed) is an action, not a stored knob.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tests/tools/es_server/es_fake_server.h"

namespace logpipe::es_fake {

struct FaultsUpdate {
  Faults faults;                  // the knobs after the update
  std::optional<long> refuse_ms;  // set: start refusing connections
};

// Applies `json` to a copy of `current`. Returns "" and fills `out`, or what is wrong.
std::string parse_faults_json(std::string_view json, const Faults& current, FaultsUpdate& out);
std::string faults_to_json(const Faults& faults);

}  // namespace logpipe::es_fake
