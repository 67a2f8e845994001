// Syslog over TCP: the RFC 6587 framer cutting a byte stream delivered in
// arbitrary chunks, and the RFC 3164/5424 parser on every frame.
// Oracle: the frames do not depend on how the stream was chunked (the framer
// holds partial frames itself), so the stream is also fed in one piece and
// the two frame lists must agree.
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz/fuzz_input.h"
#include "inputs/syslog/syslog_framer.h"
#include "inputs/syslog/syslog_parser.h"

using namespace logpipe;

namespace {

struct Frame {
  std::string text;
  bool truncated;
  bool incomplete;
  bool operator==(const Frame& o) const {
    return text == o.text && truncated == o.truncated && incomplete == o.incomplete;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput in(data, size);
  size_t max_frame = 1 + in.byte() * 4;
  uint8_t chunk_seed = in.byte();
  std::string_view stream = in.rest();

  std::vector<Frame> chunked, whole;
  auto collect = [](std::vector<Frame>& to) {
    return [&to](std::string_view f, FrameFlags flags) {
      to.push_back({std::string(f), flags.truncated, flags.incomplete});
    };
  };
  SyslogFramer a(max_frame);
  size_t chunk = 1 + chunk_seed % 13;
  for (size_t pos = 0; pos < stream.size(); pos += chunk) a.feed(stream.substr(pos, chunk), collect(chunked));
  a.finish(collect(chunked));
  SyslogFramer b(max_frame);
  b.feed(stream, collect(whole));
  b.finish(collect(whole));
  if (!(chunked == whole)) abort();

  static const SyslogParser parser;
  Timestamp received = Timestamp::from_seconds(1700000000);
  for (const Frame& f : whole) parser.parse(f.text, received);
  // The whole stream as one UDP datagram.
  parser.parse(stream, received);
  return 0;
}
