// A logpipe process for end-to-end tests: the real binary with a config
// file, -w 2 and its own --path.data, its stderr in a file so that a chatty
// run never blocks on a full pipe.
#pragma once

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/subprocess.h"

namespace logpipe::testing {

// LOGPIPE_TEST_BINARY overrides the binary built with the tests.
inline std::string logpipe_binary() {
  if (const char* b = std::getenv("LOGPIPE_TEST_BINARY")) return b;
  return LOGPIPE_BINARY;
}

class Logpipe {
 public:
  // Runs `config` as <dir>/<name>.conf with data in <dir>/<name>-data; extra
  // arguments follow.
  Logpipe(const std::string& dir, const std::string& name, const std::string& config,
          const std::vector<std::string>& extra = {})
      : log_path_(dir + "/" + name + ".log"), data_dir_(dir + "/" + name + "-data") {
    std::string conf = dir + "/" + name + ".conf";
    std::ofstream(conf) << config;
    std::vector<std::string> argv{
        "/bin/sh", "-c",
        "bin=$0 data=$1 conf=$2 log=$3; shift 3; "
        "exec \"$bin\" -w 2 --path.data \"$data\" -f \"$conf\" \"$@\" 2>\"$log\"",
        logpipe_binary(), data_dir_, conf, log_path_};
    argv.insert(argv.end(), extra.begin(), extra.end());
    proc_ = std::make_unique<Subprocess>(argv);
  }
  std::string log() const { return read_text_file(log_path_); }
  const std::string& data_dir() const { return data_dir_; }
  int stop(int timeout_seconds = 120) {
    proc_->signal(SIGTERM);
    return proc_->finish(timeout_seconds);
  }
  // Waits for the process to end by itself.
  int wait(int timeout_seconds = 120) { return proc_->finish(timeout_seconds); }
  void kill() {
    proc_->signal(SIGKILL);
    proc_->finish(30);
  }
  bool running() { return proc_->running(); }
  // The logpipe process itself (the shell that starts it execs it).
  pid_t pid() const { return proc_->pid(); }
  // The monitoring API's port (run with --api.http.port 0), from the line
  // the process logs when it listens; 0 when it does not within 20 s.
  int api_port() const;

 private:
  std::string log_path_, data_dir_;
  std::unique_ptr<Subprocess> proc_;
};

// A test with a temporary directory of its own, removed unless it failed
// (then it is kept to look at).
class TempDirTest : public ::testing::Test {
 protected:
  explicit TempDirTest(std::string tag) : tag_(std::move(tag)) {}
  void SetUp() override {
    dir_ = make_temp_dir(tag_);
    ASSERT_FALSE(dir_.empty());
  }
  void TearDown() override {
    if (!HasFailure()) std::system(("rm -rf '" + dir_ + "'").c_str());
  }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  std::string tag_, dir_;
};

// Polls pred until it holds or `limit` passes.
template <typename Pred>
bool wait_until(Pred pred, std::chrono::milliseconds limit,
                std::chrono::milliseconds every = std::chrono::milliseconds(500)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(every);  // reading big outputs costs CPU the run needs
  }
  return pred();
}

inline int Logpipe::api_port() const {
  int port = 0;
  wait_until([&] {
    std::smatch match;
    std::string text = log();
    if (std::regex_search(text, match, std::regex(R"(monitoring API on https?://127\.0\.0\.1:(\d+)/)")))
      port = std::stoi(match[1]);
    return port != 0;
  }, std::chrono::seconds(20), std::chrono::milliseconds(50));
  return port;
}

}  // namespace logpipe::testing
