#include "inputs/generator_input.h"

#include <unistd.h>

#include <iostream>

#include "engine/config/typed_options.h"
#include "engine/event/ecs.h"
#include "engine/system/log.h"
#include "engine/system/system_io.h"

namespace logpipe {

namespace {

// How often the loop looks at the clock of the batch delay and for shutdown.
constexpr unsigned kCheckEvery = 64;

struct GeneratorOptions {
  std::string message;
  std::vector<std::string> lines;
  int64_t count = 0;
  int64_t threads = 1;
  std::string ecs_compatibility;
};

const OptionSchema<GeneratorOptions>& generator_schema() {
  static const OptionSchema<GeneratorOptions> schema = [] {
    OptionSchema<GeneratorOptions> s;
    s.string("message", &GeneratorOptions::message,
             "The message of every event; \"stdin\" reads one line from stdin and uses it.")
        .fallback("Hello world!");
    s.strings("lines", &GeneratorOptions::lines,
              "Lines emitted in order, every round; replaces `message`.");
    s.integer("count", &GeneratorOptions::count, "Number of rounds to emit; 0 means without end.")
        .fallback(0);
    s.integer("threads", &GeneratorOptions::threads,
              "Accepted for compatibility; one thread generates.")
        .fallback(1)
        .no_effect();
    declare_ecs_compatibility(s, &GeneratorOptions::ecs_compatibility,
                              "host, sequence; ECS: [host][name], [event][sequence]");
    return s;
  }();
  return schema;
}

}  // namespace

GeneratorInput::GeneratorInput(const PluginArgs& args) : Input(args), host_(local_hostname()) {
  GeneratorOptions o = generator_schema().bind(args.settings);
  message_ = std::move(o.message);
  lines_ = std::move(o.lines);
  count_ = o.count;
  const EcsMode ecs = ecs_mode(o.ecs_compatibility);
  host_field_ = ecs_field(ecs, "host", "[host][name]");
  sequence_field_ = ecs_field(ecs, "sequence", "[event][sequence]");
  if (o.threads > 1 && args.env.validating)
    log_warn("generator {}: threads > 1 is accepted but one thread generates", id());
  if (args.make_codec) codec_ = args.make_codec();
}

void GeneratorInput::finish(Event& e, const int64_t* round) {
  set_unless_present(e, host_field_, Value(host_));
  if (round) e.set(sequence_field_, Value(*round));
}

void GeneratorInput::run(InputContext& ctx) {
  std::vector<std::string> lines = lines_;
  if (lines.empty()) {
    std::string message = message_;
    if (message == "stdin") {
      // As Logstash's readline: the line keeps its newline.
      std::getline(std::cin, message);
      if (!std::cin.eof()) message.push_back('\n');
    }
    lines.push_back(std::move(message));
  }

  int64_t round = 0;
  // Built once: a std::function per event would cost an allocation.
  const EventSink sink = [&](Event&& e) {
    finish(e, &round);
    ctx.push(std::move(e));
  };
  unsigned until_check = kCheckEvery;
  bool stopped = false;
  while (!stopped && (count_ <= 0 || round < count_)) {
    for (const std::string& line : lines) {
      if (--until_check == 0) {
        until_check = kCheckEvery;
        if (ctx.stopping() || stop_requested_.load(std::memory_order_relaxed)) {
          stopped = true;
          break;
        }
        ctx.tick();
      }
      if (codec_) {
        codec_->decode(line, sink);
      } else {
        Event e(line, Timestamp::now());
        finish(e, &round);
        ctx.push(std::move(e));
      }
    }
    ++round;
  }

  if (codec_) {
    codec_->flush([&](Event&& e) {
      finish(e, nullptr);
      ctx.push(std::move(e));
    });
  }
  ctx.flush();
}

PluginInfo generator_input_info() {
  PluginInfo info;
  info.name = "generator";
  info.kind = PluginKind::Input;
  info.description = "Generates the same message or lines repeatedly, for tests and benchmarks.";
  info.default_codec = "plain";
  info.options = generator_schema().specs();
  info.make_input = [](const PluginArgs& args) -> std::unique_ptr<Input> {
    return std::make_unique<GeneratorInput>(args);
  };
  return info;
}

}  // namespace logpipe
