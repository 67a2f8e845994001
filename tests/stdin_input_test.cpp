// stdin input, fed through a pipe: lines in, events out, end of input and
// stop() both end run().
#include "inputs/stdin_input.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/plugin_test_support.h"

namespace logpipe {
namespace {

using namespace std::chrono_literals;

class CollectingContext : public InputContext {
 public:
  explicit CollectingContext(int poll_interval_ms = 5) : poll_interval_ms_(poll_interval_ms) {}
  void push(Event&& e) override {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(std::move(e));
  }
  void tick() override {}
  void flush() override { ++flushes_; }
  bool stopping() const override { return false; }
  int poll_interval_ms() const override { return poll_interval_ms_; }
  bool congested() const override { return false; }

  std::vector<Event> events() const {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  std::vector<std::string> messages() const {
    std::vector<std::string> out;
    for (const Event& e : events()) out.push_back(e.message() ? *e.message() : "<none>");
    return out;
  }
  int flushes() const { return flushes_; }

 private:
  const int poll_interval_ms_;
  mutable std::mutex mu_;
  std::vector<Event> events_;
  std::atomic<int> flushes_{0};
};

// Splits lines and keeps the partial last one until flush(), as the "line"
// codec does; counts flushes.
class LineSplittingCodec : public Codec {
 public:
  explicit LineSplittingCodec(std::atomic<int>* flushes) : flushes_(flushes) {}
  void decode(std::string_view data, const EventSink& sink) override {
    buffer_.append(data);
    size_t start = 0;
    for (size_t nl; (nl = buffer_.find('\n', start)) != std::string::npos; start = nl + 1)
      sink(Event(buffer_.substr(start, nl - start)));
    buffer_.erase(0, start);
  }
  void flush(const EventSink& sink) override {
    ++*flushes_;
    if (!buffer_.empty()) sink(Event(std::move(buffer_)));
    buffer_.clear();
  }
  void encode(const Event&, std::string&) override {}

 private:
  std::string buffer_;
  std::atomic<int>* flushes_;
};

std::string hostname() {
  char buf[256];
  gethostname(buf, sizeof buf);
  buf[255] = '\0';
  return buf;
}

// A pipe standing in for standard input.
struct Pipe {
  Pipe() { EXPECT_EQ(pipe(fds), 0); }
  ~Pipe() {
    close_writer();
    close(fds[0]);
  }
  void write_all(const std::string& data) {
    for (size_t off = 0; off < data.size();) {
      ssize_t n = write(fds[1], data.data() + off, data.size() - off);
      ASSERT_GT(n, 0);
      off += static_cast<size_t>(n);
    }
  }
  void close_writer() {
    if (fds[1] >= 0) close(fds[1]);
    fds[1] = -1;
  }
  int reader() const { return fds[0]; }
  int fds[2] = {-1, -1};
};

std::unique_ptr<StdinInput> make_stdin(int fd, std::function<std::unique_ptr<Codec>()> make_codec,
                                       size_t max_pending_bytes = kStdinMaxPendingBytes) {
  static PluginEnv env;
  static Settings settings = testing::settings_with_defaults(stdin_input_info(), {});
  PluginArgs args{"stdin", "stdin_test", settings, env, std::move(make_codec)};
  return std::make_unique<StdinInput>(args, fd, max_pending_bytes);
}

class StdinInputTest : public ::testing::TestWithParam<bool> {};  // with a codec or not

TEST_P(StdinInputTest, LinesBecomeEventsUntilEndOfInput) {
  std::atomic<int> codec_flushes{0};
  Pipe in;
  std::function<std::unique_ptr<Codec>()> make_codec;
  if (GetParam()) make_codec = [&] { return std::make_unique<LineSplittingCodec>(&codec_flushes); };
  auto input = make_stdin(in.reader(), make_codec);
  CollectingContext ctx;
  auto done = std::async(std::launch::async, [&] { input->run(ctx); });

  in.write_all("first\nsec");
  in.write_all("ond\nlast without newline");
  in.close_writer();
  ASSERT_EQ(done.wait_for(10s), std::future_status::ready);

  EXPECT_EQ(ctx.messages(), (std::vector<std::string>{"first", "second", "last without newline"}));
  for (const Event& e : ctx.events()) EXPECT_EQ(e.get_top("host")->as_string(), hostname());
  EXPECT_GE(ctx.flushes(), 1);
  if (GetParam()) {
    EXPECT_EQ(codec_flushes, 1);
  }
}

TEST_P(StdinInputTest, InputLargerThanOneReadKeepsEveryLineInOrder) {
  Pipe in;
  std::atomic<int> codec_flushes{0};
  std::function<std::unique_ptr<Codec>()> make_codec;
  if (GetParam()) make_codec = [&] { return std::make_unique<LineSplittingCodec>(&codec_flushes); };
  auto input = make_stdin(in.reader(), make_codec);
  CollectingContext ctx;
  auto done = std::async(std::launch::async, [&] { input->run(ctx); });
  std::string data;
  for (int i = 0; i < 20000; ++i) data += "line " + std::to_string(i) + "\n";  // > 64 KiB
  std::thread writer([&] {
    in.write_all(data);
    in.close_writer();
  });
  ASSERT_EQ(done.wait_for(10s), std::future_status::ready);
  writer.join();
  auto got = ctx.messages();
  ASSERT_EQ(got.size(), 20000u);
  for (int i = 0; i < 20000; ++i) ASSERT_EQ(got[i], "line " + std::to_string(i));
}

TEST_P(StdinInputTest, ALineWithoutEndIsFlushedInBoundedPiecesAndTagged) {
  Pipe in;
  std::atomic<int> codec_flushes{0};
  std::function<std::unique_ptr<Codec>()> make_codec;
  if (GetParam()) make_codec = [&] { return std::make_unique<LineSplittingCodec>(&codec_flushes); };
  auto input = make_stdin(in.reader(), make_codec, /*max_pending_bytes=*/1000);
  CollectingContext ctx;
  auto done = std::async(std::launch::async, [&] { input->run(ctx); });
  const std::string endless(5000, 'x');
  std::thread writer([&] {
    in.write_all("before\n" + endless + "\nafter\n");
    in.close_writer();
  });
  ASSERT_EQ(done.wait_for(10s), std::future_status::ready);
  writer.join();

  auto events = ctx.events();
  ASSERT_GE(events.size(), 4u);  // before, pieces of the long line, after
  EXPECT_EQ(*events.front().message(), "before");
  EXPECT_EQ(*events.back().message(), "after");
  std::string joined;
  bool some_tagged = false;
  for (size_t i = 1; i + 1 < events.size(); ++i) {
    joined += *events[i].message();
    some_tagged |= events[i].has_tag("_line_too_long");
  }
  EXPECT_EQ(joined, endless);  // nothing lost, only cut
  EXPECT_TRUE(some_tagged);
  EXPECT_FALSE(events.back().has_tag("_line_too_long"));
}

INSTANTIATE_TEST_SUITE_P(Codec, StdinInputTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "line_codec" : "no_codec"; });

TEST(StdinInputStopTest, StopWakesARunWaitingForInput) {
  Pipe in;
  auto input = make_stdin(in.reader(), nullptr);
  // Polls that never time out in the test: only stop()'s wake-up can end run() in time.
  CollectingContext ctx(/*poll_interval_ms=*/600000);
  auto done = std::async(std::launch::async, [&] { input->run(ctx); });
  in.write_all("before stop\n");
  while (ctx.messages().empty()) std::this_thread::sleep_for(1ms);
  input->stop();
  ASSERT_EQ(done.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(ctx.messages(), (std::vector<std::string>{"before stop"}));
}

}  // namespace
}  // namespace logpipe
