// stdin input: reads events from standard input — Logstash's `stdin`.
//
// Bytes are read in chunks of up to 64 KiB and handed to the codec (default
// "line", which splits lines and keeps a partial last line until more data or
// end of input). Each event gets `host`, this machine's name, unless the codec
// already set one (legacy, non-ECS field name). End of input flushes the codec
// and the batch, then run() returns; every wake-up ticks the codec (multiline's
// auto_flush_interval).
//
// Bad input: a stream that brings max_pending_bytes (16 MiB) without producing
// an event (a line without end) makes the codec flush what it buffered, as an
// event tagged `_line_too_long`, so memory stays bounded whatever the codec.
//
// Threads: run() on the input's own thread; stop() from any thread wakes a
// run() blocked waiting for data (an eventfd polled beside the input fd).
// The fd is not owned: it is never closed here.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "engine/event/field_ref.h"
#include "engine/plugin.h"

namespace logpipe {

PluginInfo stdin_input_info();

constexpr size_t kStdinMaxPendingBytes = size_t{16} << 20;

class StdinInput : public Input {
 public:
  // fd: what to read; tests pass a pipe.
  explicit StdinInput(const PluginArgs& args, int fd = 0,
                      size_t max_pending_bytes = kStdinMaxPendingBytes);
  ~StdinInput() override;
  StdinInput(const StdinInput&) = delete;
  StdinInput& operator=(const StdinInput&) = delete;

  void run(InputContext& ctx) override;
  void stop() override;

 private:
  void decode(std::string_view data, const EventSink& sink);
  void flush_codec(const EventSink& sink);

  int fd_;
  size_t max_pending_bytes_;
  size_t bytes_since_event_ = 0;
  bool forced_flush_ = false;  // events now come from a flush forced by max_pending_bytes
  int wake_fd_ = -1;
  std::string host_;
  FieldRef host_field_;                    // by ecs_compatibility
  std::optional<FieldRef> original_field_;  // ECS: [event][original]
  std::unique_ptr<Codec> codec_;
  std::string partial_line_;  // without a codec: bytes after the last newline
  std::atomic<bool> stop_requested_{false};
};

}  // namespace logpipe
