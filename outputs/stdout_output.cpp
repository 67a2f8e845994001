#include "outputs/stdout_output.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "engine/system/system_io.h"

namespace logpipe {

namespace {


class StdoutOutput : public Output {
 public:
  explicit StdoutOutput(const PluginArgs& args) : Output(args), make_codec_(args.make_codec) {
    // Built once here so that a codec that cannot be built fails validation.
    if (!make_codec_ || !make_codec_()) throw OptionError("codec", "stdout: no codec could be built");
  }

  // Events are encoded on the filter workers; this thread only writes.
  std::unique_ptr<OutputEncoder> make_encoder() override {
    return std::make_unique<CodecEncoder>(make_codec_());
  }

  void deliver(OutputWork& work) override {
    if (!write_fully(STDOUT_FILENO, work.encoded_all()))
      throw std::runtime_error(std::string("stdout: write failed: ") + std::strerror(errno));
  }

 private:
  std::function<std::unique_ptr<Codec>()> make_codec_;
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
