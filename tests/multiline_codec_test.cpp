// multiline codec: lines joined by pattern/what/negate, tags, limits, the
// auto flush on tick(), charset and both field-naming modes — the behaviour
// of Logstash's multiline codec and its spec.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/codecs/codecs.h"
#include "tests/plugin_test_support.h"

namespace logpipe {
namespace {

using testing::make_test_codec;
using testing::opts;

struct Collected {
  std::vector<Event> events;
  EventSink sink() {
    return [this](Event&& e) { events.push_back(std::move(e)); };
  }
  std::vector<std::string> messages() const {
    std::vector<std::string> out;
    for (auto& e : events) out.push_back(e.message() ? *e.message() : "<none>");
    return out;
  }
};

std::vector<std::string> tags_of(const Event& e) {
  std::vector<std::string> out;
  if (const Value* t = e.get_top("tags"))
    for (auto& v : t->as_array()) out.push_back(v.as_string());
  return out;
}

std::unique_ptr<Codec> multiline(Object o) { return make_test_codec(multiline_codec_info(), o); }

// Lines decoded one by one, then the end of the stream.
Collected run(Codec& c, const std::vector<std::string>& lines) {
  Collected got;
  for (auto& l : lines) c.decode_line(l, got.sink());
  c.flush(got.sink());
  return got;
}

struct JoinCase {
  const char* name;
  const char* pattern;
  const char* what;
  bool negate;
  std::vector<std::string> lines;
  std::vector<std::string> events;
};

class MultilineJoinTest : public ::testing::TestWithParam<JoinCase> {};

TEST_P(MultilineJoinTest, JoinsLinesAsLogstash) {
  const JoinCase& c = GetParam();
  auto codec = multiline(opts({{"pattern", Value(c.pattern)},
                               {"what", Value(c.what)},
                               {"negate", Value(c.negate)}}));
  EXPECT_EQ(run(*codec, c.lines).messages(), c.events);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MultilineJoinTest,
    ::testing::Values(
        // Logstash spec: indented lines continue the previous one.
        JoinCase{"IndentedContinuesPrevious", "^\\s", "previous", false,
                 {"hello world", "   second line", "another first line"},
                 {"hello world\n   second line", "another first line"}},
        // Logstash spec: lines not starting with a digit continue the previous.
        JoinCase{"NegatedDigitStart", "^\\d", "previous", true,
                 {"1234567890", "A234567890", "B234567890", "0987654321"},
                 {"1234567890\nA234567890\nB234567890", "0987654321"}},
        // A trailing backslash joins the next line.
        JoinCase{"BackslashJoinsNext", "\\\\$", "next", false,
                 {"one \\", "two \\", "three", "four"},
                 {"one \\\ntwo \\\nthree", "four"}},
        // Grok patterns: a Java stack trace belongs to its timestamped line.
        JoinCase{"GrokTimestampStartsEvent", "^%{TIMESTAMP_ISO8601} ", "previous", true,
                 {"2026-12-02 10:00:00 ERROR boom",
                  "java.lang.IllegalStateException: bad",
                  "\tat com.example.A.run(A.java:10)",
                  "\tat com.example.B.main(B.java:3)",
                  "2026-12-02 10:00:01 INFO fine"},
                 {"2026-12-02 10:00:00 ERROR boom\njava.lang.IllegalStateException: bad\n"
                  "\tat com.example.A.run(A.java:10)\n\tat com.example.B.main(B.java:3)",
                  "2026-12-02 10:00:01 INFO fine"}},
        // The first line may itself match: it just starts the buffer.
        JoinCase{"FirstLineMatching", "^\\s", "previous", false,
                 {"  orphan", "head", " tail"}, {"  orphan", "head\n tail"}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(MultilineCodec, TagsJoinedEventsOnly) {
  auto codec = multiline(opts({{"pattern", Value("^\\s")}, {"what", Value("previous")}}));
  Collected got = run(*codec, {"hello world", "   second line", "another first line"});
  ASSERT_EQ(got.events.size(), 2u);
  EXPECT_EQ(tags_of(got.events[0]), std::vector<std::string>{"multiline"});
  EXPECT_EQ(got.events[1].get_top("tags"), nullptr);
  EXPECT_EQ(got.events[0].get(FieldRef::must("[event][original]")), nullptr);  // legacy mode
}

TEST(MultilineCodec, CustomTag) {
  auto codec = multiline(opts({{"pattern", Value("^\\s")},
                               {"what", Value("previous")},
                               {"multiline_tag", Value("hurray")}}));
  Collected got = run(*codec, {"hello world", "   second line", "another first line"});
  ASSERT_EQ(got.events.size(), 2u);
  EXPECT_EQ(tags_of(got.events[0]), std::vector<std::string>{"hurray"});
}

TEST(MultilineCodec, EcsModeKeepsEventOriginal) {
  for (const char* mode : {"v1", "v8"}) {
    auto codec = multiline(opts({{"pattern", Value("^\\s")},
                                 {"what", Value("previous")},
                                 {"ecs_compatibility", Value(mode)}}));
    Collected got = run(*codec, {"hello world", "   second line", "next"});
    ASSERT_EQ(got.events.size(), 2u) << mode;
    const Value* original = got.events[0].get(FieldRef::must("[event][original]"));
    ASSERT_NE(original, nullptr) << mode;
    EXPECT_EQ(original->as_string(), "hello world\n   second line");
  }
}

TEST(MultilineCodec, MaxLinesFlushesAndTags) {
  // Logstash flushes once the buffer holds more than max_lines lines.
  auto codec = multiline(opts({{"pattern", Value("^\\s")},
                               {"what", Value("previous")},
                               {"max_lines", Value(int64_t{2})}}));
  Collected got = run(*codec, {"a", " 1", " 2", " 3", " 4", "b"});
  EXPECT_EQ(got.messages(), (std::vector<std::string>{"a\n 1\n 2", " 3\n 4", "b"}));
  EXPECT_EQ(tags_of(got.events[0]),
            (std::vector<std::string>{"multiline", "multiline_codec_max_lines_reached"}));
  EXPECT_EQ(tags_of(got.events[1]), std::vector<std::string>{"multiline"});
}

TEST(MultilineCodec, MaxBytesFlushesAndTags) {
  auto codec = multiline(opts({{"pattern", Value("^\\s")},
                               {"what", Value("previous")},
                               {"max_bytes", Value("10")}}));
  Collected got = run(*codec, {"abcdef", " ghijk", " l", "next"});
  EXPECT_EQ(got.messages(), (std::vector<std::string>{"abcdef\n ghijk", " l", "next"}));
  EXPECT_EQ(tags_of(got.events[0]),
            (std::vector<std::string>{"multiline", "multiline_codec_max_bytes_reached"}));
}

TEST(MultilineCodec, AutoFlushIntervalEmitsOnTick) {
  auto codec = multiline(opts({{"pattern", Value("^\\s")},
                               {"what", Value("previous")},
                               {"auto_flush_interval", Value(1.0)}}));
  Collected got;
  codec->decode_line("head", got.sink());
  codec->decode_line(" tail", got.sink());
  const auto now = std::chrono::steady_clock::now();
  codec->tick(now, got.sink());
  EXPECT_TRUE(got.events.empty());  // not idle long enough yet
  codec->tick(now + std::chrono::milliseconds(1100), got.sink());
  EXPECT_EQ(got.messages(), std::vector<std::string>{"head\n tail"});
  codec->tick(now + std::chrono::seconds(5), got.sink());
  EXPECT_EQ(got.events.size(), 1u);  // nothing left
}

TEST(MultilineCodec, WithoutAutoFlushTickKeepsTheBuffer) {
  auto codec = multiline(opts({{"pattern", Value("^\\s")}, {"what", Value("previous")}}));
  Collected got;
  codec->decode_line("head", got.sink());
  codec->tick(std::chrono::steady_clock::now() + std::chrono::hours(1), got.sink());
  EXPECT_TRUE(got.events.empty());
}

TEST(MultilineCodec, StreamChunksKeepPartialLines) {
  auto codec = multiline(opts({{"pattern", Value("^\\s")}, {"what", Value("previous")}}));
  Collected got;
  codec->decode("first li", got.sink());
  codec->decode("ne\n  more\nsec", got.sink());
  codec->decode("ond\n", got.sink());
  EXPECT_EQ(got.messages(), std::vector<std::string>{"first line\n  more"});
  codec->flush(got.sink());
  EXPECT_EQ(got.messages(), (std::vector<std::string>{"first line\n  more", "second"}));
}

TEST(MultilineCodec, CharsetConvertsToUtf8) {
  auto codec = multiline(opts({{"pattern", Value("^\\s")},
                               {"what", Value("previous")},
                               {"charset", Value("ISO-8859-1")}}));
  Collected got = run(*codec, {"caf\xe9", " cr\xe8me"});
  EXPECT_EQ(got.messages(), std::vector<std::string>{"caf\xc3\xa9\n cr\xc3\xa8me"});
}

TEST(MultilineCodec, PatternsDirAddsPatterns) {
  std::string dir = ::testing::TempDir() + "/multiline_patterns";
  std::system(("mkdir -p '" + dir + "'").c_str());
  FILE* f = std::fopen((dir + "/extra").c_str(), "w");
  std::fputs("CONTINUATION ^\\+\\+\n", f);
  std::fclose(f);
  auto codec = multiline(opts({{"pattern", Value("%{CONTINUATION}")},
                               {"what", Value("previous")},
                               {"patterns_dir", Value(Array{Value(dir)})}}));
  EXPECT_EQ(run(*codec, {"a", "++b", "c"}).messages(), (std::vector<std::string>{"a\n++b", "c"}));
}

TEST(MultilineCodec, BadSettingsAreOptionErrors) {
  EXPECT_THROW(multiline(opts({{"pattern", Value("%{NO_SUCH_PATTERN}")}, {"what", Value("next")}})),
               OptionError);
  EXPECT_THROW(multiline(opts({{"pattern", Value("x")},
                               {"what", Value("next")},
                               {"auto_flush_interval", Value(0.0)}})),
               OptionError);
}

TEST(MultilineCodec, EncodeWritesEventText) {
  auto codec = multiline(opts({{"pattern", Value("x")}, {"what", Value("next")}}));
  Event e("hello", Timestamp{0});
  e.set_top("host", Value("h"));
  std::string out;
  codec->encode(e, out);
  EXPECT_EQ(out, "1970-01-01T00:00:00.000Z h hello");
}

}  // namespace
}  // namespace logpipe
