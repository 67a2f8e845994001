// LumberjackDecoder on bytes written out by hand from the protocol's
// description (version, type, u32 big-endian fields), sliced every way a
// socket could slice them, and on each kind of bad input.
#include "inputs/beats/lumberjack_decoder.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <vector>

namespace logpipe {
namespace {

using namespace std::string_literals;

// Records what the decoder hands on, as text: "W2:3", "J2:1:{...}", "D1:7:k=v,".
struct Recorder : LumberjackHandler {
  std::vector<std::string> seen;
  void on_window(char v, uint32_t size) override {
    seen.push_back("W"s + v + ":" + std::to_string(size));
  }
  void on_json(char v, uint32_t seq, std::string_view json) override {
    seen.push_back("J"s + v + ":" + std::to_string(seq) + ":" + std::string(json));
  }
  void on_pairs(char v, uint32_t seq,
                const std::vector<std::pair<std::string_view, std::string_view>>& pairs) override {
    std::string s = "D"s + v + ":" + std::to_string(seq) + ":";
    for (auto& [k, val] : pairs) s += std::string(k) + "=" + std::string(val) + ",";
    seen.push_back(s);
  }
};

// A window of 2 and two JSON frames, byte by byte as the protocol lays them out.
const std::string kWindowAndTwoFrames =
    "2W\x00\x00\x00\x02"s
    "2J\x00\x00\x00\x01\x00\x00\x00\x07{\"a\":1}"s
    "2J\x00\x00\x00\x02\x00\x00\x00\x09{\"b\":\"x\"}"s;

TEST(LumberjackDecoder, HandBuiltFramesGiveTheWindowAndEachDocumentInOrder) {
  Recorder r;
  LumberjackDecoder d;
  ASSERT_TRUE(d.feed(kWindowAndTwoFrames, r)) << d.error();
  EXPECT_EQ(r.seen, (std::vector<std::string>{"W2:2", "J2:1:{\"a\":1}", "J2:2:{\"b\":\"x\"}"}));
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(LumberjackDecoder, AnySlicingGivesTheSameFrames) {
  for (size_t step : {1, 2, 3, 5, 7, 11, 64}) {
    Recorder r;
    LumberjackDecoder d;
    for (size_t off = 0; off < kWindowAndTwoFrames.size(); off += step)
      ASSERT_TRUE(d.feed(std::string_view(kWindowAndTwoFrames).substr(off, step), r)) << d.error();
    EXPECT_EQ(r.seen.size(), 3u) << "step " << step;
    EXPECT_EQ(r.seen.back(), "J2:2:{\"b\":\"x\"}") << "step " << step;
    EXPECT_EQ(d.buffered(), 0u);
  }
}

TEST(LumberjackDecoder, BuildersWriteTheSameBytesAsTheProtocolDescription) {
  EXPECT_EQ(
      lumberjack_window(2) + lumberjack_json(1, "{\"a\":1}") + lumberjack_json(2, "{\"b\":\"x\"}"),
      kWindowAndTwoFrames);
  EXPECT_EQ(lumberjack_ack('2', 5), "2A\x00\x00\x00\x05"s);
  EXPECT_EQ(lumberjack_ack('1', 0x01020304), "1A\x01\x02\x03\x04"s);
  EXPECT_EQ(lumberjack_pairs(7, {{"line", "hi"}}),
            "1D\x00\x00\x00\x07\x00\x00\x00\x01\x00\x00\x00\x04line\x00\x00\x00\x02hi"s);
}

TEST(LumberjackDecoder, CompressedFrameHoldsFurtherFrames) {
  std::string inner = lumberjack_json(1, "{\"a\":1}") + lumberjack_json(2, "{\"a\":2}");
  // Made with zlib directly, not with the builder under test.
  uLongf size = compressBound(inner.size());
  std::string z(size, '\0');
  ASSERT_EQ(compress(reinterpret_cast<Bytef*>(z.data()), &size,
                     reinterpret_cast<const Bytef*>(inner.data()), inner.size()),
            Z_OK);
  z.resize(size);
  std::string frame =
      "2C"s + char(size >> 24) + char(size >> 16) + char(size >> 8) + char(size) + z;
  EXPECT_EQ(frame, lumberjack_compressed(inner));
  Recorder r;
  LumberjackDecoder d;
  ASSERT_TRUE(d.feed(lumberjack_window(2) + frame, r)) << d.error();
  EXPECT_EQ(r.seen, (std::vector<std::string>{"W2:2", "J2:1:{\"a\":1}", "J2:2:{\"a\":2}"}));
}

TEST(LumberjackDecoder, VersionOneKeyValueFrames) {
  Recorder r;
  LumberjackDecoder d;
  ASSERT_TRUE(d.feed(
      lumberjack_window(1, '1') + lumberjack_pairs(1, {{"line", "hello"}, {"file", "/var/log/x"}}),
      r));
  EXPECT_EQ(r.seen, (std::vector<std::string>{"W1:1", "D1:1:line=hello,file=/var/log/x,"}));
}

struct BadInput {
  const char* name;
  std::string bytes;
  const char* error_has;
};

TEST(LumberjackDecoder, BadInputIsRefusedWithAReason) {
  LumberjackLimits small;
  small.max_payload = 1024;
  small.max_decompressed = 4096;
  std::string bomb_inner = lumberjack_json(1, "{\"m\":\"" + std::string(8000, 'a') + "\"}");
  const std::vector<BadInput> cases = {
      {"unknown version", "3W\x00\x00\x00\x01"s, "unknown protocol version '3'"},
      {"http request", "GET / HTTP/1.1\r\n", "unknown protocol version 'G'"},
      {"unknown type", "2Z\x00\x00\x00\x01"s, "unknown frame type 'Z'"},
      {"oversized json", "2J\x00\x00\x00\x01\x7f\xff\xff\xff"s, "over the limit of 1024"},
      {"oversized compressed", "2C\x10\x00\x00\x00"s, "over the limit of 1024"},
      {"absurd pair count", "1D\x00\x00\x00\x01\xff\xff\xff\xff"s, "over the limit"},
      {"corrupt zlib",
       "2C\x00\x00\x00\x04"
       "abcd"s,
       "corrupt or truncated zlib"},
      {"inflates too far", lumberjack_compressed(bomb_inner), "inflates past the limit of 4096"},
      {"partial frame inside", lumberjack_compressed(lumberjack_json(1, "{}").substr(0, 8)),
       "ends inside a frame"},
  };
  for (const BadInput& c : cases) {
    Recorder r;
    LumberjackDecoder d(small);
    EXPECT_FALSE(d.feed(c.bytes, r)) << c.name;
    EXPECT_NE(d.error().find(c.error_has), std::string::npos) << c.name << ": " << d.error();
    EXPECT_FALSE(d.feed(lumberjack_window(1), r)) << c.name << ": a failed stream stays failed";
  }
}

TEST(LumberjackDecoder, FramesBeforeTheBadOneAreStillHandedOn) {
  Recorder r;
  LumberjackDecoder d;
  EXPECT_FALSE(d.feed(lumberjack_window(1) + lumberjack_json(1, "{}") + "2Q", r));
  EXPECT_EQ(r.seen.size(), 2u);
}

}  // namespace
}  // namespace logpipe
