// The runtime: the output stage (retries with backoff, asynchronous and
// out-of-order completion, dead letters, the drain deadline), a filter that
// throws, an input that fails, and acknowledgements that reach an input only
// when every output has completed a batch. Plugins here are test doubles of
// plugins (what a real output or input would do to the runtime); the runtime
// itself is the real one.
#include <gtest/gtest.h>
#include <dirent.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "engine/text/json_reader.h"
#include "engine/text/json_writer.h"
#include "engine/runtime/input_runner.h"
#include "engine/runtime/pipeline.h"
#include "engine/runtime/steady_clock.h"

namespace logpipe {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr int kBatch = 10;

// Pushes `count` events with field n = 0, 1, 2 ... in batches of kBatch (the
// pipeline's batch size), and records what the runtime tells it.
class CountingInput : public Input {
 public:
  struct Log {
    std::mutex mu;
    std::vector<uint64_t> committed;  // in the order committed() was called
    uint64_t sealed = 0;
  };
  CountingInput(const PluginArgs& args, int count, Log& log, bool fail = false)
      : Input(args), count_(count), log_(log), fail_(fail) {}
  void run(InputContext& ctx) override {
    if (fail_) throw std::runtime_error("port 514 is in use");
    for (int i = 0; i < count_ && !ctx.stopping(); ++i) {
      Event e("event " + std::to_string(i));
      e.set_top("n", Value(static_cast<int64_t>(i)));
      ctx.push(std::move(e));
    }
  }
  void sealed(uint64_t seq) override {
    std::lock_guard<std::mutex> lock(log_.mu);
    log_.sealed = seq;
  }
  void committed(uint64_t seq) override {
    std::lock_guard<std::mutex> lock(log_.mu);
    log_.committed.push_back(seq);
  }

 private:
  int count_;
  Log& log_;
  bool fail_;
};

// Runs until stopped.
class EndlessInput : public Input {
 public:
  using Input::Input;
  void run(InputContext& ctx) override {
    while (!ctx.stopping()) {
      ctx.push(Event("tick"));
      ctx.tick();
      std::this_thread::sleep_for(milliseconds(1));
    }
  }
};

// -1 for events without n (EndlessInput's).
int64_t n_of(const Event& e) {
  const Value* n = e.get_top("n");
  return n ? n->as_int() : -1;
}

// A pipeline assembled from test plugins, as the config compiler would.
struct TestPipeline {
  std::vector<std::unique_ptr<PluginInfo>> infos;
  std::shared_ptr<PipelineConfig> config = std::make_shared<PipelineConfig>();
  PipelineSettings settings;
  std::string data_dir;

  TestPipeline() {
    char tmpl[] = "/tmp/logpipe_runtime_XXXXXX";
    data_dir = ::mkdtemp(tmpl);
    settings.workers = 2;
    settings.batch_size = kBatch;
    settings.batch_delay_ms = 5;
    settings.data_dir = data_dir;
    settings.output_backoff = RetryBackoff{10, 40};
  }
  ~TestPipeline() { fs::remove_all(data_dir); }

  PluginInfo& info(PluginKind kind, std::string name) {
    infos.push_back(std::make_unique<PluginInfo>());
    infos.back()->kind = kind;
    infos.back()->name = std::move(name);
    return *infos.back();
  }
  void input(std::function<std::unique_ptr<Input>(const PluginArgs&)> make) {
    PluginInfo& i = info(PluginKind::Input, "test_input");
    i.make_input = std::move(make);
    config->inputs.push_back(PluginDecl{&i, "in_" + std::to_string(config->inputs.size() + 1),
                                        std::make_shared<Settings>(), "test"});
  }
  void filter(std::function<std::unique_ptr<Filter>(const PluginArgs&)> make) {
    PluginInfo& i = info(PluginKind::Filter, "test_filter");
    i.make_filter = std::move(make);
    config->filters.push_back(PluginDecl{&i, "filter_1", std::make_shared<Settings>(), "test"});
    GraphNode node;
    node.plugin = config->filters.size() - 1;
    config->filter_graph.push_back(node);
  }
  void output(const std::string& id, std::function<std::unique_ptr<Output>(const PluginArgs&)> make) {
    PluginInfo& i = info(PluginKind::Output, "test_output");
    i.make_output = std::move(make);
    config->outputs.push_back(PluginDecl{&i, id, std::make_shared<Settings>(), "test"});
    GraphNode node;
    node.plugin = config->outputs.size() - 1;
    config->output_graph.push_back(node);
  }
  // Runs until every input is done and the drain is over.
  PipelineStats run(bool* abandoned = nullptr) {
    Pipeline p(config, settings);
    p.start();
    p.wait();
    if (abandoned) *abandoned = p.abandoned();
    return p.stats();
  }
};

// Records every event it delivers; fails whole submissions while `failures`
// is positive, recording when each attempt came.
class RecordingOutput : public Output {
 public:
  struct Log {
    std::mutex mu;
    std::multiset<int64_t> delivered;
    std::vector<int64_t> attempt_ns;
    int failures = 0;
  };
  RecordingOutput(const PluginArgs& args, Log& log) : Output(args), log_(log) {}
  void deliver(OutputWork& work) override {
    std::lock_guard<std::mutex> lock(log_.mu);
    log_.attempt_ns.push_back(steady_ns());
    if (log_.failures > 0) {
      --log_.failures;
      throw std::runtime_error("connection refused");
    }
    for (const Event* e : work.events()) log_.delivered.insert(n_of(*e));
  }

 private:
  Log& log_;
};

TEST(OutputStage, AFailingOutputIsRetriedWithGrowingBackoffUntilItAccepts) {
  TestPipeline t;
  t.settings.workers = 1;
  CountingInput::Log in_log;
  RecordingOutput::Log out_log;
  out_log.failures = 3;
  t.input([&](const PluginArgs& a) { return std::make_unique<CountingInput>(a, 5, in_log); });
  t.output("rec", [&](const PluginArgs& a) { return std::make_unique<RecordingOutput>(a, out_log); });
  PipelineStats s = t.run();

  EXPECT_EQ(out_log.delivered, (std::multiset<int64_t>{0, 1, 2, 3, 4}));  // each exactly once
  ASSERT_EQ(out_log.attempt_ns.size(), 4u);
  // Backoff 10 ms doubling to 40 ms with equal jitter: each wait is at least
  // half its step.
  const int64_t ms = 1000000;
  EXPECT_GE(out_log.attempt_ns[1] - out_log.attempt_ns[0], 5 * ms);
  EXPECT_GE(out_log.attempt_ns[2] - out_log.attempt_ns[1], 10 * ms);
  EXPECT_GE(out_log.attempt_ns[3] - out_log.attempt_ns[2], 20 * ms);
  ASSERT_EQ(s.outputs.size(), 1u);
  EXPECT_EQ(s.outputs[0].stats.delivered, 5u);
  EXPECT_EQ(s.outputs[0].stats.retried, 15u);  // 5 events submitted 3 more times
  EXPECT_EQ(in_log.committed, (std::vector<uint64_t>{1}));
}

// Completes work later, from a thread of its own, newest first: an output
// whose requests finish out of order (several in flight to Elasticsearch).
class LateOutput : public Output {
 public:
  struct Log {
    std::mutex mu;
    std::set<int64_t> delivered;
  };
  LateOutput(const PluginArgs& args, Log& log) : Output(args), log_(log) {
    completer_ = std::thread([this] { complete_loop(); });
  }
  ~LateOutput() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closing_ = true;
    }
    cv_.notify_all();
    completer_.join();
  }
  size_t max_in_flight() const override { return 4; }
  void submit(OutputWork& work) override {
    std::lock_guard<std::mutex> lock(mu_);
    held_.push_back(&work);
    cv_.notify_all();
  }
  void flush() override {
    std::lock_guard<std::mutex> lock(mu_);
    flushing_ = true;
    cv_.notify_all();
  }

 private:
  void complete_loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!closing_) {
      // Up to 3 at a time, or whatever is held after 30 ms or on flush.
      cv_.wait_for(lock, milliseconds(30), [this] {
        return closing_ || held_.size() >= 3 || (flushing_ && !held_.empty());
      });
      // Newest first.
      while (!held_.empty()) {
        OutputWork* w = held_.back();
        held_.pop_back();
        {
          std::lock_guard<std::mutex> l(log_.mu);
          for (const Event* e : w->events()) log_.delivered.insert(n_of(*e));
        }
        w->complete();
      }
    }
  }
  Log& log_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<OutputWork*> held_;
  bool closing_ = false;
  bool flushing_ = false;
  std::thread completer_;
};

TEST(OutputStage, BatchesAreAcknowledgedInOrderOnlyWhenEveryOutputCompletedThem) {
  TestPipeline t;
  CountingInput::Log in_log;
  RecordingOutput::Log sync_log;
  LateOutput::Log late_log;
  const int events = 200;  // 20 batches
  t.input([&](const PluginArgs& a) { return std::make_unique<CountingInput>(a, events, in_log); });
  t.output("sync", [&](const PluginArgs& a) { return std::make_unique<RecordingOutput>(a, sync_log); });
  t.output("late", [&](const PluginArgs& a) { return std::make_unique<LateOutput>(a, late_log); });
  PipelineStats s = t.run();

  EXPECT_EQ(sync_log.delivered.size(), size_t(events));
  EXPECT_EQ(late_log.delivered.size(), size_t(events));
  ASSERT_FALSE(in_log.committed.empty());
  for (size_t i = 1; i < in_log.committed.size(); ++i)
    EXPECT_GT(in_log.committed[i], in_log.committed[i - 1]) << "watermarks only move forward";
  EXPECT_EQ(in_log.committed.back(), in_log.sealed);
  EXPECT_EQ(s.events_done, uint64_t(events));
  EXPECT_EQ(s.latency.count(), uint64_t(events)) << "one latency sample per event";
}

// Holds its first work until told, so that a later batch completes first.
TEST(OutputStage, AWatermarkWaitsForTheOldestIncompleteBatch) {
  TestPipeline t;
  t.settings.workers = 1;
  CountingInput::Log in_log;
  struct Gate {
    std::mutex mu;
    std::condition_variable cv;
    OutputWork* first = nullptr;
    int seen = 0;
  } gate;
  class GateOutput : public Output {
   public:
    GateOutput(const PluginArgs& a, Gate& g) : Output(a), g_(g) {}
    size_t max_in_flight() const override { return 8; }
    void submit(OutputWork& work) override {
      std::unique_lock<std::mutex> lock(g_.mu);
      g_.cv.notify_all();
      if (g_.seen++ == 0) {
        g_.first = &work;  // completed by the test thread later
        return;
      }
      lock.unlock();
      work.complete();
    }

   private:
    Gate& g_;
  };
  t.input([&](const PluginArgs& a) { return std::make_unique<CountingInput>(a, 50, in_log); });
  t.output("gate", [&](const PluginArgs& a) { return std::make_unique<GateOutput>(a, gate); });
  Pipeline p(t.config, t.settings);
  p.start();
  {
    std::unique_lock<std::mutex> lock(gate.mu);
    gate.cv.wait(lock, [&] { return gate.first && gate.seen >= 5; });
  }
  std::this_thread::sleep_for(milliseconds(50));
  {
    std::lock_guard<std::mutex> lock(in_log.mu);
    EXPECT_TRUE(in_log.committed.empty()) << "batches 2..5 are done but batch 1 is not";
  }
  gate.first->complete();
  p.wait();
  EXPECT_EQ(in_log.committed.back(), 5u);
  EXPECT_EQ(in_log.committed.front(), 5u) << "batch 1 completing releases 1..5 at once";
}

class ThrowingFilter : public Filter {
 public:
  using Filter::Filter;
  void filter(Event& e, FilterContext&) override {
    if (n_of(e) == 3) throw std::runtime_error("bug in a filter");
    e.add_tag("seen");
  }
};

TEST(FilterGraphRuntime, AThrowingFilterTagsOnlyTheEventItFailedOn) {
  TestPipeline t;
  t.settings.workers = 1;
  CountingInput::Log in_log;
  std::mutex mu;
  std::map<int64_t, std::string> tags;
  class TagsOutput : public Output {
   public:
    TagsOutput(const PluginArgs& a, std::mutex& mu, std::map<int64_t, std::string>& tags)
        : Output(a), mu_(mu), tags_(tags) {}
    void deliver(OutputWork& w) override {
      std::lock_guard<std::mutex> lock(mu_);
      for (const Event* e : w.events()) {
        const Value* t = e->get_top("tags");
        tags_[n_of(*e)] = t ? to_json(*t) : "";
      }
    }

   private:
    std::mutex& mu_;
    std::map<int64_t, std::string>& tags_;
  };
  t.input([&](const PluginArgs& a) { return std::make_unique<CountingInput>(a, 6, in_log); });
  t.filter([](const PluginArgs& a) { return std::make_unique<ThrowingFilter>(a); });
  t.output("tags", [&](const PluginArgs& a) { return std::make_unique<TagsOutput>(a, mu, tags); });
  t.run();
  ASSERT_EQ(tags.size(), 6u);
  for (int64_t n = 0; n < 6; ++n)
    EXPECT_EQ(tags[n], n == 3 ? "[\"_filter_error\"]" : "[\"seen\"]") << "event " << n;
}

TEST(Drain, AnOutputThatNeverAcceptsEndsAtTheDeadlineWithNothingAcknowledged) {
  TestPipeline t;
  t.settings.shutdown_timeout_ms = 300;
  CountingInput::Log in_log;
  RecordingOutput::Log out_log;
  out_log.failures = 1 << 30;
  t.input([&](const PluginArgs& a) { return std::make_unique<CountingInput>(a, 95, in_log); });
  t.output("down", [&](const PluginArgs& a) { return std::make_unique<RecordingOutput>(a, out_log); });
  int64_t began = steady_ns();
  bool abandoned = false;
  PipelineStats s = t.run(&abandoned);
  double seconds = double(steady_ns() - began) / 1e9;
  EXPECT_TRUE(abandoned);
  EXPECT_LT(seconds, 5.0) << "the deadline is 0.3 s; the pipeline must not hang";
  EXPECT_EQ(s.undelivered, 95u);
  EXPECT_TRUE(in_log.committed.empty());
  EXPECT_TRUE(out_log.delivered.empty());
}

TEST(Drain, AFullOutputQueueBlocksTheWorkersAndThenTheInputUntilTheDeadline) {
  TestPipeline t;
  t.settings.shutdown_timeout_ms = 300;
  t.settings.queue_batches = 2;
  t.settings.output_queue_batches = 2;
  CountingInput::Log in_log;
  RecordingOutput::Log out_log;
  out_log.failures = 1 << 30;
  t.input([&](const PluginArgs& a) { return std::make_unique<CountingInput>(a, 100000, in_log); });
  t.output("down", [&](const PluginArgs& a) { return std::make_unique<RecordingOutput>(a, out_log); });
  Pipeline p(t.config, t.settings);
  p.start();
  std::this_thread::sleep_for(milliseconds(300));
  PipelineStats live = p.stats();
  // Backpressure: 2 batches in the input queue, 2 per worker being routed,
  // 2 in the output queue, 1 in flight, 1 being sealed: far from 100,000.
  EXPECT_LE(live.events_in, uint64_t(12 * kBatch)) << "the input was not held back";
  p.request_stop();
  p.wait();
  EXPECT_TRUE(p.abandoned());
  EXPECT_TRUE(in_log.committed.empty());
}

// Refuses events whose n is a multiple of 3, for good.
class PickyOutput : public Output {
 public:
  using Output::Output;
  void deliver(OutputWork& work) override {
    for (size_t i = 0; i < work.size(); ++i)
      if (n_of(*work.events()[i]) % 3 == 0)
        work.set(i, Delivery::Rejected, "mapper_parsing_exception: n is not a date");
  }
};

std::vector<std::string> read_lines_under(const std::string& dir) {
  std::vector<std::string> names;
  for (auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().string());
  std::sort(names.begin(), names.end());
  std::vector<std::string> lines;
  for (auto& name : names) {
    std::ifstream in(name);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  return lines;
}

TEST(DeadLetters, RejectedEventsAreWrittenWithTheirReasonAndCountAsDone) {
  TestPipeline t;
  CountingInput::Log in_log;
  t.input([&](const PluginArgs& a) { return std::make_unique<CountingInput>(a, 30, in_log); });
  t.output("picky", [](const PluginArgs& a) { return std::make_unique<PickyOutput>(a); });
  PipelineStats s = t.run();

  EXPECT_EQ(in_log.committed.back(), 3u) << "rejected events do not hold back the acknowledgement";
  EXPECT_EQ(s.outputs[0].stats.dead_lettered, 10u);
  EXPECT_EQ(s.outputs[0].stats.delivered, 20u);
  std::vector<std::string> lines = read_lines_under(t.data_dir + "/dead_letter_queue/main");
  ASSERT_EQ(lines.size(), 10u);
  std::set<int64_t> ns;
  for (auto& line : lines) {
    Value v;
    std::string error;
    ASSERT_TRUE(parse_json(line, &v, &error)) << error << ": " << line;
    const Object& o = v.as_object();
    EXPECT_EQ(o.find("plugin_id")->as_string(), "picky");
    EXPECT_EQ(o.find("plugin_type")->as_string(), "test_output");  // the plugin name, as Logstash writes
    EXPECT_EQ(o.find("reason")->as_string(), "mapper_parsing_exception: n is not a date");
    EXPECT_TRUE(o.find("entry_time")->is_string());
    ns.insert(o.find("event")->as_object().find("n")->as_int());
  }
  EXPECT_EQ(ns, (std::set<int64_t>{0, 3, 6, 9, 12, 15, 18, 21, 24, 27}));
}

// Records events with their dead-letter metadata.
class ReplayOutput : public Output {
 public:
  struct Log {
    std::mutex mu;
    std::vector<std::string> seen;  // "n reason plugin_id"
  };
  ReplayOutput(const PluginArgs& a, Log& log) : Output(a), log_(log) {}
  void deliver(OutputWork& w) override {
    std::lock_guard<std::mutex> lock(log_.mu);
    for (const Event* e : w.events()) {
      const Value* dlq = e->metadata().find("dead_letter_queue");
      const Object& o = dlq->as_object();
      log_.seen.push_back(std::to_string(n_of(*e)) + " " + o.find("reason")->as_string() + " " +
                          o.find("plugin_id")->as_string());
    }
  }
  size_t count() {
    std::lock_guard<std::mutex> lock(log_.mu);
    return log_.seen.size();
  }

 private:
  Log& log_;
};

// Runs the dead_letter_queue input over dir until `want` events came out
// (or `patience` passed), then stops it.
std::vector<std::string> replay(TestPipeline& t, const std::string& dlq_dir, size_t want,
                                std::chrono::milliseconds patience = std::chrono::seconds(10)) {
  ReplayOutput::Log log;
  const PluginInfo* dlq = find_plugin(PluginKind::Input, "dead_letter_queue");
  auto settings = std::make_shared<Settings>();
  for (auto& o : dlq->all_options())
    if (o.default_value) settings->set(o.name, *o.default_value);
  settings->set("path", Value(dlq_dir));
  settings->set_codec(std::make_shared<CodecSpec>(CodecSpec{"plain", Settings{}}));
  auto config = std::make_shared<PipelineConfig>();
  config->inputs.push_back(PluginDecl{dlq, "replay", settings, "test"});
  PluginInfo& out = t.info(PluginKind::Output, "replay_output");
  out.make_output = [&](const PluginArgs& a) { return std::make_unique<ReplayOutput>(a, log); };
  config->outputs.push_back(PluginDecl{&out, "replayed", std::make_shared<Settings>(), "test"});
  config->output_graph.push_back(GraphNode{});
  PipelineSettings settings_copy = t.settings;
  settings_copy.dead_letter_queue = false;
  Pipeline p(config, settings_copy);
  p.start();
  auto deadline = std::chrono::steady_clock::now() + patience;
  auto delivered = [&] {
    std::lock_guard<std::mutex> lock(log.mu);
    return log.seen.size();
  };
  while (delivered() < want && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(10));
  std::this_thread::sleep_for(milliseconds(100));  // nothing more should come
  p.request_stop();
  p.wait();
  std::sort(log.seen.begin(), log.seen.end());
  return log.seen;
}

TEST(DeadLetters, TheDeadLetterQueueInputReplaysThemOnceAcrossRestarts) {
  TestPipeline t;
  CountingInput::Log in_log;
  t.input([&](const PluginArgs& a) { return std::make_unique<CountingInput>(a, 12, in_log); });
  t.output("picky", [](const PluginArgs& a) { return std::make_unique<PickyOutput>(a); });
  t.run();

  const std::string dir = t.data_dir + "/dead_letter_queue";
  const std::string reason = " mapper_parsing_exception: n is not a date picky";
  EXPECT_EQ(replay(t, dir, 4), (std::vector<std::string>{"0" + reason, "3" + reason, "6" + reason,
                                                         "9" + reason}));
  // The position of what was accepted is stored: a second run finds nothing new.
  EXPECT_TRUE(replay(t, dir, 1, milliseconds(500)).empty());
}

TEST(DeadLetters, AFullDeadLetterQueueKeepsRejectedEventsUnacknowledged) {
  TestPipeline t;
  t.settings.workers = 1;
  t.settings.dead_letter_max_bytes = 300;  // about one entry
  t.settings.shutdown_timeout_ms = 400;
  CountingInput::Log in_log;
  t.input([&](const PluginArgs& a) { return std::make_unique<CountingInput>(a, 30, in_log); });
  t.output("picky", [](const PluginArgs& a) { return std::make_unique<PickyOutput>(a); });
  bool abandoned = false;
  PipelineStats s = t.run(&abandoned);
  EXPECT_TRUE(abandoned) << "rejected events the sink cannot take wait; they are not dropped";
  EXPECT_GT(s.undelivered, 0u);
  EXPECT_TRUE(in_log.committed.empty()) << "every batch holds a refused event";
}

TEST(DeadLetters, WithoutADeadLetterQueueRejectedEventsAreDroppedAndCounted) {
  TestPipeline t;
  t.settings.dead_letter_queue = false;
  CountingInput::Log in_log;
  t.input([&](const PluginArgs& a) { return std::make_unique<CountingInput>(a, 30, in_log); });
  t.output("picky", [](const PluginArgs& a) { return std::make_unique<PickyOutput>(a); });
  PipelineStats s = t.run();
  EXPECT_EQ(s.outputs[0].stats.dropped, 10u);
  EXPECT_EQ(in_log.committed.back(), 3u);
  EXPECT_FALSE(fs::exists(t.data_dir + "/dead_letter_queue"));
}

TEST(Inputs, AnInputThatFailsStopsThePipelineAndIsReported) {
  TestPipeline t;
  CountingInput::Log in_log;
  RecordingOutput::Log out_log;
  t.input([&](const PluginArgs& a) { return std::make_unique<CountingInput>(a, 0, in_log, true); });
  t.input([](const PluginArgs& a) { return std::make_unique<EndlessInput>(a); });
  t.output("rec", [&](const PluginArgs& a) { return std::make_unique<RecordingOutput>(a, out_log); });
  int64_t began = steady_ns();
  PipelineStats s = t.run();
  EXPECT_LT(double(steady_ns() - began) / 1e9, 10.0);
  EXPECT_EQ(s.failed_inputs, (std::vector<std::string>{"in_1"}));
  EXPECT_EQ(s.events_done, s.events_in) << "what the other input read is still delivered";
}

TEST(Stats, CountersAreReadableWhileThePipelineRuns) {
  TestPipeline t;
  RecordingOutput::Log out_log;
  t.input([](const PluginArgs& a) { return std::make_unique<EndlessInput>(a); });
  t.output("rec", [&](const PluginArgs& a) { return std::make_unique<RecordingOutput>(a, out_log); });
  Pipeline p(t.config, t.settings);
  p.start();
  uint64_t last = 0;
  for (int i = 0; i < 5; ++i) {
    std::this_thread::sleep_for(milliseconds(40));
    PipelineStats s = p.stats();
    EXPECT_GE(s.events_in, last);
    EXPECT_LE(s.events_done, s.events_in);
    last = s.events_in;
  }
  EXPECT_GT(last, 0u);
  p.request_stop();
  p.wait();
  PipelineStats s = p.stats();
  EXPECT_EQ(s.events_done, s.events_in);
  EXPECT_EQ(s.outputs[0].stats.delivered, s.events_in);
}

// A SIGTERM or a monitoring request can come while wait() closes the inputs
// of a pipeline whose inputs ended by themselves: neither may touch an input
// being destroyed (ThreadSanitizer saw request_stop() read one that
// close_input() was resetting).
TEST(Stats, StatsAndRequestStopAreSafeWhileThePipelineIsTornDown) {
  for (int round = 0; round < 20; ++round) {
    TestPipeline t;
    CountingInput::Log in_log;
    RecordingOutput::Log out_log;
    t.input([&](const PluginArgs& a) { return std::make_unique<CountingInput>(a, 50, in_log); });
    t.output("rec", [&](const PluginArgs& a) { return std::make_unique<RecordingOutput>(a, out_log); });
    Pipeline p(t.config, t.settings);
    p.start();
    std::atomic<bool> done{false};
    std::thread poker([&] {
      while (!done.load()) {
        (void)p.stats();
        p.request_stop();
      }
    });
    p.wait();
    done.store(true);
    poker.join();
    PipelineStats s = p.stats();
    EXPECT_EQ(s.events_done, s.events_in);
  }
}

}  // namespace
}  // namespace logpipe

namespace logpipe {
namespace {

// An input like Kafka's: it must keep serving its source, so the runtime may
// never block it.
class NeverBlockingInput : public Input {
 public:
  using Input::Input;
  void run(InputContext&) override {}
  bool never_blocks() const override { return true; }
};

// An InputRunner over a NeverBlockingInput, with its own queue, which a test
// pops in the workers' place.
struct NeverBlockingRig {
  NeverBlockingRig(size_t queue_capacity, const InputRunnerSettings& rs, Settings options = {})
      : settings(std::make_shared<Settings>(std::move(options))),
        decl{&info, "rig_1", settings, "test"},
        args{"rig", decl.id, *settings, env, nullptr},
        queue(queue_capacity),
        runner(decl, std::make_unique<NeverBlockingInput>(args), rs, queue, stopping, abandoned) {}
  // The sealed batches, in the order they were queued.
  std::vector<std::unique_ptr<Batch>> take_batches() {
    std::vector<std::unique_ptr<Batch>> got;
    for (Batch* p = nullptr; queue.try_pop(p);) got.emplace_back(p);
    return got;
  }

  PluginInfo info = [] {
    PluginInfo i;
    i.name = "rig";
    i.kind = PluginKind::Input;
    return i;
  }();
  std::shared_ptr<Settings> settings;
  PluginDecl decl;
  PluginEnv env;
  PluginArgs args;
  BoundedQueue<Batch*> queue;
  std::atomic<bool> stopping{false}, abandoned{false};
  InputRunner runner;
};

TEST(InputRunnerTest, AnInputThatNeverBlocksKeepsSealedBatchesWhileTheQueueIsFull) {
  InputRunnerSettings rs;
  rs.batch_size = 2;
  NeverBlockingRig rig(1, rs);
  InputRunner& runner = rig.runner;
  BoundedQueue<Batch*>& queue = rig.queue;
  // Three batches' worth with room for one: a blocking push would hang here.
  for (int i = 0; i < 6; ++i) runner.push(Event("e" + std::to_string(i)));
  EXPECT_TRUE(runner.congested());
  std::vector<std::unique_ptr<Batch>> got;
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    Batch* b = nullptr;
    ASSERT_TRUE(queue.try_pop(b)) << "batch " << seq;
    got.emplace_back(b);
    EXPECT_EQ(b->seq, seq) << "sealed batches keep their order";
    ASSERT_EQ(b->events.size(), 2u);
    EXPECT_EQ(*b->events[0].message(), "e" + std::to_string(2 * (seq - 1)));
    EXPECT_EQ(runner.congested(), seq < 3) << "while a sealed batch still waits";
    runner.tick();  // queues the next waiting batch now that there is room
  }
  EXPECT_FALSE(runner.congested());
}

}  // namespace
}  // namespace logpipe

namespace logpipe {
namespace {

// Adds what a file input adds: the line's source, and a tag for a cut line.
class SourceDecorator : public LineDecorator {
 public:
  explicit SourceDecorator(std::string source) : source_(std::move(source)) {}
  void decorate(Event& e, bool too_long) const override {
    e.set_top("source", Value(source_));
    if (too_long) e.add_tag("_cut");
  }

 private:
  std::string source_;
};

TEST(InputRunnerTest, LinesBecomeEventsOnTheWorkerDecoratedAsPushedEventsAreAndInOrder) {
  Settings options;
  options.set("type", Value("access"));
  options.set("tags", Value(Array{Value("from_input")}));
  InputRunnerSettings rs;
  rs.batch_size = 10;
  rs.max_message_bytes = 8;
  NeverBlockingRig rig(8, rs, std::move(options));
  InputRunner& runner = rig.runner;
  auto a = std::make_shared<const SourceDecorator>("a.log");
  auto b = std::make_shared<const SourceDecorator>("b.log");
  const Timestamp before = Timestamp::now();
  runner.push_line("one", a, false);
  runner.push_line("two", a, true);
  runner.push_line("a line past eight bytes", b, false);
  runner.push(Event("pushed"));  // the other kind: the lines' batch is sealed first
  runner.push_line("four", nullptr, false);  // a batch begun keeps its kind: made here
  runner.flush();
  runner.push_line("five", nullptr, false);
  runner.flush();
  EXPECT_EQ(runner.events_in(), 6u);

  std::vector<std::unique_ptr<Batch>> got = rig.take_batches();
  ASSERT_EQ(got.size(), 3u);
  Batch& lines = *got[0];
  EXPECT_TRUE(lines.events.empty()) << "made by the worker, not the input's thread";
  EXPECT_EQ(lines.size(), 3u);
  runner.make_line_events(&lines);
  ASSERT_EQ(lines.events.size(), 3u);
  EXPECT_EQ(lines.size(), 3u);
  const char* want_message[] = {"one", "two", "a line p"};
  const char* want_source[] = {"a.log", "a.log", "b.log"};
  for (size_t i = 0; i < 3; ++i) {
    const Event& e = lines.events[i];
    ASSERT_NE(e.message(), nullptr);
    EXPECT_EQ(*e.message(), want_message[i]);
    EXPECT_EQ(e.get_top("source")->as_string(), want_source[i]);
    EXPECT_EQ(e.get_top("type")->as_string(), "access");
    EXPECT_TRUE(e.has_tag("from_input"));
    EXPECT_EQ(e.has_tag("_cut"), i == 1);
    EXPECT_EQ(e.has_tag("_message_truncated"), i == 2);
    EXPECT_EQ(e.get_top("@version")->as_string(), "1");
    Timestamp ts;
    ASSERT_TRUE(e.timestamp(&ts));
    EXPECT_GE(ts.nanos, before.nanos) << "@timestamp is when the input read the line";
    EXPECT_LE(ts.nanos, Timestamp::now().nanos);
  }
  EXPECT_EQ(lines.made_ns.size(), 3u);

  ASSERT_EQ(got[1]->events.size(), 2u);
  EXPECT_EQ(*got[1]->events[0].message(), "pushed");
  EXPECT_EQ(*got[1]->events[1].message(), "four");
  EXPECT_EQ(got[1]->events[1].get_top("type")->as_string(), "access");
  EXPECT_EQ(got[1]->lines.size(), 0u);
  runner.make_line_events(got[1].get());  // nothing pending: nothing changes
  EXPECT_EQ(got[1]->events.size(), 2u);

  EXPECT_TRUE(got[2]->events.empty());
  runner.make_line_events(got[2].get());
  ASSERT_EQ(got[2]->events.size(), 1u);
  EXPECT_EQ(*got[2]->events[0].message(), "five");
  EXPECT_EQ(got[2]->events[0].get_top("source"), nullptr);
  EXPECT_LT(got[0]->seq, got[1]->seq);
  EXPECT_LT(got[1]->seq, got[2]->seq);
}

TEST(InputRunnerTest, LinesAreMadeIntoEventsOnTheInputsThreadWhileTheQueueIsHalfFull) {
  Settings options;
  options.set("type", Value("access"));
  InputRunnerSettings rs;
  rs.batch_size = 1;
  NeverBlockingRig rig(4, rs, std::move(options));
  InputRunner& runner = rig.runner;
  auto source = std::make_shared<const SourceDecorator>("a.log");
  // Each line fills a batch: the third finds two of the queue's four places taken.
  for (const char* line : {"one", "two", "three"}) runner.push_line(line, source, true);
  std::vector<std::unique_ptr<Batch>> got = rig.take_batches();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0]->lines.size(), 1u) << "the workers keep up: theirs to make";
  EXPECT_EQ(got[1]->lines.size(), 1u);
  EXPECT_EQ(got[2]->lines.size(), 0u) << "the workers fall behind: made by the input's thread";
  ASSERT_EQ(got[2]->events.size(), 1u);
  const Event& e = got[2]->events[0];
  EXPECT_EQ(*e.message(), "three");
  EXPECT_EQ(e.get_top("source")->as_string(), "a.log");
  EXPECT_EQ(e.get_top("type")->as_string(), "access");
  EXPECT_TRUE(e.has_tag("_cut"));
}

// A consumer waiting in pop(), on its own thread, for up to a minute.
struct WaitingConsumer {
  explicit WaitingConsumer(BoundedQueue<int>& q) : queue(q) {
    thread = std::thread([this] { got = queue.pop(item, std::chrono::seconds(60)); });
    while (queue.consumers_waiting() == 0) std::this_thread::yield();
  }
  ~WaitingConsumer() {
    if (thread.joinable()) thread.join();
  }
  BoundedQueue<int>& queue;
  int item = 0;
  bool got = false;
  std::thread thread;
};

TEST(BoundedQueueTest, APushThatOwesTheWakeUpSaysSoAndWakeConsumerPaysIt) {
  BoundedQueue<int> queue(4);
  WaitingConsumer consumer(queue);
  std::atomic<bool> abandoned{false};
  bool owed = false;
  ASSERT_TRUE(queue.push(7, abandoned, &owed));
  EXPECT_TRUE(owed) << "a consumer was waiting and was not woken";
  queue.wake_consumer();
  consumer.thread.join();
  EXPECT_TRUE(consumer.got);
  EXPECT_EQ(consumer.item, 7);
  // With nobody waiting nothing is owed.
  ASSERT_TRUE(queue.push(8, abandoned, &owed));
  EXPECT_FALSE(owed);
}

TEST(BoundedQueueTest, AProducerBlockedOnAFullQueueWakesTheConsumerItsPushesLetSleep) {
  BoundedQueue<int> queue(1);
  std::atomic<bool> abandoned{false};
  const int64_t began = steady_ns();
  {
    WaitingConsumer consumer(queue);
    bool owed = false;
    ASSERT_TRUE(queue.push(1, abandoned, &owed));
    ASSERT_TRUE(owed);
    // The queue is full and its consumer asleep: this push must wake it, or
    // both would wait out the consumer's minute.
    ASSERT_TRUE(queue.push(2, abandoned, &owed));
    consumer.thread.join();
    EXPECT_TRUE(consumer.got);
    EXPECT_EQ(consumer.item, 1);
  }
  EXPECT_LT(steady_ns() - began, int64_t{30} * 1000000000) << "woken, not timed out";
  int left = 0;
  ASSERT_TRUE(queue.try_pop(left));
  EXPECT_EQ(left, 2);
}

}  // namespace
}  // namespace logpipe
