// kafka input: option → librdkafka property mapping and config errors; the
// input in-process against a mock cluster (decoration, offsets stored only
// for acknowledged batches); and the real logpipe binary against the mock
// cluster: 1,000,000 messages exactly once, SIGKILL and restart, two
// processes in one group, a broker down and up, an output stalled for 30 s.
#include "inputs/kafka_input.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/config/compiler.h"
#include "tests/kafka_mock_cluster.h"
#include "tests/logpipe_process.h"
#include "tests/subprocess.h"

namespace logpipe {
namespace {

using namespace std::chrono_literals;
using testing::KafkaMockCluster;
using testing::Logpipe;
using testing::Subprocess;
using testing::wait_until;

using Overrides = std::vector<std::pair<std::string, Value>>;

Settings kafka_settings(const Overrides& overrides) {
  Settings settings;
  for (const OptionSpec& o : kafka_input_info().options)
    if (o.default_value) settings.set(o.name, *o.default_value);
  for (const auto& [name, value] : overrides) settings.set(name, value);
  return settings;
}

std::map<std::string, std::string> properties(const Overrides& overrides, int thread = 0) {
  std::map<std::string, std::string> out;
  for (auto& [k, v] : kafka_consumer_properties(kafka_settings(overrides), thread)) out[k] = v;
  return out;
}

// ------------------------------------------------------------ options

TEST(KafkaInputOptions, DefaultsAreLogstashsAndOffsetsAreStoredByTheInput) {
  auto p = properties({});
  EXPECT_EQ(p["bootstrap.servers"], "localhost:9092");
  EXPECT_EQ(p["group.id"], "logstash");
  EXPECT_EQ(p["client.id"], "logstash-0");
  EXPECT_EQ(p["session.timeout.ms"], "10000");
  EXPECT_EQ(p["heartbeat.interval.ms"], "3000");
  EXPECT_EQ(p["auto.commit.interval.ms"], "5000");
  EXPECT_EQ(p["max.poll.interval.ms"], "300000");
  EXPECT_EQ(p["isolation.level"], "read_uncommitted");
  EXPECT_EQ(p["security.protocol"], "plaintext");
  EXPECT_EQ(p["enable.auto.commit"], "true");
  EXPECT_EQ(p["enable.auto.offset.store"], "false");
  EXPECT_EQ(p.count("auto.offset.reset"), 0u);  // Kafka's own default (latest)
  EXPECT_EQ(kafka_input_info().default_codec, "plain");
  EXPECT_EQ(properties({}, 2)["client.id"], "logstash-2");
}

struct MappingCase {
  const char* name;
  Overrides options;
  std::vector<std::pair<std::string, std::string>> expected;
};

class KafkaPropertyMapping : public ::testing::TestWithParam<MappingCase> {};

TEST_P(KafkaPropertyMapping, MapsToLibrdkafkaProperties) {
  auto p = properties(GetParam().options);
  for (const auto& [key, value] : GetParam().expected) EXPECT_EQ(p[key], value) << key;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, KafkaPropertyMapping,
    ::testing::Values(
        MappingCase{"reset_none_is_error", {{"auto_offset_reset", Value("none")}},
                    {{"auto.offset.reset", "error"}}},
        MappingCase{"reset_earliest", {{"auto_offset_reset", Value("earliest")}},
                    {{"auto.offset.reset", "earliest"}}},
        MappingCase{"fetch_settings",
                    {{"fetch_min_bytes", Value(10)},
                     {"fetch_max_wait_ms", Value(100)},
                     {"fetch_max_bytes", Value(1000000)},
                     {"max_partition_fetch_bytes", Value(65536)}},
                    {{"fetch.min.bytes", "10"},
                     {"fetch.wait.max.ms", "100"},
                     {"fetch.max.bytes", "1000000"},
                     {"max.partition.fetch.bytes", "65536"}}},
        MappingCase{"strategy_round_robin", {{"partition_assignment_strategy", Value("round_robin")}},
                    {{"partition.assignment.strategy", "roundrobin"}}},
        MappingCase{"strategy_cooperative",
                    {{"partition_assignment_strategy", Value("cooperative_sticky")}},
                    {{"partition.assignment.strategy", "cooperative-sticky"}}},
        MappingCase{"static_membership_per_thread",
                    {{"group_instance_id", Value("node7")}, {"consumer_threads", Value(2)}},
                    {{"group.instance.id", "node7-0"}}},
        MappingCase{"rack_and_isolation",
                    {{"client_rack", Value("eu-1a")}, {"isolation_level", Value("read_committed")}},
                    {{"client.rack", "eu-1a"}, {"isolation.level", "read_committed"}}},
        MappingCase{"sasl_plain_from_jaas",
                    {{"security_protocol", Value("SASL_SSL")},
                     {"sasl_mechanism", Value("PLAIN")},
                     {"sasl_jaas_config",
                      Value("org.apache.kafka.common.security.plain.PlainLoginModule required "
                            "username='alice' password=\"s3cret\";")}},
                    {{"security.protocol", "sasl_ssl"},
                     {"sasl.mechanisms", "PLAIN"},
                     {"sasl.username", "alice"},
                     {"sasl.password", "s3cret"},
                     {"ssl.endpoint.identification.algorithm", "https"}}},
        MappingCase{"sasl_scram_from_username",
                    {{"security_protocol", Value("SASL_PLAINTEXT")},
                     {"sasl_mechanism", Value("SCRAM-SHA-512")},
                     {"sasl_username", Value("bob")},
                     {"sasl_password", Value("pw")}},
                    {{"sasl.mechanisms", "SCRAM-SHA-512"},
                     {"sasl.username", "bob"},
                     {"sasl.password", "pw"}}},
        MappingCase{"ssl_no_hostname_check",
                    {{"security_protocol", Value("SSL")},
                     {"ssl_endpoint_identification_algorithm", Value("")}},
                    {{"security.protocol", "ssl"}, {"ssl.endpoint.identification.algorithm", "none"}}}),
    [](const ::testing::TestParamInfo<MappingCase>& info) { return info.param.name; });

TEST(KafkaInputOptions, KafkaPropertiesArePassedThroughAndOverride) {
  Object extra;
  extra.set("fetch.error.backoff.ms", Value("123"));
  extra.set("session.timeout.ms", Value(7000));
  auto p = kafka_consumer_properties(kafka_settings({{"kafka_properties", Value(extra)}}), 0);
  std::string last_session;
  bool backoff = false;
  for (auto& [k, v] : p) {
    if (k == "session.timeout.ms") last_session = v;
    if (k == "fetch.error.backoff.ms") backoff = v == "123";
  }
  EXPECT_TRUE(backoff);
  EXPECT_EQ(last_session, "7000");  // the later value wins in librdkafka
}

struct RefusalCase {
  const char* name;
  Overrides options;
  std::string option;  // named in the error
};

class KafkaInputRefuses : public ::testing::TestWithParam<RefusalCase> {};

TEST_P(KafkaInputRefuses, BadSettingsAtConfigTime) {
  Settings settings = kafka_settings(GetParam().options);
  PluginEnv env;
  PluginArgs args{"kafka", "kafka_test", settings, env, nullptr};
  try {
    kafka_input_info().make_input(args);
    FAIL() << "accepted";
  } catch (const OptionError& e) {
    EXPECT_EQ(e.option, GetParam().option) << e.what();
  }
}

Object unknown_property() {
  Object o;
  o.set("no.such.property", Value("1"));
  return o;
}
Object bad_property_value() {
  Object o;
  o.set("fetch.wait.max.ms", Value("soon"));
  return o;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, KafkaInputRefuses,
    ::testing::Values(
        RefusalCase{"no_topics", {{"topics", Value(Array{})}}, "topics"},
        RefusalCase{"sticky_strategy", {{"partition_assignment_strategy", Value("sticky")}},
                    "partition_assignment_strategy"},
        RefusalCase{"gssapi_without_service",
                    {{"security_protocol", Value("SASL_PLAINTEXT")}},
                    "sasl_kerberos_service_name"},
        RefusalCase{"jks_truststore",
                    {{"security_protocol", Value("SSL")}, {"ssl_truststore_type", Value("JKS")}},
                    "ssl_truststore_type"},
        RefusalCase{"unknown_property", {{"kafka_properties", Value(unknown_property())}},
                    "kafka_properties"},
        RefusalCase{"bad_property_value", {{"kafka_properties", Value(bad_property_value())}},
                    "kafka_properties"},
        RefusalCase{"negative_session", {{"session_timeout_ms", Value(-5)}}, "session_timeout_ms"}),
    [](const ::testing::TestParamInfo<RefusalCase>& info) { return info.param.name; });

// Ranges are declared with the options: the compiler refuses a value out of
// range, at its position, before the input is built.
TEST(KafkaInputOptions, RangesAreCheckedWhereTheValueIs) {
  const std::pair<const char*, const char*> cases[] = {
      {"consumer_threads => 0", "option \"consumer_threads\" of input kafka must be at least 1, got 0"},
      {"max_poll_records => 0", "option \"max_poll_records\" of input kafka must be at least 1, got 0"},
      {"poll_timeout_ms => -1", "option \"poll_timeout_ms\" of input kafka must be at least 0, got -1"},
  };
  for (const auto& [attribute, message] : cases) {
    std::string text = std::string("input { kafka { ") + attribute + " } } output { stdout {} }";
    try {
      config::load_pipeline({config::SourceFile{"k.conf", text}});
      ADD_FAILURE() << attribute << " was accepted";
    } catch (const config::ConfigException& e) {
      ASSERT_EQ(e.errors.size(), 1u) << attribute;
      EXPECT_EQ(e.errors[0].message, message);
      EXPECT_EQ(e.errors[0].loc.column, static_cast<int>(text.find("=> ") + 4)) << attribute;
    }
  }
}

TEST(KafkaInputOptions, ConstructorDoesNotConnect) {
  // Nothing listens on port 1; building the input must neither fail nor wait.
  Settings settings = kafka_settings({{"bootstrap_servers", Value("127.0.0.1:1")}});
  PluginEnv env;
  PluginArgs args{"kafka", "kafka_test", settings, env, nullptr};
  auto input = kafka_input_info().make_input(args);
  ASSERT_NE(input, nullptr);
  ASSERT_NE(kafka_input_lag(*input), nullptr);
  EXPECT_TRUE(kafka_input_lag(*input)->snapshot().empty());
}

// ------------------------------------------------------------ in-process

// Seals a batch every `batch` events (as the pipeline does); acknowledges
// sealed batches only when the test says so.
class AckingContext : public InputContext {
 public:
  AckingContext(Input& input, size_t batch) : input_(input), batch_(batch) {}
  void push(Event&& e) override {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(std::move(e));
    if (++in_batch_ >= batch_) seal();
  }
  void tick() override {}
  void flush() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (in_batch_) seal();
  }
  bool stopping() const override { return stopping_; }
  int poll_interval_ms() const override { return 20; }
  bool congested() const override { return false; }

  void set_auto_ack(bool on) { auto_ack_ = on; }
  void request_stop() { stopping_ = true; }
  size_t count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return events_.size();
  }
  std::vector<Event> events() const {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }

 private:
  void seal() {
    in_batch_ = 0;
    uint64_t seq = ++seq_;
    input_.sealed(seq);
    if (auto_ack_) input_.committed(seq);
  }
  Input& input_;
  size_t batch_;
  mutable std::mutex mu_;
  std::vector<Event> events_;
  size_t in_batch_ = 0;
  uint64_t seq_ = 0;
  std::atomic<bool> auto_ack_{true};
  std::atomic<bool> stopping_{false};
};

Overrides mock_options(const KafkaMockCluster& cluster, const std::string& group) {
  return {{"bootstrap_servers", Value(cluster.bootstrap_servers())},
          {"topics", Value(Array{Value("logs")})},
          {"group_id", Value(group)},
          {"auto_offset_reset", Value("earliest")},
          {"session_timeout_ms", Value(6000)},
          {"heartbeat_interval_ms", Value(500)},
          {"auto_commit_interval_ms", Value(200)}};
}

int64_t sum(const std::map<int, int64_t>& m) {
  int64_t total = 0;
  for (auto& [p, o] : m) total += o > 0 ? o : 0;
  return total;
}

TEST(KafkaInputInProcess, DecoratesAndCommitsOnlyAcknowledgedBatches) {
  KafkaMockCluster cluster;
  cluster.produce("logs", 1000, [](size_t i) { return "msg " + std::to_string(i); });

  // Run 1: nothing is acknowledged, so nothing may be committed.
  {
    Overrides o = mock_options(cluster, "g1");
    o.emplace_back("decorate_events", Value("basic"));
    Settings settings = kafka_settings(o);
    PluginEnv env;
    PluginArgs args{"kafka", "kafka_test", settings, env, nullptr};
    KafkaInputTimings timings;
    timings.shutdown_wait = 500ms;
    auto input = make_kafka_input(args, timings);
    AckingContext ctx(*input, 50);
    ctx.set_auto_ack(false);
    std::thread runner([&] { input->run(ctx); });
    EXPECT_TRUE(wait_until([&] { return ctx.count() >= 1000; }, 60s));
    ctx.request_stop();
    runner.join();
    auto committed = cluster.committed_offsets("g1", "logs", 8);
    EXPECT_EQ(sum(committed), 0) << "offsets committed for events never acknowledged";
    std::set<std::pair<int64_t, int64_t>> seen;
    for (const Event& e : ctx.events()) {
      const Value* kafka = e.metadata().find("kafka");
      ASSERT_NE(kafka, nullptr);
      const Object& k = kafka->as_object();
      EXPECT_EQ(k.find("topic")->as_string(), "logs");
      EXPECT_EQ(k.find("consumer_group")->as_string(), "g1");
      EXPECT_TRUE(k.find("key")->is_null());
      EXPECT_GT(k.find("timestamp")->as_int(), 0);
      seen.insert({k.find("partition")->as_int(), k.find("offset")->as_int()});
      EXPECT_EQ(k.find("headers"), nullptr);  // basic: no headers
    }
    EXPECT_EQ(seen.size(), 1000u);
  }
  // Run 2, same group: everything again (nothing was committed), now
  // acknowledged: the committed offsets reach the high watermarks.
  {
    Settings settings = kafka_settings(mock_options(cluster, "g1"));
    PluginEnv env;
    PluginArgs args{"kafka", "kafka_test", settings, env, nullptr};
    auto input = kafka_input_info().make_input(args);
    AckingContext ctx(*input, 50);
    std::thread runner([&] { input->run(ctx); });
    EXPECT_TRUE(wait_until([&] { return ctx.count() >= 1000; }, 60s));
    ctx.request_stop();
    runner.join();
    EXPECT_EQ(ctx.count(), 1000u);
    EXPECT_FALSE(ctx.events()[0].metadata().find("kafka"));  // decorate_events none
    EXPECT_EQ(cluster.committed_offsets("g1", "logs", 8), cluster.high_watermarks("logs", 8));
  }
}

TEST(KafkaInputInProcess, ExtendedDecorationCarriesKeyAndUtf8Headers) {
  KafkaMockCluster cluster(1, "logs", 1);
  {
    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", cluster.bootstrap_servers().c_str(), errstr,
                      sizeof errstr);
    rd_kafka_t* p = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    ASSERT_NE(p, nullptr);
    const char bad[] = "\xff\xfe";
    ASSERT_EQ(rd_kafka_producev(p, RD_KAFKA_V_TOPIC("logs"), RD_KAFKA_V_KEY("k1", 2),
                                RD_KAFKA_V_VALUE(const_cast<char*>("{\"a\":1}"), 7),
                                RD_KAFKA_V_HEADER("trace", "abc", 3),
                                RD_KAFKA_V_HEADER("binary", bad, 2), RD_KAFKA_V_END),
              RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_flush(p, 10000);
    rd_kafka_destroy(p);
  }
  Overrides o = mock_options(cluster, "g2");
  o.emplace_back("decorate_events", Value("extended"));
  Settings settings = kafka_settings(o);
  PluginEnv env;
  PluginArgs args{"kafka", "kafka_test", settings, env, nullptr};
  auto input = kafka_input_info().make_input(args);
  AckingContext ctx(*input, 1);
  std::thread runner([&] { input->run(ctx); });
  EXPECT_TRUE(wait_until([&] { return ctx.count() >= 1; }, 60s));
  ctx.request_stop();
  runner.join();
  ASSERT_EQ(ctx.count(), 1u);
  Event e = ctx.events()[0];
  EXPECT_EQ(*e.message(), "{\"a\":1}");  // no codec given here: the payload as message
  const Object& k = e.metadata().find("kafka")->as_object();
  EXPECT_EQ(k.find("key")->as_string(), "k1");
  EXPECT_EQ(k.find("partition")->as_int(), 0);
  EXPECT_EQ(k.find("offset")->as_int(), 0);
  const Object& h = k.find("headers")->as_object();
  EXPECT_EQ(h.find("trace")->as_string(), "abc");
  EXPECT_EQ(h.find("binary"), nullptr);  // not UTF-8: skipped, as Logstash does
}

TEST(KafkaInputInProcess, TwoConsumerThreadsShareThePartitionsAndReportLag) {
  KafkaMockCluster cluster;
  cluster.produce("logs", 4000, [](size_t i) { return "msg " + std::to_string(i); });
  Overrides o = mock_options(cluster, "g3");
  o.emplace_back("consumer_threads", Value(2));
  o.emplace_back("decorate_events", Value("basic"));
  Settings settings = kafka_settings(o);
  PluginEnv env;
  PluginArgs args{"kafka", "kafka_test", settings, env, nullptr};
  KafkaInputTimings timings;
  timings.lag_interval = 100ms;
  auto input = make_kafka_input(args, timings);
  AckingContext ctx(*input, 100);
  std::thread runner([&] { input->run(ctx); });
  EXPECT_TRUE(wait_until([&] { return ctx.count() >= 4000; }, 60s));
  // Everything is acknowledged: every partition's lag drops to 0.
  const KafkaLagTable* lag = kafka_input_lag(*input);
  ASSERT_NE(lag, nullptr);
  bool caught_up = wait_until(
      [&] {
        auto rows = lag->snapshot();
        if (rows.size() != 8) return false;
        for (auto& r : rows)
          if (r.lag != 0 || r.high_watermark != 500) return false;
        return true;
      },
      30s);
  EXPECT_TRUE(caught_up);
  ctx.request_stop();
  runner.join();
  std::set<std::pair<int64_t, int64_t>> seen;
  for (const Event& e : ctx.events()) {
    const Object& k = e.metadata().find("kafka")->as_object();
    seen.insert({k.find("partition")->as_int(), k.find("offset")->as_int()});
  }
  // Nothing lost. When the second consumer joins, the first one's partitions
  // are revoked; a commit the (mock) broker refuses then ("Group rebalance in
  // progress") makes the new owner read those partitions again: at-least-once
  // allows that repeat, once per message at most.
  EXPECT_EQ(seen.size(), 4000u);
  EXPECT_GE(ctx.count(), 4000u);
  EXPECT_LE(ctx.count(), 8000u);
  EXPECT_EQ(cluster.committed_offsets("g3", "logs", 8), cluster.high_watermarks("logs", 8));
}

// The monitoring figures: per partition, lag = the cluster's high watermark
// minus the group's committed offset, as the mock cluster reports them.
TEST(KafkaInputInProcess, LagInTheMetricsIsTheHighWatermarkMinusTheCommittedOffset) {
  KafkaMockCluster cluster;
  cluster.produce("logs", 4000, [](size_t i) { return "msg " + std::to_string(i); });
  Overrides o = mock_options(cluster, "g-lag");
  o.emplace_back("auto_commit_interval_ms", Value(200));
  Settings settings = kafka_settings(o);
  PluginEnv env;
  PluginArgs args{"kafka", "kafka_test", settings, env, nullptr};
  KafkaInputTimings timings;
  timings.lag_interval = 100ms;
  auto input = make_kafka_input(args, timings);
  AckingContext ctx(*input, 100);
  std::thread runner([&] { input->run(ctx); });
  ASSERT_TRUE(wait_until([&] { return ctx.count() >= 4000; }, 60s));
  // What comes next is read but never acknowledged: 100 more per partition.
  ctx.set_auto_ack(false);
  cluster.produce("logs", 800, [](size_t i) { return "late " + std::to_string(i); });
  ASSERT_TRUE(wait_until([&] { return ctx.count() >= 4800; }, 60s));

  auto lag_of = [&](int partition, const char* name) -> double {
    PluginMetrics m;
    input->collect_metrics(m);
    for (auto& pm : m)
      if (pm.name == name && pm.labels.size() == 2 && pm.labels[1].second == std::to_string(partition))
        return pm.value;
    return -1;
  };
  bool agreed = wait_until(
      [&] {
        auto high = cluster.high_watermarks("logs", 8);
        auto committed = cluster.committed_offsets("g-lag", "logs", 8);
        for (int p = 0; p < 8; ++p)
          if (lag_of(p, "consumer_lag") != double(high[p] - committed[p]) ||
              lag_of(p, "high_watermark") != double(high[p]) || lag_of(p, "committed_offset") != double(committed[p]))
            return false;
        return true;
      },
      30s);
  EXPECT_TRUE(agreed);
  auto high = cluster.high_watermarks("logs", 8);
  auto committed = cluster.committed_offsets("g-lag", "logs", 8);
  int64_t total = 0;
  for (int p = 0; p < 8; ++p) {
    EXPECT_EQ(high[p] - committed[p], 100) << "partition " << p;
    total += high[p] - committed[p];
  }
  PluginMetrics m;
  input->collect_metrics(m);
  double topic_lag = -1;
  for (auto& pm : m)
    if (pm.name == "topic_lag") topic_lag = pm.value;
  EXPECT_EQ(topic_lag, double(total));
  ctx.request_stop();
  runner.join();
}

// ------------------------------------------------------------ the real binary

std::string pipeline_config(const KafkaMockCluster& cluster, const std::string& group,
                            const std::string& out, const std::string& extra = "",
                            int commit_interval_ms = 500) {
  return "input { kafka {\n"
         "  bootstrap_servers => \"" + cluster.bootstrap_servers() + "\"\n"
         "  topics => [\"logs\"]\n"
         "  group_id => \"" + group + "\"\n"
         "  auto_offset_reset => \"earliest\"\n"
         "  session_timeout_ms => 6000\n"
         "  heartbeat_interval_ms => 500\n"
         "  auto_commit_interval_ms => " + std::to_string(commit_interval_ms) + "\n"
         "  decorate_events => \"basic\"\n" + extra +
         "} }\n"
         "output { file { path => \"" + out + "\"\n"
         "  codec => line { format => \"%{[@metadata][kafka][partition]} "
         "%{[@metadata][kafka][offset]} %{message}\" } } }\n";
}

struct Delivered {
  std::map<std::pair<int, int64_t>, int> by_offset;  // (partition, offset) → times
  std::set<std::string> messages;
  size_t lines = 0;
};

// Adds the lines of an output file ("partition offset message"); a torn last
// line (the process was killed mid-write) is ignored.
void read_output(const std::string& path, Delivered& d) {
  std::string text = testing::read_text_file(path);
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) break;
    std::string line = text.substr(start, nl - start);
    start = nl + 1;
    int partition;
    long long offset;
    int used = 0;
    if (std::sscanf(line.c_str(), "%d %lld %n", &partition, &offset, &used) < 2 || used == 0)
      continue;
    ++d.lines;
    ++d.by_offset[{partition, offset}];
    d.messages.insert(line.substr(static_cast<size_t>(used)));
  }
}

Delivered read_outputs(const std::vector<std::string>& paths) {
  Delivered d;
  for (auto& p : paths) read_output(p, d);
  return d;
}

size_t count_lines(const std::vector<std::string>& paths) {
  size_t n = 0;
  for (auto& p : paths) {
    std::string text = testing::read_text_file(p);
    for (char c : text) n += c == '\n';
  }
  return n;
}

bool wait_for_unique(const std::vector<std::string>& paths, size_t expected,
                     std::chrono::seconds limit) {
  return wait_until(
      [&] {
        return count_lines(paths) >= expected &&
               read_outputs(paths).by_offset.size() >= expected;
      },
      limit);
}

std::string message(size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "m%07zu", i);
  return buf;
}

// Every offset below the high watermark of every partition was delivered.
void expect_everything(const Delivered& d, const std::map<int, int64_t>& high) {
  size_t missing = 0;
  for (auto& [p, h] : high)
    for (int64_t o = 0; o < h; ++o) missing += d.by_offset.count({p, o}) == 0;
  EXPECT_EQ(missing, 0u);
}

size_t duplicates(const Delivered& d) {
  size_t n = 0;
  for (auto& [k, times] : d.by_offset) n += static_cast<size_t>(times - 1);
  return n;
}

class KafkaInputBinary : public testing::TempDirTest {
 protected:
  KafkaInputBinary() : TempDirTest("kafka") {}
};

TEST_F(KafkaInputBinary, MillionMessagesArriveExactlyOnce) {
  constexpr size_t kCount = 1000000;
  KafkaMockCluster cluster;
  cluster.produce("logs", kCount, message);
  Logpipe lp(dir_, "lp", pipeline_config(cluster, "million", path("out.txt")));
  bool all = wait_until([&] { return count_lines({path("out.txt")}) >= kCount; }, 240s);
  EXPECT_TRUE(all) << lp.log();
  std::this_thread::sleep_for(1s);  // anything extra would show now
  EXPECT_EQ(lp.stop(), 0) << lp.log();
  Delivered d = read_outputs({path("out.txt")});
  EXPECT_EQ(d.lines, kCount);
  EXPECT_EQ(d.by_offset.size(), kCount);
  EXPECT_EQ(d.messages.size(), kCount);
  EXPECT_EQ(duplicates(d), 0u);
  // Drained: the final commit covers everything.
  EXPECT_EQ(cluster.committed_offsets("million", "logs", 8), cluster.high_watermarks("logs", 8));
}

TEST_F(KafkaInputBinary, SigkillThenRestartLosesNothingAndRepeatsOnlyWhatWasInFlight) {
  static constexpr size_t kCount = 300000;
  KafkaMockCluster cluster;
  cluster.produce("logs", kCount / 3, message);
  // Commits every 3 s: at the kill, what was read since is in flight.
  std::string config1 = pipeline_config(cluster, "crash", path("out1.txt"), "", 3000);
  {
    Logpipe first(dir_, "first", config1);
    // Killed mid-stream, once some offsets are committed: messages are
    // still being produced and consumed.
    ASSERT_TRUE(wait_until([&] { return sum(cluster.committed_offsets("crash", "logs", 8)) > 0; },
                           120s))
        << first.log();
    std::thread more([&] {  // a steady stream, so that the kill lands in it
      for (size_t from = kCount / 3; from < kCount; from += 5000) {
        cluster.produce("logs", 5000, [from](size_t i) { return message(from + i); });
        std::this_thread::sleep_for(30ms);
      }
    });
    std::this_thread::sleep_for(1000ms);
    first.kill();
    more.join();
  }
  size_t before_restart = count_lines({path("out1.txt")});
  auto committed = cluster.committed_offsets("crash", "logs", 8);
  Logpipe second(dir_, "second", pipeline_config(cluster, "crash", path("out2.txt")));
  bool all = wait_for_unique({path("out1.txt"), path("out2.txt")}, kCount, 120s);
  EXPECT_TRUE(all) << second.log();
  EXPECT_EQ(second.stop(), 0);

  Delivered d = read_outputs({path("out1.txt"), path("out2.txt")});
  auto high = cluster.high_watermarks("logs", 8);
  expect_everything(d, high);
  EXPECT_EQ(d.messages.size(), kCount);
  // A repeated event must have been in flight at the kill: at or above the
  // offset the group had committed then.
  size_t below_commit = 0;
  for (auto& [key, times] : d.by_offset)
    if (times > 1 && key.second < committed[key.first]) ++below_commit;
  EXPECT_EQ(below_commit, 0u);
  size_t dups = duplicates(d);
  EXPECT_LE(static_cast<int64_t>(dups), static_cast<int64_t>(before_restart) - sum(committed));
  std::printf("[ sigkill ] delivered before kill %zu, committed %lld, duplicates %zu\n",
              before_restart, static_cast<long long>(sum(committed)), dups);
}

// The partitions named in the last "assigned" log line of a process.
std::set<int> last_assignment(const std::string& log) {
  std::set<int> parts;
  size_t at = log.rfind(" assigned ");
  if (at == std::string::npos) return parts;
  size_t end = log.find('\n', at);
  std::string line = log.substr(at, end - at);
  for (size_t p = line.find("logs["); p != std::string::npos; p = line.find("logs[", p + 1))
    parts.insert(std::atoi(line.c_str() + p + 5));
  return parts;
}

TEST_F(KafkaInputBinary, TwoProcessesInOneGroupSplitThePartitions) {
  constexpr size_t kCount = 200000;
  KafkaMockCluster cluster;
  Logpipe a(dir_, "a", pipeline_config(cluster, "shared", path("a.txt")));
  Logpipe b(dir_, "b", pipeline_config(cluster, "shared", path("b.txt")));
  bool split = wait_until(
      [&] {
        std::set<int> pa = last_assignment(a.log()), pb = last_assignment(b.log());
        if (pa.empty() || pb.empty() || pa.size() + pb.size() != 8) return false;
        for (int p : pa)
          if (pb.count(p)) return false;
        return true;
      },
      60s);
  ASSERT_TRUE(split) << a.log() << b.log();
  // Half with librdkafka, half with the kcat command-line producer.
  cluster.produce("logs", kCount / 2, message);
  {
    std::ofstream lines(path("kcat-input.txt"));
    for (size_t i = kCount / 2; i < kCount; ++i) lines << message(i) << "\n";
  }
  cluster.produce_with_kcat("logs", path("kcat-input.txt"));
  bool all = wait_for_unique({path("a.txt"), path("b.txt")}, kCount, 120s);
  EXPECT_TRUE(all) << a.log() << b.log();
  EXPECT_EQ(a.stop(), 0);
  EXPECT_EQ(b.stop(), 0);
  Delivered da = read_outputs({path("a.txt")}), db = read_outputs({path("b.txt")});
  EXPECT_GT(da.lines, 0u);
  EXPECT_GT(db.lines, 0u);
  Delivered d = read_outputs({path("a.txt"), path("b.txt")});
  expect_everything(d, cluster.high_watermarks("logs", 8));
  EXPECT_EQ(d.messages.size(), kCount);
  EXPECT_EQ(duplicates(d), 0u);  // a stable group: each partition read by one process
}

TEST_F(KafkaInputBinary, BrokerDownAndBackLosesNothing) {
  constexpr size_t kCount = 300000;
  KafkaMockCluster cluster;
  cluster.produce("logs", kCount / 2, message);
  Logpipe lp(dir_, "lp",
             pipeline_config(cluster, "outage", path("out.txt"),
                             "  kafka_properties => { \"reconnect.backoff.max.ms\" => \"500\" }\n"));
  ASSERT_TRUE(wait_until([&] { return count_lines({path("out.txt")}) >= kCount / 4; }, 120s))
      << lp.log();
  cluster.broker_down(2);
  std::this_thread::sleep_for(4s);
  cluster.broker_up(2);
  // Leadership moves while consuming: the consumer follows it.
  cluster.set_leader("logs", 0, 3);
  cluster.set_leader("logs", 1, 1);
  auto t0 = std::chrono::steady_clock::now();
  cluster.produce("logs", kCount / 2, [](size_t i) { return message(kCount / 2 + i); });
  auto t1 = std::chrono::steady_clock::now();
  bool all = wait_for_unique({path("out.txt")}, kCount, 120s);
  auto t2 = std::chrono::steady_clock::now();
  std::printf("[ broker ] produce after outage %.1f s, consume rest %.1f s\n",
              std::chrono::duration<double>(t1 - t0).count(),
              std::chrono::duration<double>(t2 - t1).count());
  EXPECT_TRUE(all) << lp.log();
  EXPECT_EQ(lp.stop(), 0);
  Delivered d = read_outputs({path("out.txt")});
  expect_everything(d, cluster.high_watermarks("logs", 8));
  EXPECT_EQ(d.messages.size(), kCount);
  std::printf("[ broker ] duplicates %zu\n", duplicates(d));
}

// Reads a FIFO into a string; can be told to stop reading for a while.
class FifoReader {
 public:
  explicit FifoReader(const std::string& path) {
    mkfifo(path.c_str(), 0600);
    fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK);
    thread_ = std::thread([this] { loop(); });
  }
  ~FifoReader() {
    done_ = true;
    thread_.join();
    ::close(fd_);
  }
  void hold(bool on) { hold_ = on; }
  std::string text() {
    std::lock_guard<std::mutex> lock(mu_);
    return text_;
  }
  size_t lines() {
    std::lock_guard<std::mutex> lock(mu_);
    size_t n = 0;
    for (char c : text_) n += c == '\n';
    return n;
  }

 private:
  void loop() {
    char buf[65536];
    while (!done_) {
      if (hold_) {
        std::this_thread::sleep_for(20ms);
        continue;
      }
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n > 0) {
        std::lock_guard<std::mutex> lock(mu_);
        text_.append(buf, static_cast<size_t>(n));
      } else {
        std::this_thread::sleep_for(5ms);  // no writer yet, or nothing to read
      }
    }
  }
  int fd_ = -1;
  std::atomic<bool> done_{false}, hold_{false};
  std::mutex mu_;
  std::string text_;
  std::thread thread_;
};

TEST_F(KafkaInputBinary, StalledOutputPausesWithoutLeavingTheGroup) {
  constexpr size_t kCount = 200000;
  KafkaMockCluster cluster;
  cluster.produce("logs", kCount, message);
  FifoReader fifo(path("fifo"));
  fifo.hold(true);  // the output blocks as soon as the pipe is full
  // max_poll_interval_ms below the stall: a consumer that stopped polling
  // would be thrown out of the group.
  Logpipe lp(dir_, "lp",
             pipeline_config(cluster, "stall", path("fifo"), "  max_poll_interval_ms => 10000\n"));
  auto stall_start = std::chrono::steady_clock::now();
  EXPECT_TRUE(wait_until([&] { return lp.log().find("pausing") != std::string::npos; }, 60s))
      << lp.log();
  std::this_thread::sleep_until(stall_start + 30s);
  EXPECT_TRUE(lp.running());
  fifo.hold(false);
  bool all = wait_until([&] { return fifo.lines() >= kCount; }, 120s);
  EXPECT_TRUE(all) << lp.log();
  std::this_thread::sleep_for(1s);
  std::string log = lp.log();  // before shutdown, which gives the partitions up
  EXPECT_NE(log.find("resuming"), std::string::npos) << log;
  EXPECT_EQ(log.find("revoked"), std::string::npos) << "left the group during the stall:\n" << log;
  EXPECT_EQ(lp.stop(), 0);
  std::ofstream(path("fifo.txt")) << fifo.text();
  Delivered d = read_outputs({path("fifo.txt")});
  expect_everything(d, cluster.high_watermarks("logs", 8));
  EXPECT_EQ(d.messages.size(), kCount);
  EXPECT_EQ(duplicates(d), 0u);
}

}  // namespace
}  // namespace logpipe
