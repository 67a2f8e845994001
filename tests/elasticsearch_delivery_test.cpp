// The elasticsearch output end to end: the logpipe binary against the local
// Elasticsearch contract server (tests/tools/es_server), with its faults:
// nothing accepted is lost, refusals are dead-lettered with their reasons and
// replayed, a host that is down is set aside, and a drain with Elasticsearch
// unreachable ends at its deadline, non-zero, with Kafka offsets not
// committed past what Elasticsearch stored.
#include <gtest/gtest.h>

#include <dirent.h>

#include <set>
#include <string>
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
using testing::wait_until;

class EsDelivery : public testing::TempDirTest {
 protected:
  EsDelivery() : TempDirTest("es") {}

  // An elasticsearch output to `es`, fast retries so faults pass quickly.
  static std::string output(const EsFakeServer& es, const std::string& extra) {
    return "output { elasticsearch {\n  hosts => [\"" + es.url() +
           "\"]\n  retry_initial_interval => 0.05\n  retry_max_interval => 0.2\n" + extra + "} }\n";
  }
  static std::string generator(int count, const std::string& lines = "") {
    return "input { generator { count => " + std::to_string(count) +
           (lines.empty() ? std::string(" message => \"a log line\"") : " lines => " + lines) + " } }\n";
  }

  // The dead letters written under a run's data directory, one JSON value each.
  static std::vector<Value> dead_letters(const std::string& data_dir) {
    std::vector<Value> out;
    std::string dir = data_dir + "/dead_letter_queue/main";
    DIR* d = opendir(dir.c_str());
    if (!d) return out;
    std::vector<std::string> names;
    while (dirent* e = readdir(d))
      if (std::string(e->d_name).find(".jsonl") != std::string::npos) names.push_back(e->d_name);
    closedir(d);
    std::sort(names.begin(), names.end());
    for (auto& n : names)
      for (auto& line : testing::split_lines(testing::read_text_file(dir + "/" + n))) {
        if (line.empty()) continue;
        Value v;
        std::string error;
        EXPECT_TRUE(parse_json(line, &v, &error)) << error << ": " << line;
        out.push_back(std::move(v));
      }
    return out;
  }

  void fault_schedule(int count, es_fake::StoreMode store);

  static std::set<std::string> ids(const EsFakeServer& es, const std::string& index) {
    std::set<std::string> out;
    for (auto& d : es.docs(index)) out.insert(d.id);
    return out;
  }

};

TEST_F(EsDelivery, EveryEventIsStoredAfterTheTemplateIsInstalled) {
  EsFakeServer es;
  es.start();
  Logpipe lp(dir_, "lp", generator(3000) + output(es, "  index => \"app-%{+yyyy}\"\n  document_id => \"%{sequence}\"\n"));
  ASSERT_EQ(lp.wait(), 0) << lp.log();
  es_fake::Stats st = es.stats();
  std::string index = "app-" + Timestamp::now().to_iso8601().substr(0, 4);
  EXPECT_EQ(st.docs_by_index[index], 3000u) << es.stats_json();
  EXPECT_EQ(ids(es, index).size(), 3000u);
  EXPECT_EQ(st.overwrites, 0u);
  ASSERT_EQ(es.index_templates().count("logstash"), 1u);
  EXPECT_NE(es.index_templates()["logstash"].find("\"logstash-*\""), std::string::npos);
  // Bodies are gzipped at level 1 by default, as Logstash does.
  EXPECT_LT(st.bytes_received, st.bytes_decoded);
  // The template went in before the first bulk.
  bool template_seen = false;
  for (auto& r : es.recent_requests(64)) {
    if (r.method == "PUT" && r.target.rfind("/_index_template/logstash", 0) == 0) template_seen = true;
    if (r.target.rfind("/_bulk", 0) == 0) {
      EXPECT_TRUE(template_seen) << "a bulk before the template";
      break;
    }
  }
  EXPECT_TRUE(template_seen);
  EXPECT_TRUE(dead_letters(lp.data_dir()).empty());
}

// kCount events through per-item 429s and 503s, whole-request 429/503/502,
// connections reset before and after the documents were stored, one answer
// with an item missing, slow answers: every event arrives, and a document
// sent twice (stored, then its answer lost) is an overwrite of the same id,
// never a second document.
void EsDelivery::fault_schedule(int count, es_fake::StoreMode store) {
  es_fake::Options opt;
  opt.store = store;
  EsFakeServer es(opt);
  es.start();
  ASSERT_EQ(es.apply_faults_json(R"({"item_rules":[{"every_nth":13,"status":429},{"every_nth":101,"status":503}],
      "request_statuses":[429,503,502],"reset":{"every_nth":7,"next":1,"after_store":true},
      "short_items_next":1,"latency_ms":2})"),
            "");
  Logpipe lp(dir_, "lp",
             generator(count) + output(es, "  index => \"faults\"\n  document_id => \"%{sequence}\"\n"
                                           "  bulk_max_events => 500\n  compression_level => 0\n"));
  ASSERT_EQ(lp.wait(600), 0) << lp.log();
  es_fake::Stats st = es.stats();
  EXPECT_EQ(st.docs_by_index["faults"], static_cast<uint64_t>(count)) << es.stats_json();
  std::set<std::string> stored = ids(es, "faults");
  EXPECT_EQ(stored.size(), static_cast<size_t>(count));
  for (int i = 1; i <= count; i += 997) EXPECT_EQ(stored.count(std::to_string(i)), 1u) << i;
  EXPECT_GT(st.items_by_status[429], 0u);
  EXPECT_GT(st.items_by_status[503], 0u);
  EXPECT_GT(st.requests_by_status[429], 0u);
  EXPECT_GT(st.connection_resets, 0u);
  EXPECT_GT(st.overwrites, 0u);
  EXPECT_TRUE(dead_letters(lp.data_dir()).empty());
  std::printf("[ faults ] %d events: %llu requests, %llu resets, %llu item 429s, %llu overwrites\n", count,
              static_cast<unsigned long long>(st.requests), static_cast<unsigned long long>(st.connection_resets),
              static_cast<unsigned long long>(st.items_by_status[429]),
              static_cast<unsigned long long>(st.overwrites));
}

TEST_F(EsDelivery, AFaultScheduleLosesNothingAndDuplicatesOnlyByOverwrite) {
  fault_schedule(20000, es_fake::StoreMode::kFull);
}

// The same with a million events (release build only: scripts/test leaves
// EsDelivery.Million* out of the sanitizer pass).
TEST_F(EsDelivery, MillionEventsThroughAFaultScheduleAllArrive) {
  fault_schedule(1000000, es_fake::StoreMode::kIds);
}

TEST_F(EsDelivery, MappingRejectionsAreDeadLetteredWithTheirReasonAndReplayed) {
  EsFakeServer es;
  es.start();
  ASSERT_EQ(es.apply_faults_json(R"({"item_rules":[{"field":"message","value":"bad","status":400,
      "type":"document_parsing_exception","reason":"[1:12] failed to parse field [message] of type [long]"}]})"),
            "");
  Logpipe lp(dir_, "lp", generator(50, "[\"good\", \"bad\"]") + output(es, "  index => \"mapped\"\n"));
  ASSERT_EQ(lp.wait(), 0) << lp.log();
  EXPECT_EQ(es.stats().docs_by_index["mapped"], 50u) << es.stats_json();
  std::vector<Value> letters = dead_letters(lp.data_dir());
  ASSERT_EQ(letters.size(), 50u);
  for (auto& l : letters) {
    ASSERT_TRUE(l.is_object());
    EXPECT_EQ(l.as_object().find("plugin_type")->to_string(), "elasticsearch");
    std::string reason = l.as_object().find("reason")->to_string();
    EXPECT_NE(reason.find("status 400 document_parsing_exception: [1:12] failed to parse field [message]"),
              std::string::npos) << reason;
    EXPECT_EQ(l.as_object().find("event")->as_object().find("message")->to_string(), "bad");
  }

  // The mapping is fixed; the dead-letter queue input sends them again.
  es.set_faults({});
  Logpipe replay(dir_, "replay",
                 "input { dead_letter_queue { path => \"" + lp.data_dir() + "/dead_letter_queue\" } }\n" +
                     output(es, "  index => \"replayed\"\n"));
  EXPECT_TRUE(wait_until([&] { return es.stats().docs_by_index["replayed"] >= 50; }, 60s, 100ms)) << replay.log();
  EXPECT_EQ(replay.stop(), 0) << replay.log();
  EXPECT_EQ(es.stats().docs_by_index["replayed"], 50u);
  for (auto& d : es.docs("replayed")) EXPECT_NE(d.source.find("\"message\":\"bad\""), std::string::npos) << d.source;
}

TEST_F(EsDelivery, A413SplitsTheRequestAndADocumentTooLargeAloneIsDeadLettered) {
  EsFakeServer es;
  es.start();
  ASSERT_EQ(es.apply_faults_json(R"({"max_content_length":20000})"), "");
  std::string big(30000, 'x');
  Logpipe lp(dir_, "lp",
             generator(40, "[\"" + std::string(300, 's') + "\", \"" + big + "\"]") +
                 output(es, "  index => \"sized\"\n  compression_level => 0\n"));
  ASSERT_EQ(lp.wait(), 0) << lp.log();
  es_fake::Stats st = es.stats();
  EXPECT_EQ(st.docs_by_index["sized"], 40u) << es.stats_json();
  EXPECT_GT(st.requests_by_status[413], 0u);
  std::vector<Value> letters = dead_letters(lp.data_dir());
  ASSERT_EQ(letters.size(), 40u);
  EXPECT_NE(letters[0].as_object().find("reason")->to_string().find("larger than Elasticsearch takes in one request"),
            std::string::npos);
}

TEST_F(EsDelivery, DocumentsAlreadyThereAreDoneNotRetriedNorDeadLettered) {
  EsFakeServer es;
  es.start();
  std::string out = output(es, "  index => \"dedup\"\n  action => \"create\"\n  document_id => \"%{sequence}\"\n");
  Logpipe first(dir_, "first", generator(100) + out);
  ASSERT_EQ(first.wait(), 0) << first.log();
  // Sent again (a replay after a crash): the first 100 answer 409.
  Logpipe second(dir_, "second", generator(150) + out);
  ASSERT_EQ(second.wait(), 0) << second.log();
  es_fake::Stats st = es.stats();
  EXPECT_EQ(st.docs_by_index["dedup"], 150u);
  EXPECT_EQ(st.items_by_status[409], 100u);
  EXPECT_TRUE(dead_letters(second.data_dir()).empty());
}

TEST_F(EsDelivery, AHostThatIsDownIsSetAsideAndTheHealthyOneTakesEverything) {
  EsFakeServer down;
  down.start();
  std::string down_url = down.url();
  down.stop();  // a port where nothing listens now
  EsFakeServer es;
  es.start();
  Logpipe lp(dir_, "lp",
             generator(5000) + "output { elasticsearch { hosts => [\"" + down_url + "\", \"" + es.url() +
                 "\"] index => \"ha\" bulk_max_events => 200 retry_initial_interval => 0.05 } }\n");
  ASSERT_EQ(lp.wait(), 0) << lp.log();
  EXPECT_EQ(es.stats().docs_by_index["ha"], 5000u);
  EXPECT_NE(lp.log().find(down_url + " set aside"), std::string::npos) << lp.log();
}

TEST_F(EsDelivery, CredentialsAreSentAndNeverLogged) {
  es_fake::Options opt;
  opt.basic_auth = "elastic:pw-s3cr3t-1";
  EsFakeServer es(opt);
  es.start();
  Logpipe ok(dir_, "ok", generator(10) + output(es, "  index => \"auth\"\n  user => \"elastic\"\n  password => \"pw-s3cr3t-1\"\n"),
             {"--log.level", "debug"});
  ASSERT_EQ(ok.wait(), 0) << ok.log();
  EXPECT_EQ(es.stats().docs_by_index["auth"], 10u);
  EXPECT_EQ(ok.log().find("pw-s3cr3t-1"), std::string::npos);

  // A wrong password: Elasticsearch answers 401, nothing is stored, the
  // answer is reported without the password, the drain ends at its deadline.
  Logpipe bad(dir_, "bad", generator(10) + output(es, "  index => \"auth2\"\n  user => \"elastic\"\n  password => \"wrong-pw-77\"\n"),
              {"--pipeline.shutdown_timeout", "1s"});
  EXPECT_TRUE(wait_until([&] { return bad.log().find("401") != std::string::npos; }, 30s, 100ms)) << bad.log();
  EXPECT_EQ(bad.stop(30), 1) << bad.log();
  EXPECT_EQ(es.stats().docs_by_index["auth2"], 0u);
  EXPECT_EQ(bad.log().find("wrong-pw-77"), std::string::npos) << bad.log();
}

// HTTPS with a CA file and an API key; a certificate nobody vouches for is
// refused under ssl_verification_mode => full (the default) and taken under
// none.
TEST_F(EsDelivery, HttpsWithACertificateAuthorityAndAnApiKey) {
  std::string cert = path("cert.pem"), key = path("key.pem");
  std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
                    "-addext subjectAltName=IP:127.0.0.1 -keyout '" + key + "' -out '" + cert + "' 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "needs the openssl command (scripts/deps installs it)";
  es_fake::Options opt;
  opt.tls_cert = cert;
  opt.tls_key = key;
  opt.api_key = "logpipe-id:k3y-s3cr3t";
  EsFakeServer es(opt);
  es.start();
  ASSERT_EQ(es.url().rfind("https://", 0), 0u);
  std::string auth = "  api_key => \"logpipe-id:k3y-s3cr3t\"\n";
  Logpipe ok(dir_, "ok", generator(20) + output(es, "  index => \"tls\"\n  ssl_certificate_authorities => \"" + cert + "\"\n" + auth));
  ASSERT_EQ(ok.wait(), 0) << ok.log();
  EXPECT_EQ(es.stats().docs_by_index["tls"], 20u);
  EXPECT_EQ(ok.log().find("k3y-s3cr3t"), std::string::npos);

  // No CA given: the server's certificate is not trusted, nothing is sent.
  Logpipe untrusted(dir_, "untrusted", generator(20) + output(es, "  index => \"tls2\"\n" + auth),
                    {"--pipeline.shutdown_timeout", "1s"});
  EXPECT_TRUE(wait_until([&] { return untrusted.log().find("set aside") != std::string::npos; }, 30s, 100ms))
      << untrusted.log();
  EXPECT_NE(untrusted.log().find("certificate"), std::string::npos) << untrusted.log();
  EXPECT_EQ(untrusted.stop(30), 1);
  EXPECT_EQ(es.stats().docs_by_index["tls2"], 0u);

  Logpipe unverified(dir_, "unverified",
                     generator(20) + output(es, "  index => \"tls3\"\n  ssl_verification_mode => \"none\"\n" + auth));
  ASSERT_EQ(unverified.wait(), 0) << unverified.log();
  EXPECT_EQ(es.stats().docs_by_index["tls3"], 20u);
}

TEST_F(EsDelivery, SigtermWithElasticsearchUnreachableEndsAtTheDeadlineNamingWhatWasNotDelivered) {
  EsFakeServer es;
  es.start();
  es.refuse_connections(-1ms);
  Logpipe lp(dir_, "lp", generator(100) + output(es, "  index => \"never\"\n"), {"--pipeline.shutdown_timeout", "2s"});
  std::this_thread::sleep_for(1s);
  auto t0 = std::chrono::steady_clock::now();
  int code = lp.stop(30);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(code, 1) << lp.log();
  EXPECT_LT(took, 10.0);
  EXPECT_NE(lp.log().find("100 event(s) not delivered"), std::string::npos) << lp.log();
}

// Kafka -> grok -> elasticsearch with Elasticsearch down for a while: the
// group's offsets never pass what Elasticsearch stored, and once it is back
// everything arrives.
TEST_F(EsDelivery, KafkaOffsetsAreNotCommittedPastWhatElasticsearchStored) {
  constexpr size_t kCount = 20000;
  testing::KafkaMockCluster cluster(1, "logs", 4);
  cluster.produce("logs", kCount, [](size_t i) { return "host" + std::to_string(i % 7) + " took " + std::to_string(i) + "ms"; }, 4);
  EsFakeServer es;
  es.start();
  es.refuse_connections(-1ms);
  std::string config =
      "input { kafka { bootstrap_servers => \"" + cluster.bootstrap_servers() +
      "\" topics => [\"logs\"] group_id => \"es\" auto_offset_reset => \"earliest\" auto_commit_interval_ms => 200 "
      "decorate_events => \"basic\" } }\n"
      "filter { grok { match => { \"message\" => \"%{WORD:host} took %{NUMBER:took:int}ms\" } } }\n" +
      output(es, "  index => \"kafka\"\n  document_id => \"%{[@metadata][kafka][partition]}-%{[@metadata][kafka][offset]}\"\n");
  Logpipe lp(dir_, "lp", config);
  // Down: events are read, none stored, nothing committed.
  ASSERT_TRUE(wait_until([&] { return lp.log().find("set aside") != std::string::npos; }, 60s, 200ms)) << lp.log();
  std::this_thread::sleep_for(3s);
  int64_t committed_while_down = 0;
  for (auto& [p, off] : cluster.committed_offsets("es", "logs", 4)) committed_while_down += std::max<int64_t>(off, 0);
  EXPECT_EQ(committed_while_down, 0);
  EXPECT_EQ(es.stats().docs_total, 0u);

  es.resume_listening();
  // Every commit covers only stored documents: a partition's committed
  // offset never exceeds how many of its documents Elasticsearch holds
  // (offsets read first, documents after, so a commit racing the check
  // cannot make it fail wrongly).
  size_t checks = 0;
  auto committed_within_stored = [&] {
    auto committed = cluster.committed_offsets("es", "logs", 4);
    std::map<int, int64_t> stored;
    for (auto& d : es.docs("kafka")) ++stored[std::atoi(d.id.c_str())];
    for (auto& [p, off] : committed) EXPECT_LE(off, stored[p]) << "partition " << p;
    ++checks;
    return es.stats().docs_by_index["kafka"] >= kCount;
  };
  EXPECT_TRUE(wait_until(committed_within_stored, 120s, 300ms)) << lp.log();
  EXPECT_GT(checks, 1u);
  EXPECT_EQ(lp.stop(), 0) << lp.log();
  EXPECT_EQ(cluster.committed_offsets("es", "logs", 4), cluster.high_watermarks("logs", 4));
  EXPECT_EQ(es.stats().docs_by_index["kafka"], kCount);
  EXPECT_EQ(ids(es, "kafka").size(), kCount);
  for (auto& d : es.docs("kafka")) {
    ASSERT_NE(d.source.find("\"took\":"), std::string::npos) << d.source;
    break;
  }
}

}  // namespace
}  // namespace logpipe
