// End-to-end benchmark of the kafka input: librdkafka's mock cluster (in this
// process, real Kafka protocol on loopback) → kafka input (plain codec) →
// the real Pipeline (one worker, batches of 125) → a null output that counts.
// 1,000,000 messages of 200 bytes are produced first (not timed) to a topic
// of 64 partitions (the mock keeps only ~5 MB per partition). The time runs
// from the first event the output sees to the last, so the group join is not
// counted. Reports events/s (items_per_second) for 1 and 2 consumer threads,
// and events per CPU-second of the consumer threads (kafka-in-*): the
// capacity of one consumer thread when it does not share its core, and the
// best rate over 100 ms (best_100ms_events_per_s): the mock serves data in
// rounds a second apart, and this is how fast a round is drained.
//   logpipe_bench --benchmark_filter=Kafka
#include <benchmark/benchmark.h>

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>
#include <thread>

#include "engine/runtime/pipeline.h"
#include "engine/runtime/steady_clock.h"
#include "inputs/kafka_input.h"
#include "tests/kafka_mock_cluster.h"

using namespace logpipe;

namespace {

constexpr size_t kMessages = 1000000;
constexpr int kPartitions = 64;

using Clock = std::chrono::steady_clock;

struct NullCounter {
  std::atomic<uint64_t> events{0};
  std::atomic<int64_t> first_ns{0};
  std::atomic<int64_t> last_ns{0};
};

class CountingOutput : public Output {
 public:
  CountingOutput(const PluginArgs& args, NullCounter& counter) : Output(args), counter_(counter) {}
  void deliver(OutputWork& work) override {
    const auto& events = work.events();
    int64_t now = Clock::now().time_since_epoch().count();
    int64_t zero = 0;
    counter_.first_ns.compare_exchange_strong(zero, now);
    counter_.events.fetch_add(events.size());
    counter_.last_ns.store(now);
  }

 private:
  NullCounter& counter_;
};

// CPU seconds used so far by this process's threads whose name starts with
// prefix (kafka-in-*: our consumer threads; rdk:broker*: librdkafka's
// fetchers, and also the idle producer's and the mock's broker threads).
double thread_cpu_seconds(const std::string& prefix) {
  double total = 0;
  DIR* dir = opendir("/proc/self/task");
  if (!dir) return 0;
  while (dirent* d = readdir(dir)) {
    if (d->d_name[0] == '.') continue;
    std::string base = std::string("/proc/self/task/") + d->d_name;
    std::string comm;
    std::getline(std::ifstream(base + "/comm"), comm);
    if (comm.rfind(prefix, 0) != 0) continue;
    std::string stat;
    std::getline(std::ifstream(base + "/stat"), stat);
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::string skip;
    unsigned long long utime = 0, stime = 0;
    for (int i = 0; i < 11; ++i) fields >> skip;  // state .. cmajflt
    fields >> utime >> stime;
    total += double(utime + stime) / double(sysconf(_SC_CLK_TCK));
  }
  closedir(dir);
  return total;
}


testing::KafkaMockCluster& cluster() {
  static testing::KafkaMockCluster* c = [] {
    auto* mock = new testing::KafkaMockCluster(3, "bench", kPartitions);
    std::string body(200, 'x');
    // One partition after the other: full producer batches.
    constexpr size_t kPerPartition = kMessages / kPartitions;
    for (int p = 0; p < kPartitions; ++p) {
      size_t first = static_cast<size_t>(p) * kPerPartition;
      size_t count = p + 1 == kPartitions ? kMessages - first : kPerPartition;
      mock->produce_to("bench", p, count, [&](size_t i) {
        std::string m = body;
        std::snprintf(&m[0], 12, "%011zu", first + i);
        m[11] = ' ';
        return m;
      });
    }
    return mock;
  }();
  return *c;
}

}  // namespace

static void BM_KafkaToNull(benchmark::State& state) {
  static int run = 0;
  testing::KafkaMockCluster& mock = cluster();
  for (auto _ : state) {
    NullCounter counter;
    PluginInfo kafka = kafka_input_info();
    PluginInfo null_output;
    null_output.name = "null";
    null_output.kind = PluginKind::Output;
    null_output.make_output = [&counter](const PluginArgs& args) -> std::unique_ptr<Output> {
      return std::make_unique<CountingOutput>(args, counter);
    };

    auto input_settings = std::make_shared<Settings>();
    for (const OptionSpec& o : kafka.options)
      if (o.default_value) input_settings->set(o.name, *o.default_value);
    input_settings->set("bootstrap_servers", Value(mock.bootstrap_servers()));
    input_settings->set("topics", Value(Array{Value("bench")}));
    input_settings->set("group_id", Value("bench-" + std::to_string(++run)));
    input_settings->set("auto_offset_reset", Value("earliest"));
    input_settings->set("consumer_threads", Value(static_cast<int64_t>(state.range(0))));
    input_settings->set("session_timeout_ms", Value(6000));
    input_settings->set("heartbeat_interval_ms", Value(500));
    input_settings->set_codec(std::make_shared<CodecSpec>(CodecSpec{"plain", Settings{}}));

    auto config = std::make_shared<PipelineConfig>();
    config->inputs.push_back(PluginDecl{&kafka, "kafka_bench", input_settings, "bench"});
    config->outputs.push_back(
        PluginDecl{&null_output, "null_bench", std::make_shared<Settings>(), "bench"});
    GraphNode out;
    out.plugin = 0;
    config->output_graph.push_back(out);

    PipelineSettings settings;
    settings.workers = 1;
    Pipeline pipeline(config, settings);
    double rdk_before = thread_cpu_seconds("rdk:broker");
    double process_before = process_cpu_seconds();
    pipeline.start();
    auto deadline = Clock::now() + std::chrono::minutes(5);
    // Delivered counts every 20 ms: the mock cluster hands out data in
    // rounds (one fetch per partition, then a pause of most of a second), so
    // the best 100 ms shows what the consumer does while it has data.
    std::vector<std::pair<Clock::time_point, uint64_t>> samples;
    while (counter.events.load() < kMessages && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      samples.emplace_back(Clock::now(), counter.events.load());
    }
    double best_rate = 0;
    for (size_t i = 0, j = 0; j < samples.size(); ++j) {
      while (samples[j].first - samples[i].first > std::chrono::milliseconds(100)) ++i;
      double span = std::chrono::duration<double>(samples[j].first - samples[i].first).count();
      if (span >= 0.08) best_rate = std::max(best_rate, (samples[j].second - samples[i].second) / span);
    }
    double consumer_cpu = thread_cpu_seconds("kafka-in-");
    double rdk_cpu = thread_cpu_seconds("rdk:broker") - rdk_before;
    double process_cpu = process_cpu_seconds() - process_before;
    pipeline.request_stop();
    pipeline.wait();
    double seconds = double(counter.last_ns.load() - counter.first_ns.load()) *
                     Clock::period::num / Clock::period::den;
    state.SetIterationTime(seconds > 0 ? seconds : 1e-9);
    state.counters["events"] = double(counter.events.load());
    state.counters["best_100ms_events_per_s"] = best_rate;
    state.counters["events_per_s_per_thread"] =
        double(counter.events.load()) / (seconds > 0 ? seconds : 1e-9) / double(state.range(0));
    // On a shared machine the wall clock says little: events per CPU-second
    // of the consumer threads is what one consumer thread can do.
    state.counters["consumer_cpu_s"] = consumer_cpu;
    state.counters["events_per_consumer_cpu_s"] =
        consumer_cpu > 0 ? double(counter.events.load()) / consumer_cpu : 0;
    state.counters["rdkafka_broker_cpu_s"] = rdk_cpu;
    state.counters["process_cpu_s"] = process_cpu;  // includes the mock cluster
    state.counters["events_per_consumer_and_fetch_cpu_s"] =
        consumer_cpu + rdk_cpu > 0 ? double(counter.events.load()) / (consumer_cpu + rdk_cpu) : 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(kMessages));
}
BENCHMARK(BM_KafkaToNull)
    ->ArgName("consumer_threads")
    ->Arg(1)
    ->Arg(2)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
