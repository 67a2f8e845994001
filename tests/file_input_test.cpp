// file input: reading, tailing, rotation, truncation, sincedb and completion
// actions, observed as a user would: the events that come out, the sincedb
// file, and what happens to the files.
#include "inputs/file/file_input.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <future>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace logpipe {
namespace {

using namespace std::chrono_literals;

// Plays the pipeline for one input: batches of batch_size events, sealed when
// full, on flush(), and on tick() if seal_on_tick; commits when the test says
// so, or right after each seal with auto_commit.
class BatchingContext : public InputContext {
 public:
  explicit BatchingContext(size_t batch_size = 1000) : batch_size_(batch_size) {}

  void attach(Input* input) { input_ = input; }
  void set_auto_commit(bool on) { auto_commit_ = on; }
  void set_seal_on_tick(bool on) { seal_on_tick_ = on; }

  void push(Event&& e) override {
    uint64_t seq = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      current_.push_back(std::move(e));
      if (current_.size() >= batch_size_) seq = seal_locked();
    }
    after_seal(seq);
  }
  void tick() override {
    ++ticks_;
    if (seal_on_tick_) flush();
  }
  void flush() override {
    uint64_t seq;
    {
      std::lock_guard<std::mutex> lock(mu_);
      seq = seal_locked();
    }
    after_seal(seq);
  }
  bool stopping() const override { return stopping_; }
  int poll_interval_ms() const override { return 5; }
  bool congested() const override { return false; }

  void request_stop() { stopping_ = true; }
  int ticks() const { return ticks_; }
  uint64_t last_sealed() const {
    std::lock_guard<std::mutex> lock(mu_);
    return seq_;
  }
  void commit(uint64_t seq) { input_->committed(seq); }
  void commit_all() { commit(last_sealed()); }

  // Events of sealed batches, in order.
  std::vector<Event> events() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sealed_;
  }
  std::vector<std::string> messages() const {
    std::vector<std::string> out;
    for (const Event& e : events()) out.push_back(e.message() ? *e.message() : "<none>");
    return out;
  }
  size_t count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sealed_.size();
  }

 private:
  uint64_t seal_locked() {
    if (current_.empty()) return 0;
    ++seq_;
    input_->sealed(seq_);
    for (Event& e : current_) sealed_.push_back(std::move(e));
    current_.clear();
    return seq_;
  }
  void after_seal(uint64_t seq) {
    if (seq && auto_commit_) input_->committed(seq);
  }

  const size_t batch_size_;
  Input* input_ = nullptr;
  bool auto_commit_ = false;
  bool seal_on_tick_ = true;
  std::atomic<bool> stopping_{false};
  std::atomic<int> ticks_{0};
  mutable std::mutex mu_;
  std::vector<Event> current_;
  std::vector<Event> sealed_;
  uint64_t seq_ = 0;
};

bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds timeout = 15s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return done();
}

std::string hostname() {
  char buf[256];
  gethostname(buf, sizeof buf);
  buf[255] = '\0';
  return buf;
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}
void append_file(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary | std::ios::app) << content;
}
std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
bool exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

using Overrides = std::vector<std::pair<std::string, Value>>;

// One file input with its settings (the compiler's defaults plus overrides),
// run on its own thread like the pipeline does.
class FileInputRun {
 public:
  FileInputRun(const Overrides& overrides, size_t batch_size = 1000,
               size_t max_line_bytes = kFileInputMaxLineBytes, std::string data_dir = "")
      : ctx_(batch_size) {
    for (const OptionSpec& o : file_input_info().options)
      if (o.default_value) settings_.set(o.name, *o.default_value);
    for (const auto& [name, value] : overrides) settings_.set(name, value);
    if (!data_dir.empty()) env_.data_dir = data_dir;
    PluginArgs args{"file", "file_test", settings_, env_, nullptr};
    input_ = make_file_input(args, max_line_bytes);
    ctx_.attach(input_.get());
  }
  ~FileInputRun() {
    if (input_ && done_.valid()) stop();
  }

  BatchingContext& ctx() { return ctx_; }
  Input& input() { return *input_; }

  void start() {
    done_ = std::async(std::launch::async, [this] { input_->run(ctx_); });
  }
  // True when run() returned by itself (exit_after_read) in time.
  bool finishes() { return done_.wait_for(15s) == std::future_status::ready; }
  void stop() {
    ctx_.request_stop();
    input_->stop();
    done_.wait();
  }
  // As the engine does at shutdown: commit the last batches, then destroy.
  void commit_all_and_destroy() {
    ctx_.commit_all();
    input_.reset();
  }

 private:
  Settings settings_;
  PluginEnv env_;
  BatchingContext ctx_;
  std::unique_ptr<Input> input_;
  std::future<void> done_;
};

class FileInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (std::string* dir : {&dir_, &state_dir_}) {
      std::string tmpl = ::testing::TempDir() + "file_input_XXXXXX";
      ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
      *dir = tmpl;
    }
  }
  void TearDown() override {
    std::string cmd = "rm -rf '" + dir_ + "' '" + state_dir_ + "'";
    ASSERT_EQ(system(cmd.c_str()), 0);
  }
  // Files read by the input; state() files (sincedb, completed log) live
  // elsewhere so that globs do not match them.
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  std::string state(const std::string& name) const { return state_dir_ + "/" + name; }

  // A fast-polling tail of `paths`, positions kept in dir/sincedb.
  Overrides tail_options(const std::string& pattern, const std::string& start = "beginning") const {
    return {{"path", Value(Array{Value(pattern)})},
            {"start_position", Value(start)},
            {"stat_interval", Value("0.01")},
            {"discover_interval", Value(1)},
            {"sincedb_path", Value(state("sincedb"))}};
  }
  Overrides read_options(const std::string& pattern) const {
    return {{"path", Value(Array{Value(pattern)})},
            {"mode", Value("read")},
            {"exit_after_read", Value(true)},
            {"file_completed_action", Value("log")},
            {"file_completed_log_path", Value(state("completed.log"))},
            {"file_sort_by", Value("path")},
            {"stat_interval", Value("0.01")},
            {"sincedb_path", Value(state("sincedb"))}};
  }

  std::string dir_;
  std::string state_dir_;
};

Overrides with(Overrides base, const Overrides& more) {
  for (const auto& [name, value] : more) {
    bool replaced = false;
    for (auto& [n, v] : base)
      if (n == name) v = value, replaced = true;
    if (!replaced) base.emplace_back(name, value);
  }
  return base;
}

using Lines = std::vector<std::string>;

// ------------------------------------------------------------ read mode

TEST_F(FileInputTest, ReadModeReadsEveryGlobMatchToItsEndAndExits) {
  write_file(path("a.log"), "a1\na2\n");
  write_file(path("b.log"), "b1\nb2 without newline");
  write_file(path("c.txt"), "not matched\n");
  FileInputRun run(read_options(path("*.log")));
  run.ctx().set_auto_commit(true);
  run.start();
  ASSERT_TRUE(run.finishes());

  EXPECT_EQ(run.ctx().messages(), (Lines{"a1", "a2", "b1", "b2 without newline"}));
  for (const Event& e : run.ctx().events()) {
    const std::string expected_path = path(e.message()->substr(0, 1) + ".log");
    ASSERT_NE(e.get_top("path"), nullptr);
    EXPECT_EQ(e.get_top("path")->as_string(), expected_path);
    EXPECT_EQ(e.get_top("host")->as_string(), hostname());
    EXPECT_EQ(e.metadata().find("path")->as_string(), expected_path);
    EXPECT_TRUE(e.get_top("@timestamp")->is_timestamp());
  }
  // file_completed_action => log: both paths logged, the files stay.
  EXPECT_EQ(read_file(state("completed.log")), path("a.log") + "\n" + path("b.log") + "\n");
  EXPECT_TRUE(exists(path("a.log")));
  EXPECT_TRUE(exists(path("b.log")));
}

TEST_F(FileInputTest, MissingFileIsNotFatal) {
  write_file(path("present.log"), "p1\n");
  FileInputRun run(
      with(read_options(path("present.log")),
           {{"path", Value(Array{Value(path("missing.log")), Value(path("present.log"))})}}));
  run.ctx().set_auto_commit(true);
  run.start();
  ASSERT_TRUE(run.finishes());
  EXPECT_EQ(run.ctx().messages(), (Lines{"p1"}));
}

TEST_F(FileInputTest, ExcludeMatchesFileNames) {
  write_file(path("app.log"), "kept\n");
  write_file(path("app.log.gz"), "skipped\n");
  FileInputRun run(with(read_options(path("app.*")), {{"exclude", Value(Array{Value("*.gz")})}}));
  run.ctx().set_auto_commit(true);
  run.start();
  ASSERT_TRUE(run.finishes());
  EXPECT_EQ(run.ctx().messages(), (Lines{"kept"}));
}

TEST_F(FileInputTest, RecursiveAndBraceGlobs) {
  ASSERT_EQ(mkdir(path("sub").c_str(), 0755), 0);
  ASSERT_EQ(mkdir(path("sub/deep").c_str(), 0755), 0);
  write_file(path("top.log"), "top\n");
  write_file(path("sub/deep/low.log"), "low\n");
  write_file(path("sub/other.txt"), "other\n");
  write_file(path("sub/skip.csv"), "skip\n");
  FileInputRun run(with(read_options(path("**/*.{log,txt}")), {}));
  run.ctx().set_auto_commit(true);
  run.start();
  ASSERT_TRUE(run.finishes());
  auto got = run.ctx().messages();
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (Lines{"low", "other", "top"}));
}

// Line splitting across chunk boundaries, delimiters, and the long-line cap.
struct SplitCase {
  const char* name;
  std::string delimiter;
  std::string content;
  Lines expected;  // a trailing " [cut]" marks an event tagged _line_too_long
};
inline void PrintTo(const SplitCase& c, std::ostream* os) { *os << c.name; }

class FileInputSplitTest : public FileInputTest,
                           public ::testing::WithParamInterface<std::tuple<SplitCase, int>> {};

TEST_P(FileInputSplitTest, LinesComeOutWhole) {
  const auto& [c, chunk_size] = GetParam();
  write_file(path("in.log"), c.content);
  FileInputRun run(with(read_options(path("in.log")), {{"delimiter", Value(c.delimiter)},
                                                       {"file_chunk_size", Value(chunk_size)}}),
                   1000, /*max_line_bytes=*/10);
  run.ctx().set_auto_commit(true);
  run.start();
  ASSERT_TRUE(run.finishes());
  Lines got;
  for (const Event& e : run.ctx().events())
    got.push_back(*e.message() + (e.has_tag("_line_too_long") ? " [cut]" : ""));
  EXPECT_EQ(got, c.expected) << c.name << ", chunk " << chunk_size;
}

const SplitCase kSplitCases[] = {
    {"plain", "\n", "a\nb\n", {"a", "b"}},
    {"carriage return kept", "\n", "a\r\nb", {"a\r", "b"}},
    {"empty lines", "\n", "\n\nx\n", {"", "", "x"}},
    {"two-byte delimiter", "||", "a||b|c||", {"a", "b|c"}},
    {"crlf delimiter", "\r\n", "a\r\nb\rc\r\n", {"a", "b\rc"}},
    {"long line cut", "\n", "short\n0123456789ABCDEF\nok\n", {"short", "0123456789 [cut]", "ok"}},
    {"long last line cut", "\n", "0123456789ABC", {"0123456789 [cut]"}},
    {"exactly the cap", "\n", "0123456789\nz\n", {"0123456789", "z"}},
    {"exactly the cap, two-byte delimiter", "||", "0123456789||z", {"0123456789", "z"}},
    {"long line, two-byte delimiter", "||", "0123456789ABC||z||", {"0123456789 [cut]", "z"}},
};

std::string split_case_name(const ::testing::TestParamInfo<std::tuple<SplitCase, int>>& info) {
  std::string name = std::get<0>(info.param).name;
  for (char& ch : name)
    if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name + "_chunk" + std::to_string(std::get<1>(info.param));
}

INSTANTIATE_TEST_SUITE_P(Chunks, FileInputSplitTest,
                         ::testing::Combine(::testing::ValuesIn(kSplitCases),
                                            ::testing::Values(1, 3, 32768)),
                         split_case_name);

struct CompletedCase {
  std::string action;
  bool logged;
  bool deleted;
};
inline void PrintTo(const CompletedCase& c, std::ostream* os) { *os << c.action; }

class FileInputCompletedTest : public FileInputTest,
                               public ::testing::WithParamInterface<CompletedCase> {};

TEST_P(FileInputCompletedTest, ActionRunsOnlyOnceEveryLineIsCommitted) {
  const CompletedCase& c = GetParam();
  write_file(path("done.log"), "d1\nd2\n");
  FileInputRun run(
      with(read_options(path("done.log")), {{"file_completed_action", Value(c.action)}}));
  run.start();
  ASSERT_TRUE(wait_for([&] { return run.ctx().count() == 2; }));
  // Read and handed on, but not yet delivered: the file is untouched.
  EXPECT_TRUE(exists(path("done.log")));
  EXPECT_EQ(read_file(state("completed.log")), "");

  run.ctx().commit_all();
  ASSERT_TRUE(run.finishes());
  EXPECT_EQ(exists(path("done.log")), !c.deleted);
  EXPECT_EQ(read_file(state("completed.log")), c.logged ? path("done.log") + "\n" : "");
}

INSTANTIATE_TEST_SUITE_P(Actions, FileInputCompletedTest,
                         ::testing::Values(CompletedCase{"log", true, false},
                                           CompletedCase{"delete", false, true},
                                           CompletedCase{"log_and_delete", true, true}),
                         [](const auto& info) { return info.param.action; });

TEST_F(FileInputTest, ReadModeResumesAFileThatGrewSinceTheLastRun) {
  write_file(path("r.log"), "r1\nr2\n");
  {
    FileInputRun run(read_options(path("r.log")));
    run.ctx().set_auto_commit(true);
    run.start();
    ASSERT_TRUE(run.finishes());
    EXPECT_EQ(run.ctx().messages(), (Lines{"r1", "r2"}));
  }
  {  // Unchanged: nothing again.
    FileInputRun run(read_options(path("r.log")));
    run.ctx().set_auto_commit(true);
    run.start();
    ASSERT_TRUE(run.finishes());
    EXPECT_EQ(run.ctx().messages(), Lines{});
  }
  append_file(path("r.log"), "r3\n");
  {
    FileInputRun run(read_options(path("r.log")));
    run.ctx().set_auto_commit(true);
    run.start();
    ASSERT_TRUE(run.finishes());
    EXPECT_EQ(run.ctx().messages(), (Lines{"r3"}));
  }
}

// ------------------------------------------------------------ tail mode

TEST_F(FileInputTest, TailFollowsAppendsAndWaitsForWholeLines) {
  write_file(path("t.log"), "l1\n");
  FileInputRun run(tail_options(path("t.log")));
  run.start();
  ASSERT_TRUE(wait_for([&] { return run.ctx().count() == 1; }));
  append_file(path("t.log"), "l2\nl3");
  ASSERT_TRUE(wait_for([&] { return run.ctx().count() == 2; }));
  append_file(path("t.log"), "-end\n");
  ASSERT_TRUE(wait_for([&] { return run.ctx().count() >= 3; }));
  run.stop();
  EXPECT_EQ(run.ctx().messages(), (Lines{"l1", "l2", "l3-end"}));
}

TEST_F(FileInputTest, TailRotationFinishesTheOldFileThenReadsTheNewOne) {
  write_file(path("app.log"), "old1\nold2\n");
  FileInputRun run(tail_options(path("app.log")));
  run.start();
  ASSERT_TRUE(wait_for([&] { return run.ctx().count() == 2; }));

  // The writer still holds the old file while it is renamed away.
  std::ofstream writer(path("app.log"), std::ios::app);
  ASSERT_EQ(rename(path("app.log").c_str(), path("app.log.1").c_str()), 0);
  writer << "old3\n" << std::flush;
  write_file(path("app.log"), "new1\nnew2\n");
  ASSERT_TRUE(wait_for([&] { return run.ctx().count() == 5; }));
  run.stop();

  Lines got = run.ctx().messages();
  EXPECT_EQ(Lines(got.begin(), got.begin() + 3), (Lines{"old1", "old2", "old3"}));
  EXPECT_EQ(Lines(got.begin() + 3, got.end()), (Lines{"new1", "new2"}));
  auto events = run.ctx().events();
  EXPECT_EQ(events[4].get_top("path")->as_string(), path("app.log"));
}

TEST_F(FileInputTest, TailTruncationRestartsAtTheBeginning) {
  write_file(path("t.log"), "one\ntwo\nthree\n");
  FileInputRun run(tail_options(path("t.log")));
  run.start();
  ASSERT_TRUE(wait_for([&] { return run.ctx().count() == 3; }));
  write_file(path("t.log"), "x\n");  // truncates: shorter than what was read
  ASSERT_TRUE(wait_for([&] { return run.ctx().count() == 4; }));
  run.stop();
  EXPECT_EQ(run.ctx().messages(), (Lines{"one", "two", "three", "x"}));
}

TEST_F(FileInputTest, StartPositionEndSkipsExistingContentButNotNewFiles) {
  write_file(path("a.log"), "old\n");
  FileInputRun run(tail_options(path("*.log"), "end"));
  run.start();
  // The first tick comes after the first discovery: a.log's end is fixed by then.
  ASSERT_TRUE(wait_for([&] { return run.ctx().ticks() > 0; }));
  append_file(path("a.log"), "appended\n");
  write_file(path("b.log"), "fresh\n");  // appeared after start-up: read whole
  ASSERT_TRUE(wait_for([&] { return run.ctx().count() == 2; }));
  run.stop();
  Lines got = run.ctx().messages();
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (Lines{"appended", "fresh"}));
}

TEST_F(FileInputTest, StartPositionBeginningReadsExistingContent) {
  write_file(path("a.log"), "old\n");
  FileInputRun run(tail_options(path("a.log"), "beginning"));
  run.start();
  ASSERT_TRUE(wait_for([&] { return run.ctx().count() == 1; }));
  run.stop();
  EXPECT_EQ(run.ctx().messages(), (Lines{"old"}));
}

TEST_F(FileInputTest, TailReopensAFileClosedByCloseOlderWhenItGrows) {
  write_file(path("quiet.log"), "q1\n");
  FileInputRun run(with(tail_options(path("quiet.log")), {{"close_older", Value("20ms")}}));
  run.start();
  ASSERT_TRUE(wait_for([&] { return run.ctx().count() == 1; }));
  std::this_thread::sleep_for(200ms);  // long enough to be closed for being quiet
  append_file(path("quiet.log"), "q2\n");
  ASSERT_TRUE(wait_for([&] { return run.ctx().count() == 2; }));
  run.stop();
  EXPECT_EQ(run.ctx().messages(), (Lines{"q1", "q2"}));
}

// ------------------------------------------------------------ sincedb

struct SincedbLine {
  uint64_t inode = 0, major = 0, minor = 0, position = 0;
  double last_active = 0;
  std::string path;
};

std::vector<SincedbLine> parse_sincedb(const std::string& text) {
  std::vector<SincedbLine> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    SincedbLine s;
    std::istringstream fields(line);
    fields >> s.inode >> s.major >> s.minor >> s.position >> s.last_active;
    fields.get();
    std::getline(fields, s.path);
    out.push_back(s);
  }
  return out;
}

TEST_F(FileInputTest, SincedbStoresOnlyCommittedPositionsAndResumesFromThem) {
  std::string content;
  for (int i = 1; i <= 10; ++i) content += "line" + std::to_string(i) + "\n";
  write_file(path("s.log"), content);
  const Overrides options = tail_options(path("s.log"));

  {  // Run 1: batches of 4; only the first is delivered before shutdown.
    FileInputRun run(options, 4);
    run.ctx().set_seal_on_tick(false);
    run.start();
    ASSERT_TRUE(wait_for([&] { return run.ctx().count() == 8; }));
    run.ctx().commit(1);
    run.stop();  // seals line9-10 as batch 3, never committed
  }
  struct stat st;
  ASSERT_EQ(stat(path("s.log").c_str(), &st), 0);
  auto db = parse_sincedb(read_file(state("sincedb")));
  ASSERT_EQ(db.size(), 1u);
  EXPECT_EQ(db[0].inode, st.st_ino);
  EXPECT_EQ(db[0].major, major(st.st_dev));
  EXPECT_EQ(db[0].minor, minor(st.st_dev));
  EXPECT_EQ(db[0].position, std::string("line1\nline2\nline3\nline4\n").size());
  EXPECT_EQ(db[0].path, path("s.log"));
  EXPECT_GT(db[0].last_active, 1e9);

  {  // Run 2: resumes after line4; what was not delivered comes again.
    FileInputRun run(options, 4);
    run.start();
    ASSERT_TRUE(wait_for([&] { return run.ctx().count() == 6; }));
    run.stop();
    EXPECT_EQ(run.ctx().messages(), (Lines{"line5", "line6", "line7", "line8", "line9", "line10"}));
    run.commit_all_and_destroy();
  }
  append_file(path("s.log"), "line11\n");
  {  // Run 3: everything was delivered: only the new line, nothing twice.
    FileInputRun run(options, 4);
    run.start();
    ASSERT_TRUE(wait_for([&] { return run.ctx().count() == 1; }));
    run.stop();
    EXPECT_EQ(run.ctx().messages(), (Lines{"line11"}));
  }
}

TEST_F(FileInputTest, SincedbPersistsCommitsWhileRunning) {
  write_file(path("p.log"), "p1\np2\n");
  FileInputRun run(with(tail_options(path("p.log")), {{"sincedb_write_interval", Value("0")}}));
  run.ctx().set_auto_commit(true);
  run.start();
  ASSERT_TRUE(wait_for([&] {
    auto db = parse_sincedb(read_file(state("sincedb")));
    return db.size() == 1 && db[0].position == 6;
  }));
  run.stop();
}

TEST_F(FileInputTest, DeletedFileLeavesTheSincedb) {
  // Its inode may be reused by a new file, which must not start at the old position.
  write_file(path("gone.log"), "g1\n");
  write_file(path("stays.log"), "s1\n");
  FileInputRun run(with(tail_options(path("*.log")), {{"sincedb_write_interval", Value("0")}}));
  run.ctx().set_auto_commit(true);
  run.start();
  ASSERT_TRUE(wait_for([&] { return parse_sincedb(read_file(state("sincedb"))).size() == 2; }));
  ASSERT_EQ(unlink(path("gone.log").c_str()), 0);
  ASSERT_TRUE(wait_for([&] {
    auto db = parse_sincedb(read_file(state("sincedb")));
    return db.size() == 1 && db[0].path == path("stays.log");
  }));
  run.stop();
}

TEST_F(FileInputTest, DefaultSincedbPathIsLogstashs) {
  write_file(path("d.log"), "d1\n");
  const std::string pattern = path("d.log");
  FileInputRun run(with(read_options(pattern), {{"sincedb_path", Value(nullptr)}}), 1000,
                   kFileInputMaxLineBytes, state("data"));
  run.ctx().set_auto_commit(true);
  run.start();
  ASSERT_TRUE(run.finishes());
  run.commit_all_and_destroy();

  // <path.data>/plugins/inputs/file/.sincedb_<md5 of the paths joined by ",">
  std::string cmd = "printf '%s' '" + pattern + "' | md5sum";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char digest[33] = {};
  ASSERT_EQ(fread(digest, 1, 32, p), 32u);
  pclose(p);
  EXPECT_TRUE(exists(state("data/plugins/inputs/file/.sincedb_") + digest));
}

TEST_F(FileInputTest, DevNullSincedbKeepsNothing) {
  write_file(path("n.log"), "n1\n");
  for (int round = 0; round < 2; ++round) {
    FileInputRun run(with(read_options(path("n.log")), {{"sincedb_path", Value("/dev/null")}}));
    run.ctx().set_auto_commit(true);
    run.start();
    ASSERT_TRUE(run.finishes());
    EXPECT_EQ(run.ctx().messages(), (Lines{"n1"})) << "round " << round;
  }
}

// ------------------------------------------------------------ options

TEST(FileInputOptionsTest, RejectsWhatLogstashRejects) {
  struct Case {
    Overrides overrides;
    std::string option;
  };
  const Case cases[] = {
      {{{"path", Value(Array{Value("relative/*.log")})}}, "path"},
      {{{"path", Value(Array{Value("/var/log/x.log")})}, {"exit_after_read", Value(true)}},
       "exit_after_read"},
      {{{"path", Value(Array{Value("/var/log/x.log")})},
        {"mode", Value("read")},
        {"file_completed_action", Value("log")}},
       "file_completed_log_path"},
      {{{"path", Value(Array{Value("/var/log/x.log")})}, {"stat_interval", Value("soon")}},
       "stat_interval"},
      {{{"path", Value(Array{Value("/var/log/x.log")})}, {"sincedb_path", Value("/tmp")}},
       "sincedb_path"},
  };
  for (const Case& c : cases) {
    Settings settings;
    for (const OptionSpec& o : file_input_info().options)
      if (o.default_value) settings.set(o.name, *o.default_value);
    for (const auto& [name, value] : c.overrides) settings.set(name, value);
    PluginEnv env;
    PluginArgs args{"file", "file_test", settings, env, nullptr};
    try {
      make_file_input(args);
      ADD_FAILURE() << "accepted, expected an error about " << c.option;
    } catch (const OptionError& e) {
      EXPECT_EQ(e.option, c.option) << e.what();
    }
  }
}

TEST(FileInputOptionsTest, DurationsAcceptLogstashForms) {
  for (const char* value : {"2", "0.5", "250ms", "45 sec", "1 hour", "2w"}) {
    Settings settings;
    for (const OptionSpec& o : file_input_info().options)
      if (o.default_value) settings.set(o.name, *o.default_value);
    settings.set("path", Value(Array{Value("/var/log/x.log")}));
    settings.set("close_older", Value(value));
    PluginEnv env;
    PluginArgs args{"file", "file_test", settings, env, nullptr};
    EXPECT_NO_THROW(make_file_input(args)) << value;
  }
}

}  // namespace
}  // namespace logpipe
