// The fault soak: Kafka (the librdkafka mock cluster) and syslog (util-linux
// logger over TCP) -> grok -> Elasticsearch (two local contract servers) for
// a while under a schedule of faults, one after the other:
//   429 storms, 503s with slow answers and connection resets, one
//   Elasticsearch host down while the other stays up, a broker down and up,
//   a second logpipe joining the consumer group and leaving it, SIGTERM and
//   restart, SIGKILL and restart, the dead-letter disk full (a tmpfs, filled).
// Then it proves that every message produced is in the store or the
// dead-letter queue (refused ones in the queue only), that a SIGTERM in a
// stable group repeats nothing, that a SIGKILL repeats no more than what was
// delivered but not committed when it came, that no syslog line comes twice,
// that the last process's counters agree with the store, and that memory
// stayed bounded. It prints its figures, the duplicates of each rebalance
// among them (the coordinator refuses commits while the group rebalances, so
// the old owner's deliveries since its last commit come again). LOGPIPE_SOAK_PHASE_SECONDS sets each fault's length (CI: 4;
// scripts/soak runs it longer).
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <atomic>
#include <dirent.h>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/event/value.h"
#include "engine/text/json_reader.h"
#include "tests/kafka_mock_cluster.h"
#include "tests/logpipe_process.h"
#include "tests/tools/es_server/es_fake_server.h"

namespace logpipe {
namespace {

using namespace std::chrono_literals;
using es_fake::EsFakeServer;
using testing::Logpipe;
using Clock = std::chrono::steady_clock;

constexpr int kPartitions = 4;
constexpr const char* kTopic = "soak";
constexpr const char* kGroup = "soak";
// Every 50th Kafka message is one Elasticsearch refuses (a mapping
// conflict, by a rule on its field): it must end in the dead-letter queue.
constexpr const char* kRejectRule = R"({"field":"rest","value":"reject","status":400,"type":"document_parsing_exception","reason":"soak: refused for good"})";

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

uint64_t rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
  return 0;
}

class Soak : public testing::TempDirTest {
 protected:
  Soak() : TempDirTest("soak") {}

  void TearDown() override {
    stop_producing();
    sampling_ = false;
    if (sampler_.joinable()) sampler_.join();
    {
      std::lock_guard<std::mutex> lock(processes_mutex_);
      main_.reset();
      second_.reset();
    }
    if (mounted_) umount2(dlq_dir_.c_str(), MNT_DETACH);
    TempDirTest::TearDown();
  }

  std::string config(bool with_syslog) const {
    std::string c = "input {\n  kafka { bootstrap_servers => \"" + cluster_->bootstrap_servers() +
                    "\" topics => [\"" + kTopic + "\"] group_id => \"" + kGroup +
                    "\" auto_offset_reset => \"earliest\" auto_commit_interval_ms => 200 }\n";
    if (with_syslog) c += "  syslog { port => " + std::to_string(syslog_port_) + " }\n";
    c += "}\nfilter {\n  grok { match => { \"message\" => \"(?<key>[ks][0-9]+) %{WORD:rest}\" } }\n}\n"
         "output { elasticsearch {\n  hosts => [\"" + es1_->url() + "\", \"" + es2_->url() +
         "\"]\n  index => \"soak\"\n  document_id => \"%{key}\"\n  retry_initial_interval => 0.05\n"
         "  retry_max_interval => 0.5\n} }\n";
    return c;
  }

  void start_main() {
    auto lp = std::make_unique<Logpipe>(dir_, "main" + std::to_string(++starts_), config(true),
                                        std::vector<std::string>{"--api.http.port", "0",
                                                                 "--path.dead_letter_queue", dlq_dir_});
    ASSERT_TRUE(testing::wait_until([&] { return lp->log().find("syslog") != std::string::npos &&
                                                 lp->log().find("listening on port") != std::string::npos; },
                                    30s, 50ms))
        << lp->log();
    std::lock_guard<std::mutex> lock(processes_mutex_);
    main_ = std::move(lp);
  }

  // Kafka messages at a steady rate on a thread of their own, numbered.
  void start_producing() {
    cluster_->high_watermarks(kTopic, kPartitions);  // the producer exists before the thread
    producing_ = true;
    producer_ = std::thread([this] {
      while (producing_) {
        size_t first = kafka_produced_;
        cluster_->produce(kTopic, 100, [first](size_t i) {
          size_t n = first + i;
          return "k" + std::to_string(n) + (n % 50 == 49 ? " reject" : " fine");
        }, kPartitions);
        kafka_produced_ += 100;
        std::this_thread::sleep_for(200ms);
      }
    });
  }
  void stop_producing() {
    producing_ = false;
    if (producer_.joinable()) producer_.join();
  }

  // n syslog lines through logger, over TCP to the syslog input.
  void send_syslog(size_t n) {
    std::string file = path("syslog.txt");
    {
      std::ofstream out(file);
      for (size_t i = 0; i < n; ++i) out << "s" << syslog_sent_ + i << " fine\n";
    }
    std::string cmd = "logger --tcp -n 127.0.0.1 -P " + std::to_string(syslog_port_) +
                      " -t soak -f '" + file + "' 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    syslog_sent_ += n;
  }

  // Keys in the store (either host) and in the dead-letter queue.
  std::set<std::string> stored_keys() const {
    std::set<std::string> keys;
    for (auto* es : {es1_.get(), es2_.get()})
      for (auto& d : es->docs("soak")) keys.insert(d.id);
    return keys;
  }
  // Both processes' dead-letter queues (the second has one of its own).
  std::vector<std::string> dead_letter_keys() const {
    std::vector<std::string> keys;
    for (const std::string& dir : {dlq_dir_ + "/main", path("dlq-second") + "/main"}) read_letters(dir, keys);
    return keys;
  }
  static void read_letters(const std::string& dir, std::vector<std::string>& keys) {
    DIR* d = opendir(dir.c_str());
    if (!d) return;
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name.find(".jsonl") == std::string::npos) continue;
      for (auto& line : testing::split_lines(testing::read_text_file(dir + "/" + name))) {
        Value v;
        std::string error;
        if (line.empty() || !parse_json(line, &v, &error)) continue;  // a line being written
        const Value* event = v.as_object().find("event");
        const Value* key = event && event->is_object() ? event->as_object().find("key") : nullptr;
        if (key && key->is_string()) keys.push_back(key->as_string());
      }
    }
    closedir(d);
  }
  size_t delivered() const {
    std::set<std::string> keys = stored_keys();
    for (auto& k : dead_letter_keys()) keys.insert(k);
    return keys.size();
  }
  // Kafka messages stored or dead-lettered, less those committed: what a
  // consumer restarting from the committed offsets reads a second time.
  int64_t delivered_not_committed() {
    int64_t kafka_delivered = 0;
    std::set<std::string> keys = stored_keys();
    for (auto& k : dead_letter_keys()) keys.insert(k);
    for (auto& k : keys) kafka_delivered += k[0] == 'k';
    int64_t committed = 0;
    for (auto& [p, off] : cluster_->committed_offsets(kGroup, kTopic, kPartitions))
      committed += std::max<int64_t>(off, 0);
    return std::max<int64_t>(kafka_delivered - committed, 0);
  }

  // The same document id indexed twice (an overwrite), on both hosts, or a
  // dead letter written twice.
  uint64_t duplicates() const {
    uint64_t overwrites = es1_->stats().overwrites + es2_->stats().overwrites;
    std::set<std::string> on_es2;
    for (auto& d : es2_->docs("soak")) on_es2.insert(d.id);
    for (auto& d : es1_->docs("soak")) overwrites += on_es2.count(d.id);
    std::vector<std::string> letters = dead_letter_keys();
    return overwrites + letters.size() - std::set<std::string>(letters.begin(), letters.end()).size();
  }

  // Seconds until everything produced so far is stored or dead-lettered.
  double recover(const std::string& fault) {
    size_t target = kafka_produced_ + syslog_sent_;
    auto began = Clock::now();
    bool caught_up = testing::wait_until([&] { return delivered() >= target; }, 180s, 250ms);
    double took = std::chrono::duration<double>(Clock::now() - began).count();
    EXPECT_TRUE(caught_up) << fault << ": " << delivered() << " of " << target << "\n"
                           << (main_ ? main_->log() : "");
    uint64_t dups = duplicates();
    recoveries_.push_back({fault, took, dups - duplicates_seen_});
    duplicates_seen_ = dups;
    return took;
  }

  void sample_rss() {
    sampling_ = true;
    sampler_ = std::thread([this] {
      while (sampling_) {
        {
          std::lock_guard<std::mutex> lock(processes_mutex_);
          for (auto* lp : {main_.get(), second_.get()})
            if (lp) peak_rss_kib_ = std::max(peak_rss_kib_.load(), rss_kib(lp->pid()));
        }
        std::this_thread::sleep_for(200ms);
      }
    });
  }

  // The dead-letter directory on a tmpfs of its own, so that it can be filled.
  bool mount_dead_letter_disk() {
    dlq_dir_ = path("dlq");
    std::filesystem::create_directories(dlq_dir_);
    mounted_ = mount("tmpfs", dlq_dir_.c_str(), "tmpfs", 0, "size=4m") == 0;
    return mounted_;
  }
  // Writes a file that leaves less room than one dead letter.
  void fill_dead_letter_disk() {
    struct statvfs fs {};
    ASSERT_EQ(statvfs(dlq_dir_.c_str(), &fs), 0);
    uint64_t free_bytes = uint64_t(fs.f_bavail) * fs.f_frsize;
    std::ofstream filler(dlq_dir_ + "/filler", std::ios::binary);
    std::string block(4096, 'x');
    for (uint64_t written = 0; written + block.size() <= free_bytes; written += block.size())
      filler.write(block.data(), block.size());
  }

  std::unique_ptr<testing::KafkaMockCluster> cluster_;
  std::unique_ptr<EsFakeServer> es1_, es2_;
  std::unique_ptr<Logpipe> main_, second_;
  std::mutex processes_mutex_;
  int syslog_port_ = 0, starts_ = 0;
  std::string dlq_dir_;
  bool mounted_ = false;
  std::atomic<bool> producing_{false}, sampling_{false};
  std::atomic<size_t> kafka_produced_{0};
  size_t syslog_sent_ = 0;
  std::thread producer_, sampler_;
  std::atomic<uint64_t> peak_rss_kib_{0};
  struct Recovery {
    std::string fault;
    double seconds;
    uint64_t duplicates;  // new since the fault before
  };
  std::vector<Recovery> recoveries_;
  uint64_t duplicates_seen_ = 0;
};

TEST_F(Soak, KafkaAndSyslogThroughAScheduleOfFaultsLoseNothing) {
  const char* env = std::getenv("LOGPIPE_SOAK_PHASE_SECONDS");
  const auto phase = std::chrono::seconds(env ? std::max(1, std::atoi(env)) : 4);
  const bool disk = mount_dead_letter_disk();
  if (!disk) std::printf("[ soak ] no tmpfs (mount needs root): the dead-letter disk is not filled\n");
  auto began = Clock::now();

  cluster_ = std::make_unique<testing::KafkaMockCluster>(3, kTopic, kPartitions);
  cluster_->set_group_coordinator(kGroup, 1);
  es_fake::Options opt;
  opt.store = es_fake::StoreMode::kIds;
  es1_ = std::make_unique<EsFakeServer>(opt);
  es2_ = std::make_unique<EsFakeServer>(opt);
  es1_->start();
  es2_->start();
  auto faults = [&](const std::string& json) {
    for (auto* es : {es1_.get(), es2_.get()}) ASSERT_EQ(es->apply_faults_json(json), "") << json;
  };
  auto rejecting_only = "{\"item_rules\":[" + std::string(kRejectRule) +
                        "],\"request_statuses\":[],\"latency_ms\":0,\"reset\":{\"every_nth\":0,\"next\":0}}";
  faults(rejecting_only);
  syslog_port_ = free_port();
  start_main();
  sample_rss();
  start_producing();

  // 1. Steady.
  send_syslog(200);
  std::this_thread::sleep_for(phase);
  recover("steady");

  // 2. A 429 storm: whole requests and one item in three refused.
  faults("{\"item_rules\":[" + std::string(kRejectRule) +
         ",{\"every_nth\":3,\"status\":429}],\"request_statuses\":[429,429,429,429,429,429,429,429,429,429,429,429]}");
  send_syslog(200);
  std::this_thread::sleep_for(phase);
  faults(rejecting_only);
  recover("429 storm");

  // 3. 503s, slow answers and connections reset before storing.
  faults("{\"every_nth_request\":{\"n\":3,\"status\":503},\"latency_ms\":150,"
         "\"reset\":{\"every_nth\":5,\"next\":0,\"after_store\":false}}");
  std::this_thread::sleep_for(phase);
  faults("{\"every_nth_request\":{\"n\":0,\"status\":503}," + rejecting_only.substr(1));
  recover("503s, slow answers, resets");

  // 4. One host down, the other up.
  es2_->refuse_connections(-1ms);
  send_syslog(200);
  std::this_thread::sleep_for(phase);
  es2_->resume_listening();
  recover("one Elasticsearch host down");

  // 5. A broker down and up (not the group's coordinator).
  cluster_->broker_down(3);
  std::this_thread::sleep_for(phase);
  cluster_->broker_up(3);
  recover("broker down and up");

  // 6. A second logpipe joins the group, then leaves it (SIGTERM). A
  // rebalance re-delivers what the old owner delivered after its last
  // commit that went through (the coordinator refuses commits while the
  // group rebalances): those duplicates are counted and printed.
  {
    auto second = std::make_unique<Logpipe>(dir_, "second", config(false),
                                            std::vector<std::string>{"--path.dead_letter_queue", path("dlq-second")});
    std::lock_guard<std::mutex> lock(processes_mutex_);
    second_ = std::move(second);
  }
  // Both hold partitions: the group has rebalanced.
  EXPECT_TRUE(testing::wait_until([&] {
    std::lock_guard<std::mutex> lock(processes_mutex_);
    return second_->log().find(" assigned soak[") != std::string::npos;
  }, 60s, 250ms));
  std::this_thread::sleep_for(phase);
  recover("a second consumer joining");
  {
    std::lock_guard<std::mutex> lock(processes_mutex_);
    EXPECT_EQ(second_->stop(60), 0) << second_->log();
    second_.reset();
  }
  // The group has rebalanced when the first holds all four partitions again.
  EXPECT_TRUE(testing::wait_until([&] {
    std::lock_guard<std::mutex> lock(processes_mutex_);
    std::string log = main_->log();
    size_t all = 0;
    for (size_t at = 0; (at = log.find("assigned soak[0], soak[1], soak[2], soak[3]", at)) != std::string::npos; ++at) ++all;
    return all >= 2;
  }, 60s, 250ms));
  recover("the second consumer leaving");

  // 7. SIGTERM and restart: the drain delivers and commits what it holds.
  // Once the group is stable (commits go through), nothing comes twice.
  send_syslog(200);
  recover("syslog before SIGTERM");
  EXPECT_TRUE(testing::wait_until([&] { return delivered_not_committed() < 500; }, 60s, 250ms));
  {
    std::lock_guard<std::mutex> lock(processes_mutex_);
    EXPECT_EQ(main_->stop(60), 0) << main_->log();
    std::string log = main_->log();
    main_.reset();
    EXPECT_EQ(delivered_not_committed(), 0) << log;
    EXPECT_EQ(log.find("final commit failed"), std::string::npos) << log;
  }
  std::this_thread::sleep_for(phase / 2);
  start_main();
  uint64_t duplicates_before_restart = duplicates();
  recover("SIGTERM and restart");
  EXPECT_EQ(duplicates(), duplicates_before_restart);

  // 8. SIGKILL and restart: what was delivered and not committed comes again.
  // (Syslog over TCP has no acknowledgement: lines logpipe held when killed
  // would be lost, so none are in flight here; see the README.)
  send_syslog(200);
  recover("syslog before SIGKILL");
  std::this_thread::sleep_for(phase / 2);
  {
    std::lock_guard<std::mutex> lock(processes_mutex_);
    main_->kill();
    main_.reset();
  }
  std::this_thread::sleep_for(300ms);  // requests already sent are answered
  int64_t killed_in_flight = delivered_not_committed();
  start_main();
  recover("SIGKILL and restart");
  // What the dead process delivered and did not commit is read again: no
  // more than that comes twice.
  EXPECT_LE(int64_t(recoveries_.back().duplicates), killed_in_flight);

  // 9. The dead-letter disk full: refused events wait, unacknowledged,
  // until there is room again.
  size_t letters_before = dead_letter_keys().size();
  size_t kafka_at_full = kafka_produced_;
  if (disk) {
    fill_dead_letter_disk();
    std::this_thread::sleep_for(phase);
    // Only the room left in the pages the open segment already has: a few
    // letters (under 4 KiB), not the rejects produced meanwhile.
    size_t letters_while_full = dead_letter_keys().size();
    size_t rejects_meanwhile = (kafka_produced_ - kafka_at_full) / 50;
    EXPECT_LE(letters_while_full - letters_before, 4096 / 250 + 1);
    EXPECT_GT(rejects_meanwhile, 4096 / 250 + 1) << "the phase is too short to show the disk full";
    std::filesystem::remove(dlq_dir_ + "/filler");
    recover("dead-letter disk full");
    EXPECT_GT(dead_letter_keys().size(), letters_while_full);
    std::lock_guard<std::mutex> lock(processes_mutex_);
    EXPECT_NE(main_->log().find("No space left on device"), std::string::npos) << main_->log();
  }

  // The last process's counters against the store: from a clean start.
  {
    std::lock_guard<std::mutex> lock(processes_mutex_);
    EXPECT_EQ(main_->stop(60), 0) << main_->log();
    main_.reset();
  }
  uint64_t indexed_before = es1_->stats().items_by_status[201] + es1_->stats().items_by_status[200] +
                            es2_->stats().items_by_status[201] + es2_->stats().items_by_status[200];
  size_t letters_before_last = dead_letter_keys().size();
  start_main();
  send_syslog(200);
  std::this_thread::sleep_for(phase);
  stop_producing();
  recover("the end");
  int api_port = main_->api_port();
  httplib::Client api("127.0.0.1", api_port);
  auto stats = api.Get("/_node/stats/pipelines");
  ASSERT_TRUE(stats);
  Value node;
  std::string error;
  ASSERT_TRUE(parse_json(stats->body, &node, &error)) << error;
  const Value* outputs = node.as_object().find("pipelines")->as_object().find("main")->as_object()
                             .find("plugins")->as_object().find("outputs");
  ASSERT_TRUE(outputs && outputs->is_array() && outputs->as_array().size() == 1) << stats->body;
  const Object& es_out = outputs->as_array()[0].as_object();
  uint64_t indexed_after = es1_->stats().items_by_status[201] + es1_->stats().items_by_status[200] +
                           es2_->stats().items_by_status[201] + es2_->stats().items_by_status[200];
  uint64_t metric_out = es_out.find("events")->as_object().find("out")->as_int();
  uint64_t metric_dead = es_out.find("dead_lettered")->as_int();
  EXPECT_EQ(metric_out, indexed_after - indexed_before) << stats->body;
  const Object& events = node.as_object().find("pipelines")->as_object().find("main")->as_object()
                             .find("events")->as_object();
  EXPECT_EQ(events.find("in")->as_int(), events.find("out")->as_int() + events.find("dead_lettered")->as_int());
  EXPECT_EQ(metric_dead, dead_letter_keys().size() - letters_before_last) << stats->body;
  {
    std::lock_guard<std::mutex> lock(processes_mutex_);
    EXPECT_EQ(main_->stop(60), 0) << main_->log();
    main_.reset();
  }
  sampling_ = false;
  sampler_.join();

  // Every message, once at least.
  std::set<std::string> stored = stored_keys();
  std::vector<std::string> letters = dead_letter_keys();
  std::set<std::string> letter_set(letters.begin(), letters.end());
  size_t missing = 0, wrongly_stored = 0, wrongly_dead = 0;
  for (size_t i = 0; i < kafka_produced_; ++i) {
    std::string key = "k" + std::to_string(i);
    bool reject = i % 50 == 49;
    bool in_store = stored.count(key), in_dlq = letter_set.count(key);
    missing += !in_store && !in_dlq;
    wrongly_stored += reject && in_store;
    wrongly_dead += !reject && in_dlq;
  }
  for (size_t i = 0; i < syslog_sent_; ++i) missing += !stored.count("s" + std::to_string(i));
  EXPECT_EQ(missing, 0u);
  EXPECT_EQ(wrongly_stored, 0u);
  EXPECT_EQ(wrongly_dead, 0u);
  EXPECT_EQ(stored.size() + letter_set.size(), kafka_produced_ + syslog_sent_);

  uint64_t duplicates = this->duplicates();
  // Syslog has no replay: none of its lines may come twice.
  size_t syslog_twice = 0;
  std::set<std::string> syslog_on_es1;
  for (auto& d : es1_->docs("soak"))
    if (d.id[0] == 's') syslog_twice += d.version > 1, syslog_on_es1.insert(d.id);
  for (auto& d : es2_->docs("soak"))
    if (d.id[0] == 's') syslog_twice += d.version > 1 || syslog_on_es1.count(d.id);
  EXPECT_EQ(syslog_twice, 0u);

  double minutes = std::chrono::duration<double>(Clock::now() - began).count() / 60;
  EXPECT_LT(peak_rss_kib_.load(), 256u * 1024) << "peak RSS of a logpipe process";
  std::printf("[ soak ] %.1f min: produced %zu (kafka %zu, syslog %zu), delivered %zu, "
              "dead-lettered %zu, duplicated %llu (%lld delivered but not committed at the SIGKILL), "
              "peak RSS %llu KiB\n",
              minutes, size_t(kafka_produced_) + syslog_sent_, size_t(kafka_produced_), syslog_sent_,
              stored.size() + letter_set.size(), letter_set.size(),
              static_cast<unsigned long long>(duplicates), static_cast<long long>(killed_in_flight),
              static_cast<unsigned long long>(peak_rss_kib_.load()));
  for (auto& r : recoveries_)
    std::printf("[ soak ]   recovered from %-32s in %5.2f s, %llu duplicates\n", (r.fault + ":").c_str(),
                r.seconds, static_cast<unsigned long long>(r.duplicates));
}

}  // namespace
}  // namespace logpipe
