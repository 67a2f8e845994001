// Delivery under shutdown and restart, through the real binary:
// - SIGTERM in the middle of a 1,000,000-event generator run: every event the
//   input produced reaches the file, none twice.
// - the file input's position is stored only for delivered lines, so a
//   restart neither loses nor repeats a line.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <functional>
#include <set>

#include "engine/text/json_reader.h"
#include "tests/subprocess.h"

using logpipe::Value;
using logpipe::testing::make_temp_dir;
using logpipe::testing::read_text_file;
using logpipe::testing::split_lines;
using logpipe::testing::Subprocess;

namespace {

off_t file_size(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? st.st_size : 0;
}

size_t count_lines(const std::string& path) {
  std::string text = read_text_file(path);
  size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

bool wait_for(const std::function<bool()>& cond, int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

}  // namespace

TEST(Drain, SigtermMidGeneratorLosesAndRepeatsNothing) {
  std::string dir = make_temp_dir("drain");
  std::string out = dir + "/out.json";
  Subprocess p({LOGPIPE_BINARY, "-w", "2", "--path.data", dir + "/data", "-e",
                "input { generator { count => 1000000 message => \"drain me\" } } "
                "filter { mutate { add_field => { \"stage\" => \"filtered\" } } } "
                "output { file { path => \"" + out + "\" } }"});
  p.close_stdin();
  ASSERT_TRUE(wait_for([&] { return file_size(out) > 100000; }, 60)) << "no output appeared";
  ASSERT_TRUE(p.running()) << "the run ended before the signal; nothing was tested mid-run";
  p.signal(SIGTERM);
  ASSERT_EQ(p.finish(120), 0) << p.err();

  auto lines = split_lines(read_text_file(out));
  ASSERT_FALSE(lines.empty());
  std::vector<uint8_t> seen(1000000, 0);
  int64_t max_seq = -1;
  for (auto& line : lines) {
    Value v;
    std::string err;
    ASSERT_TRUE(logpipe::parse_json(line, &v, &err)) << err << ": " << line;
    int64_t seq = v.as_object().find("sequence")->as_int();
    ASSERT_GE(seq, 0);
    ASSERT_LT(seq, 1000000);
    ASSERT_EQ(seen[static_cast<size_t>(seq)], 0) << "event " << seq << " written twice";
    seen[static_cast<size_t>(seq)] = 1;
    ASSERT_EQ(v.as_object().find("stage")->as_string(), "filtered");
    max_seq = std::max(max_seq, seq);
  }
  // The generator produces sequence numbers in order: everything it produced
  // is 0..max_seq, and every one of those must be in the file.
  for (int64_t s = 0; s <= max_seq; ++s) ASSERT_EQ(seen[static_cast<size_t>(s)], 1) << "event " << s << " lost";
  EXPECT_EQ(lines.size(), static_cast<size_t>(max_seq + 1));
  std::fprintf(stderr, "drained after %zu of 1000000 events\n", lines.size());
}

TEST(Drain, FileInputResumesWhereDeliveryStopped) {
  std::string dir = make_temp_dir("resume");
  std::string in = dir + "/app.log";
  std::string out = dir + "/out.log";
  {
    std::ofstream f(in);
    for (int i = 0; i < 1000; ++i) f << "line " << i << "\n";
  }
  const std::string config =
      "input { file { path => \"" + in + "\" start_position => \"beginning\" stat_interval => 0.1 "
      "sincedb_write_interval => 0.1 } } "
      "output { file { path => \"" + out + "\" codec => line { format => \"%{message}\" } } }";
  auto run_until = [&](size_t lines) {
    Subprocess p({LOGPIPE_BINARY, "-w", "1", "--path.data", dir + "/data", "-e", config});
    p.close_stdin();
    bool reached = wait_for([&] { return count_lines(out) >= lines; }, 60);
    p.signal(SIGTERM);
    EXPECT_EQ(p.finish(60), 0) << p.err();
    return reached;
  };
  ASSERT_TRUE(run_until(1000));
  {
    std::ofstream f(in, std::ios::app);
    for (int i = 1000; i < 1500; ++i) f << "line " << i << "\n";
  }
  ASSERT_TRUE(run_until(1500));
  // A third run with nothing new must add nothing.
  Subprocess idle({LOGPIPE_BINARY, "-w", "1", "--path.data", dir + "/data", "-e", config});
  idle.close_stdin();
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  idle.signal(SIGTERM);
  ASSERT_EQ(idle.finish(60), 0) << idle.err();

  auto lines = split_lines(read_text_file(out));
  ASSERT_EQ(lines.size(), 1500u);
  for (int i = 0; i < 1500; ++i) ASSERT_EQ(lines[static_cast<size_t>(i)], "line " + std::to_string(i));
}
