// generator input: emits the same message, or the same list of lines, over and
// over — Logstash's `generator`, used for benchmarks and tests.
//
// A round is the one `message` or every line of `lines`, in order; `count`
// rounds are emitted (0: until shutdown). Each event gets `sequence`, the
// 0-based round number, and `host`, this machine's name (legacy, non-ECS
// field names). message => "stdin" reads one line from stdin and repeats it.
//
// Threads: run() on the input's own thread; stop() from any thread. The loop
// checks for shutdown every 64 events, so stopping is prompt even at millions
// of events a second.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "engine/event/field_ref.h"
#include "engine/plugin.h"

namespace logpipe {

PluginInfo generator_input_info();

class GeneratorInput : public Input {
 public:
  explicit GeneratorInput(const PluginArgs& args);
  void run(InputContext& ctx) override;
  void stop() override { stop_requested_.store(true, std::memory_order_relaxed); }

 private:
  void finish(Event& e, const int64_t* round);

  std::string message_;
  std::vector<std::string> lines_;
  int64_t count_ = 0;
  std::string host_;
  FieldRef host_field_, sequence_field_;  // by ecs_compatibility
  std::unique_ptr<Codec> codec_;
  std::atomic<bool> stop_requested_{false};
};

}  // namespace logpipe
