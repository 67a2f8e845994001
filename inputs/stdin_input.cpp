#include "inputs/stdin_input.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "engine/config/typed_options.h"
#include "engine/event/ecs.h"
#include "engine/system/log.h"
#include "engine/system/system_io.h"

namespace logpipe {

namespace {

constexpr size_t kReadBytes = 64 * 1024;

struct StdinOptions {
  std::string ecs_compatibility;
};

const OptionSchema<StdinOptions>& stdin_schema() {
  static const OptionSchema<StdinOptions> schema = [] {
    OptionSchema<StdinOptions> s;
    declare_ecs_compatibility(s, &StdinOptions::ecs_compatibility,
                              "host; ECS: [host][hostname] and the line in [event][original]");
    return s;
  }();
  return schema;
}

}  // namespace

StdinInput::StdinInput(const PluginArgs& args, int fd, size_t max_pending_bytes)
    : Input(args), fd_(fd), max_pending_bytes_(max_pending_bytes), host_(local_hostname()) {
  StdinOptions o = stdin_schema().bind(args.settings);
  const EcsMode ecs = ecs_mode(o.ecs_compatibility);
  host_field_ = ecs_field(ecs, "host", "[host][hostname]");
  if (ecs != EcsMode::Disabled) original_field_ = FieldRef::must("[event][original]");
  if (args.make_codec) codec_ = args.make_codec();
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  // Without it stop() still works, only later: at the next poll timeout.
  if (wake_fd_ < 0) log_warn("stdin {}: eventfd failed: {}", id(), strerror(errno));
}

StdinInput::~StdinInput() {
  if (wake_fd_ >= 0) close(wake_fd_);
}

void StdinInput::stop() {
  stop_requested_.store(true, std::memory_order_relaxed);
  if (wake_fd_ >= 0) {
    uint64_t one = 1;
    ssize_t r = write(wake_fd_, &one, sizeof one);
    (void)r;  // EAGAIN means a wake-up is already pending
  }
}

void StdinInput::decode(std::string_view data, const EventSink& sink) {
  if (codec_) {
    codec_->decode(data, sink);
    return;
  }
  // No codec (unit tests): split lines here, as the line codec would.
  size_t start = 0;
  for (size_t nl; (nl = data.find('\n', start)) != std::string_view::npos; start = nl + 1) {
    if (partial_line_.empty()) {
      sink(Event(std::string(data.substr(start, nl - start))));
    } else {
      partial_line_.append(data.substr(start, nl - start));
      sink(Event(std::move(partial_line_)));
      partial_line_.clear();
    }
  }
  partial_line_.append(data.substr(start));
}

void StdinInput::flush_codec(const EventSink& sink) {
  if (codec_) {
    codec_->flush(sink);
  } else if (!partial_line_.empty()) {
    sink(Event(std::move(partial_line_)));
    partial_line_.clear();
  }
}

void StdinInput::run(InputContext& ctx) {
  const EventSink sink = [&](Event&& e) {
    bytes_since_event_ = 0;
    if (original_field_ && !e.has(*original_field_))
      if (const Value* m = e.get_top("message")) e.set(*original_field_, *m);
    set_unless_present(e, host_field_, Value(host_));
    if (forced_flush_) e.add_tag("_line_too_long");
    ctx.push(std::move(e));
  };
  std::vector<char> buf(kReadBytes);
  const size_t slice = std::max<size_t>(1, std::min(kReadBytes, max_pending_bytes_ / 4));
  pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  const nfds_t nfds = wake_fd_ >= 0 ? 2 : 1;

  while (!ctx.stopping() && !stop_requested_.load(std::memory_order_relaxed)) {
    int n = poll(fds, nfds, ctx.poll_interval_ms());
    if (codec_) codec_->tick(std::chrono::steady_clock::now(), sink);
    ctx.tick();
    if (n < 0) {
      if (errno == EINTR) continue;
      log_error("stdin {}: poll failed: {}", id(), strerror(errno));
      break;
    }
    if (n == 0) continue;
    if (nfds == 2 && fds[1].revents) break;  // stop()
    if (fds[0].revents & POLLNVAL) {
      log_warn("stdin {}: standard input is closed", id());
      break;
    }
    if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    ssize_t got = read(fd_, buf.data(), buf.size());
    if (got > 0) {
      // In slices, so that "bytes since the last event" is known to a slice,
      // however the reads happen to be cut.
      std::string_view data(buf.data(), static_cast<size_t>(got));
      for (size_t off = 0; off < data.size(); off += slice) {
        std::string_view part = data.substr(off, slice);
        bytes_since_event_ += part.size();
        decode(part, sink);
        if (bytes_since_event_ >= max_pending_bytes_) {
          forced_flush_ = true;
          flush_codec(sink);
          forced_flush_ = false;
          bytes_since_event_ = 0;
        }
      }
      continue;
    }
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (got < 0) log_error("stdin {}: read failed: {}", id(), strerror(errno));
    break;  // end of input (or an error that will not go away)
  }
  // On shutdown too: bytes already read are not thrown away.
  flush_codec(sink);
  ctx.flush();
}

PluginInfo stdin_input_info() {
  PluginInfo info;
  info.name = "stdin";
  info.kind = PluginKind::Input;
  info.description = "Reads events from standard input, one per line with the default codec.";
  info.default_codec = "line";
  info.streaming_input = true;
  info.options = stdin_schema().specs();
  info.make_input = [](const PluginArgs& args) -> std::unique_ptr<Input> {
    return std::make_unique<StdinInput>(args);
  };
  return info;
}

}  // namespace logpipe
