// LumberjackDecoder: the Lumberjack (Beats) wire protocol, bytes to frames,
// without sockets, so it can be tested and benchmarked on its own.
//
// Every frame starts with a version byte ('2', or '1' for the old
// logstash-forwarder) and a type byte; integers are u32 big-endian:
//   W  window size: u32 count. The client sends that many data frames, then
//      waits for the ack of the last one.
//   J  JSON data: u32 seq, u32 length, a JSON document (v2).
//   D  key/value data: u32 seq, u32 pair count, then per pair u32 key length,
//      key, u32 value length, value (v1).
//   C  compressed: u32 length, then a zlib stream holding further frames.
//   A  ack (server to client): u32 seq. See lumberjack_ack().
//
// Contract: feed() takes bytes as they arrive, in any slicing, and calls the
// handler once per data frame, in order. A frame is handed on only when it is
// whole. Bad input (unknown version or type, a length over the limits, a zlib
// stream that is corrupt, inflates past max_decompressed or holds a partial
// frame) makes feed() return false with error() saying why; the stream cannot
// be resynchronised, so the caller closes the connection. Memory is bounded by
// max_payload (buffered bytes) and max_decompressed. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace logpipe {

class LumberjackHandler {
 public:
  virtual ~LumberjackHandler() = default;
  virtual void on_window(char version, uint32_t size) = 0;
  virtual void on_json(char version, uint32_t seq, std::string_view json) = 0;
  virtual void on_pairs(
      char version, uint32_t seq,
      const std::vector<std::pair<std::string_view, std::string_view>>& pairs) = 0;
};

struct LumberjackLimits {
  size_t max_payload = size_t{16} << 20;       // a J, D or C frame's bytes
  size_t max_decompressed = size_t{64} << 20;  // what one C frame may inflate to
};

class LumberjackDecoder {
 public:
  explicit LumberjackDecoder(LumberjackLimits limits = {}) : limits_(limits) {}

  // False on a protocol error (then error() says why; feed no more).
  bool feed(std::string_view data, LumberjackHandler& handler);
  const std::string& error() const { return error_; }
  // Bytes held while waiting for the rest of a frame.
  size_t buffered() const { return buffer_.size() - start_; }

 private:
  enum class Step { Frame, NeedMore, Error };
  Step next_frame(std::string_view in, size_t& used, LumberjackHandler& handler, int depth);
  bool inflate_frames(std::string_view compressed, LumberjackHandler& handler, int depth);
  Step fail(std::string why);

  LumberjackLimits limits_;
  std::string buffer_;
  size_t start_ = 0;
  std::string error_;
  std::vector<std::pair<std::string_view, std::string_view>> pairs_;
};

// The ack frame for `seq` in the client's protocol version.
std::string lumberjack_ack(char version, uint32_t seq);

// Frame builders, for tests, benchmarks and clients.
std::string lumberjack_window(uint32_t size, char version = '2');
std::string lumberjack_json(uint32_t seq, std::string_view json);
std::string lumberjack_pairs(uint32_t seq,
                             const std::vector<std::pair<std::string, std::string>>& pairs);
std::string lumberjack_compressed(std::string_view frames, int level = 6, char version = '2');

}  // namespace logpipe
