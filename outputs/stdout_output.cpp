#include "outputs/stdout_output.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace logpipe {

namespace {

// Writes all of data to fd, through EINTR, partial writes and a non-blocking fd.
void write_fully(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n >= 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, -1);
      continue;
    }
    throw std::runtime_error(std::string("stdout: write failed: ") + std::strerror(errno));
  }
}

// A buffer that once held a huge batch gives its memory back.
constexpr size_t kKeepCapacity = 16 << 20;

class StdoutOutput : public Output {
 public:
  explicit StdoutOutput(const PluginArgs& args) : Output(args) {
    if (args.make_codec) codec_ = args.make_codec();
    if (!codec_) throw OptionError("codec", "stdout: no codec could be built");
  }

  void receive(const std::vector<const Event*>& events) override {
    buffer_.clear();
    for (const Event* e : events) codec_->encode(*e, buffer_);
    write_fully(STDOUT_FILENO, buffer_);
    if (buffer_.capacity() > kKeepCapacity) std::string().swap(buffer_);
  }

 private:
  std::unique_ptr<Codec> codec_;
  std::string buffer_;
};

}  // namespace

PluginInfo stdout_output_info() {
  PluginInfo info;
  info.name = "stdout";
  info.kind = PluginKind::Output;
  info.description = "Writes events to standard output, by default in the rubydebug layout.";
  info.default_codec = "rubydebug";
  info.make_output = [](const PluginArgs& args) -> std::unique_ptr<Output> {
    return std::make_unique<StdoutOutput>(args);
  };
  return info;
}

}  // namespace logpipe
