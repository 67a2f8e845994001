// drop filter: cancels the events that reach it (usually under a conditional).
//
// `percentage` (default 100) drops that share of events at random, as
// Logstash's `rand < percentage / 100`: 100 or more drops everything, 0 or less
// nothing. Events that are kept get the common add_field/add_tag/... (Logstash
// applies them to every event; on a dropped one they are invisible).
//
// One instance per filter worker, each with its own pseudo-random generator:
// no locking. The generator is seeded from the OS unless a seed is given
// (tests pass one to get a repeatable sequence).
#pragma once

#include <cstdint>

#include "engine/plugin.h"

namespace logpipe {

PluginInfo drop_filter_info();

class DropFilter : public Filter {
 public:
  DropFilter(const PluginArgs& args, uint64_t seed);
  void filter(Event& e, FilterContext& ctx) override;

 private:
  double next_unit();  // uniform in [0, 1)

  enum class Mode { All, None, Share } mode_;
  double share_ = 1.0;  // for Mode::Share: fraction of events dropped
  uint64_t state_;
};

}  // namespace logpipe
