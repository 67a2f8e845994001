#include "outputs/stdout_output.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "engine/system_io.h"

namespace logpipe {

namespace {


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
    if (!write_fully(STDOUT_FILENO, buffer_))
      throw std::runtime_error(std::string("stdout: write failed: ") + std::strerror(errno));
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
