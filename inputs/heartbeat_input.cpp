#include "inputs/heartbeat_input.h"

#include <chrono>

#include "engine/config/typed_options.h"
#include "engine/event/ecs.h"
#include "engine/event/field_ref.h"
#include "engine/system/log.h"
#include "engine/system/system_io.h"

namespace logpipe {

namespace {

struct HeartbeatOptions {
  std::string message;
  double interval = 60;
  int64_t count = -1;
  std::optional<std::string> sequence;
  std::string ecs_compatibility;
};

const OptionSchema<HeartbeatOptions>& heartbeat_schema() {
  static const OptionSchema<HeartbeatOptions> schema = [] {
    OptionSchema<HeartbeatOptions> s;
    s.string(
         "message", &HeartbeatOptions::message,
         "The message of each event (legacy mode: \"epoch\" or \"sequence\" mean that `sequence`).")
        .fallback("ok");
    s.number("interval", &HeartbeatOptions::interval, "Seconds between events.")
        .fallback(60)
        .at_least(0);
    s.integer("count", &HeartbeatOptions::count, "How many events to emit; -1 means without end.")
        .fallback(-1);
    s.string("sequence", &HeartbeatOptions::sequence,
             "Also store none, epoch (Unix seconds) or sequence (1, 2, 3 ...) in clock / "
             "[event][sequence].")
        .one_of({"none", "epoch", "sequence"});
    s.accepted("threads", OptionType::Number, "Accepted; one thread emits.")
        .fallback(1)
        .no_effect();
    declare_ecs_compatibility(s, &HeartbeatOptions::ecs_compatibility, "host, clock");
    return s;
  }();
  return schema;
}

int64_t unix_seconds() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

HeartbeatInput::HeartbeatInput(const PluginArgs& args) : Input(args), host_(local_hostname()) {
  HeartbeatOptions o = heartbeat_schema().bind(args.settings);
  const EcsMode ecs = ecs_mode(o.ecs_compatibility);
  ecs_ = ecs != EcsMode::Disabled;
  host_field_ = ecs_field(ecs, "host", "[host][name]");
  sequence_field_ = ecs_field(ecs, "clock", "[event][sequence]");
  interval_s_ = o.interval;
  count_ = o.count;
  message_ = o.message;
  std::optional<std::string> sequence = o.sequence;
  if (!sequence && (o.message == "epoch" || o.message == "sequence")) {
    if (args.env.validating)
      log_warn(
          "heartbeat {}: message => \"{}\" chooses a sequence; use the `sequence` option for that",
          id(), o.message);
    if (!ecs_) {
      sequence = o.message;
      message_.reset();
    }
  }
  if (sequence == "epoch") sequence_ = Sequence::Epoch;
  if (sequence == "sequence") sequence_ = Sequence::Count;
}

Event HeartbeatInput::make_event(int64_t n, int64_t epoch) const {
  Event e;
  e.set_timestamp(Timestamp::now());
  if (sequence_ != Sequence::None)
    e.set(sequence_field_, Value(sequence_ == Sequence::Epoch ? epoch : n));
  e.set(host_field_, Value(host_));
  if (message_) e.set_top("message", Value(*message_));
  return e;
}

void HeartbeatInput::stop() {
  std::lock_guard<std::mutex> lock(mu_);
  stop_requested_ = true;
  cv_.notify_all();
}

void HeartbeatInput::run(InputContext& ctx) {
  using Clock = std::chrono::steady_clock;
  const auto interval =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(interval_s_));
  const auto poll = std::chrono::milliseconds(std::max(1, ctx.poll_interval_ms()));
  for (int64_t n = 1;; ++n) {
    auto start = Clock::now();
    ctx.push(make_event(n, unix_seconds()));
    if (n == count_) break;
    // The batch goes out now: a heartbeat that waits for the batch delay is late.
    ctx.flush();
    std::unique_lock<std::mutex> lock(mu_);
    for (auto next = start + interval; Clock::now() < next;) {
      if (stop_requested_ || ctx.stopping()) break;
      cv_.wait_until(lock, std::min(next, Clock::now() + poll));
      lock.unlock();
      ctx.tick();
      lock.lock();
    }
    if (stop_requested_ || ctx.stopping()) break;
  }
  ctx.flush();
}

PluginInfo heartbeat_input_info() {
  PluginInfo info;
  info.name = "heartbeat";
  info.kind = PluginKind::Input;
  info.description = "Emits an event every interval, to check that the pipeline is alive.";
  info.default_codec = "plain";
  info.options = heartbeat_schema().specs();
  info.make_input = [](const PluginArgs& args) -> std::unique_ptr<Input> {
    return std::make_unique<HeartbeatInput>(args);
  };
  return info;
}

}  // namespace logpipe
