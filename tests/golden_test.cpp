// The golden holdout: about a thousand lines of each log type (Apache
// combined, syslog, JSON, key=value, and text that needs escaping or UTF-8
// repair) through the real binary with one worker, file in, json_lines file
// out, compared byte for byte with the outputs checked in beside the inputs
// in tests/data/golden/. Those were written by the code before the
// performance work of issue 13; any change to them must be deliberate:
//   LOGPIPE_GOLDEN_UPDATE=1 build/release/tests/logpipe_tests --gtest_filter='Golden*'
// rewrites them (the inputs come from tests/data/golden/gen_inputs.py and
// bench/gen_apache.py -n 900 --malformed-rate 0.03 --seed 5).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "tests/logpipe_process.h"

namespace logpipe {
namespace {

const std::string kGoldenDir = std::string(LOGPIPE_SOURCE_DIR) + "/tests/data/golden/";

class GoldenTest : public testing::TempDirTest, public ::testing::WithParamInterface<const char*> {
 protected:
  GoldenTest() : TempDirTest("golden") {}
};

// The first line that differs, with its number, for a readable failure.
std::string first_difference(const std::string& want, const std::string& got) {
  auto a = testing::split_lines(want), b = testing::split_lines(got);
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    std::string x = i < a.size() ? a[i] : "<none>", y = i < b.size() ? b[i] : "<none>";
    if (x != y) return "line " + std::to_string(i + 1) + "\n want: " + x + "\n  got: " + y;
  }
  return "same lines, different bytes (trailing newline?)";
}

TEST_P(GoldenTest, OutputIsByteIdentical) {
  const std::string name = GetParam();
  const std::string filter = testing::read_text_file(kGoldenDir + name + ".conf");
  ASSERT_FALSE(filter.empty());
  const std::string out = path("out.jsonl");
  // host and path name this machine and this checkout; @timestamp is the
  // time of the run wherever no date filter set it.
  const std::string config =
      "input { file { path => \"" + kGoldenDir + name + ".log\" mode => \"read\" exit_after_read => true\n"
      "  sincedb_path => \"/dev/null\" file_completed_action => \"log\" file_completed_log_path => \"/dev/null\" } }\n"
      "filter {\n" + filter +
      "  if \"_grokparsefailure\" in [tags] or \"_jsonparsefailure\" in [tags] or \"_dateparsefailure\" in [tags] {\n"
      "    mutate { remove_field => [ \"@timestamp\" ] }\n"
      "  }\n"
      "  mutate { remove_field => [ \"host\", \"path\" ] }\n"
      "}\n"
      "output { file { path => \"" + out + "\" } }\n";
  std::ofstream(path("pipeline.conf")) << config;
  const std::string cmd = "'" + testing::logpipe_binary() + "' -w 1 --path.data '" + path("data") + "' -f '" +
                          path("pipeline.conf") + "' 2>'" + path("stderr.log") + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << testing::read_text_file(path("stderr.log"));
  const std::string got = testing::read_text_file(out);
  const std::string expected_path = kGoldenDir + name + ".expected.jsonl";
  if (std::getenv("LOGPIPE_GOLDEN_UPDATE")) {
    std::ofstream(expected_path, std::ios::binary) << got;
    GTEST_SKIP() << "rewrote " << expected_path;
  }
  const std::string want = testing::read_text_file(expected_path);
  ASSERT_FALSE(want.empty()) << expected_path;
  EXPECT_TRUE(got == want) << name << ": " << first_difference(want, got);
}

INSTANTIATE_TEST_SUITE_P(LogTypes, GoldenTest,
                         ::testing::Values("apache", "syslog", "json", "kv", "escapes"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace logpipe
