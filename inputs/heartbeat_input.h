// heartbeat input: one event every `interval` seconds, to watch that a
// pipeline is alive — Logstash's `heartbeat` input.
//
// Each event has `message` and the host name (legacy `host`, ECS
// [host][name]). With `sequence` => epoch or sequence the event also carries
// the Unix time or the 1-based event number (legacy `clock`, ECS
// [event][sequence]). In legacy mode, as in Logstash, message => "epoch" or
// "sequence" without `sequence` means that sequence and no message. After
// `count` events (-1: never) run() returns.
//
// Threads: run() on the input's thread waits on a condition variable, waking
// every poll interval to tick the batch and look for shutdown, so stop() (any
// thread) ends it at once rather than after a whole interval.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>

#include "engine/event/field_ref.h"
#include "engine/plugin.h"

namespace logpipe {

PluginInfo heartbeat_input_info();

class HeartbeatInput : public Input {
 public:
  explicit HeartbeatInput(const PluginArgs& args);
  void run(InputContext& ctx) override;
  void stop() override;

  // The event number `n` (1-based) would be, at Unix time `epoch`.
  Event make_event(int64_t n, int64_t epoch) const;

 private:
  enum class Sequence { None, Epoch, Count };

  std::optional<std::string> message_;
  Sequence sequence_ = Sequence::None;
  double interval_s_ = 60;
  int64_t count_ = -1;
  bool ecs_ = false;
  FieldRef host_field_, sequence_field_;
  std::string host_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_requested_ = false;
};

}  // namespace logpipe
