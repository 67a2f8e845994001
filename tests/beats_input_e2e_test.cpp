// beats input through the real binary: hand-built frames, the npm
// lumberjack-client (a client written by others, installed by scripts/deps
// under .tools/npm) and the at-least-once promise: with the Elasticsearch
// contract server refusing connections no ack comes back; once it listens
// again the ack arrives and every acked event is stored.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "engine/event/event.h"
#include "engine/event/field_ref.h"
#include "engine/text/json_reader.h"
#include "inputs/beats/lumberjack_decoder.h"
#include "tests/logpipe_process.h"
#include "tests/loopback_socket.h"
#include "tests/lumberjack_client.h"
#include "tests/test_certificates.h"
#include "tests/tools/es_server/es_fake_server.h"

namespace logpipe {
namespace {

using namespace std::chrono_literals;
using testing::LumberjackClient;
using testing::wait_until;

int free_port() {
  int port = 0;
  ::close(testing::bind_loopback(SOCK_STREAM, port));
  return port;
}

std::string find_node() {
  for (const char* p : {"/usr/bin/node", "/usr/local/bin/node"})
    if (::access(p, X_OK) == 0) return p;
  return "";
}

class BeatsE2E : public testing::TempDirTest {
 protected:
  BeatsE2E() : TempDirTest("beats") {}

  // Starts logpipe with a beats input on a free port and `rest` after it;
  // returns once the port accepts connections.
  std::unique_ptr<testing::Logpipe> start(const std::string& beats_options, const std::string& rest,
                                          const std::vector<std::string>& extra = {}) {
    port_ = free_port();
    auto lp = std::make_unique<testing::Logpipe>(dir_, "lp",
                                                 "input { beats { host => \"127.0.0.1\" port => " +
                                                     std::to_string(port_) + " " + beats_options +
                                                     " } }\n" + rest,
                                                 extra);
    bool up = wait_until([&] { return LumberjackClient(port_).connected() || !lp->running(); }, 20s,
                         20ms);
    EXPECT_TRUE(up && lp->running()) << lp->log();
    return lp;
  }
  std::vector<Value> output_lines(const std::string& file) {
    std::vector<Value> out;
    for (auto& line : testing::split_lines(testing::read_text_file(file))) {
      Value v;
      if (parse_json(line, &v, nullptr)) out.push_back(std::move(v));
    }
    return out;
  }
  int port_ = 0;
};

TEST_F(BeatsE2E, HandBuiltFramesReachTheFileAndAreAcked) {
  std::string out = path("out.jsonl");
  auto lp = start("", "output { file { path => \"" + out + "\" codec => json_lines } }\n");
  LumberjackClient client(port_);
  std::string inner;
  for (uint32_t seq = 1; seq <= 200; ++seq)
    inner += lumberjack_json(seq, R"({"@metadata":{"beat":"filebeat"},"message":"line )" +
                                      std::to_string(seq) +
                                      R"(","log":{"file":{"path":"/var/log/app.log"}}})");
  ASSERT_TRUE(client.send(lumberjack_window(200) + lumberjack_compressed(inner)));
  // Acks may come for part of the window (a batch holds 125 events): read
  // until the last seq.
  std::optional<uint32_t> ack;
  while ((ack = client.read_ack(10s)) && *ack < 200) {
  }
  EXPECT_EQ(ack, std::optional<uint32_t>(200)) << lp->log();
  ASSERT_TRUE(wait_until([&] { return output_lines(out).size() >= 200; }, 10s, 20ms));
  auto lines = output_lines(out);
  ASSERT_EQ(lines.size(), 200u);
  Event first;
  first.fields() = lines[0].as_object();
  EXPECT_EQ(*first.get_top("message"), Value("line 1"));
  EXPECT_EQ(*first.get(*FieldRef::parse("[log][file][path]")), Value("/var/log/app.log"));
  EXPECT_TRUE(first.has_tag("beats_input_codec_plain_applied"));
  EXPECT_EQ(lp->stop(), 0) << lp->log();
}

const std::string kClientModule = LOGPIPE_SOURCE_DIR "/.tools/npm/node_modules/lumberjack-client";

// A node script for the npm client: 100 events queued while connecting go as
// one compressed window, then 20 windows of one. It reads the acks off the
// client's socket and prints "acks <seq>,<seq>..." once it has 21 of them.
std::string client_script(int port, const std::string& tls_options) {
  std::string options = "{host: '127.0.0.1', port: " + std::to_string(port) + tls_options + "}";
  return "const fs = require('fs');\nconst Client = require('" + kClientModule + "');\n" +
         "const c = new Client(" + options + (tls_options.empty() ? "" : ", true") + ");\n" + R"JS(
let buf = Buffer.alloc(0); const acks = [];
c.socket.on('data', (d) => {
  buf = Buffer.concat([buf, d]);
  while (buf.length >= 6) {
    if (buf.toString('latin1', 0, 2) !== '2A') { console.log('bad frame'); process.exit(2); }
    const seq = buf.readUInt32BE(2); buf = buf.subarray(6);
    if (seq !== 0) acks.push(seq);
    if (acks.length === 21) { console.log('acks ' + acks.join(',')); process.exit(0); }
    if (acks.length === 1) for (let i = 0; i < 20; i++) c.log({message: 'single ' + i, n: i});
  }
});
for (let i = 0; i < 100; i++) c.log({message: 'queued ' + i, n: i, '@timestamp': new Date(0).toISOString()});
setTimeout(() => { console.log('timed out with acks ' + acks.join(',')); process.exit(1); }, 15000);
)JS";
}

class BeatsNpmClient : public BeatsE2E {
 protected:
  void SetUp() override {
    BeatsE2E::SetUp();
    node_ = find_node();
    if (node_.empty()) GTEST_SKIP() << "node is not installed: scripts/deps installs it";
    if (::access((kClientModule + "/index.js").c_str(), R_OK) != 0)
      GTEST_SKIP() << "lumberjack-client is not installed at " << kClientModule
                   << ": run scripts/deps";
  }
  // Runs the client against logpipe (beats options `beats`) writing to a
  // file; checks the acks and the 120 events.
  void run_client(const std::string& beats, const std::string& tls_options) {
    std::string out = path("out.jsonl");
    auto lp = start(beats, "output { file { path => \"" + out + "\" codec => json_lines } }\n");
    std::string script = path("client.js");
    std::ofstream(script) << client_script(port_, tls_options);
    testing::Subprocess proc({node_, script});
    int rc = proc.finish(30);
    std::string said = proc.out();
    ASSERT_EQ(rc, 0) << said << lp->log();
    std::string expected = "acks 100";
    for (int i = 0; i < 20; ++i) expected += ",1";
    EXPECT_EQ(said, expected + "\n");
    ASSERT_TRUE(wait_until([&] { return output_lines(out).size() >= 120; }, 10s, 20ms))
        << lp->log();
    auto lines = output_lines(out);
    EXPECT_EQ(lines.size(), 120u);
    Event first;
    first.fields() = lines[0].as_object();
    EXPECT_EQ(*first.get_top("message"), Value("queued 0"));
    EXPECT_EQ(*first.get_top("@timestamp"), Value("1970-01-01T00:00:00.000Z"));
    EXPECT_EQ(lp->stop(), 0) << lp->log();
  }
  std::string node_;
};

TEST_F(BeatsNpmClient, CompressedWindowsArriveAndAreAcked) { run_client("", ""); }

TEST_F(BeatsNpmClient, OverTlsWithAClientCertificate) {
  testing::TestCertificates certs;
  ASSERT_TRUE(certs.ok()) << "openssl could not make the test certificates";
  std::string beats = "ssl_enabled => true ssl_certificate => \"" + certs.path("server.crt") +
                      "\" ssl_key => \"" + certs.path("server.key") +
                      "\" ssl_certificate_authorities => [\"" + certs.path("ca.crt") +
                      "\"] ssl_client_authentication => \"required\"";
  std::string tls = ", servername: 'localhost', ca: [fs.readFileSync('" + certs.path("ca.crt") +
                    "')], cert: fs.readFileSync('" + certs.path("client.crt") +
                    "'), key: fs.readFileSync('" + certs.path("client.key") + "')";
  run_client(beats, tls);
}

TEST_F(BeatsE2E, NoAckBeforeElasticsearchHasTheEvents) {
  es_fake::EsFakeServer es;
  es.start();
  auto lp = start("", "output { elasticsearch { hosts => [\"" + es.url() +
                          "\"] index => \"beats\" retry_initial_interval => 0.05 "
                          "retry_max_interval => 0.2 resurrect_delay => 0.2 } }\n");
  es.refuse_connections(std::chrono::milliseconds(-1));
  LumberjackClient client(port_);
  std::string frames = lumberjack_window(50);
  for (uint32_t seq = 1; seq <= 50; ++seq)
    frames += lumberjack_json(seq, R"({"message":"m)" + std::to_string(seq) + "\"}");
  ASSERT_TRUE(client.send(frames));
  // Elasticsearch cannot be reached: the events wait, and so does the ack.
  EXPECT_EQ(client.read(6, 700ms), "") << lp->log();
  EXPECT_EQ(es.stats().docs_by_index["beats"], 0u);
  es.resume_listening();
  // Keep-alive acks (seq 0) may come while the output retries.
  std::optional<uint32_t> ack;
  while ((ack = client.read_ack(20s)) && *ack == 0) {
  }
  EXPECT_EQ(ack, std::optional<uint32_t>(50)) << lp->log();
  // Acked means stored.
  EXPECT_EQ(es.stats().docs_by_index["beats"], 50u);
  EXPECT_EQ(lp->stop(), 0) << lp->log();
}

TEST_F(BeatsE2E, UnderBackpressureKeepAlivesHoldTheBeatAndNothingIsLost) {
  es_fake::EsFakeServer es;
  es.start();
  auto lp =
      start("client_inactivity_timeout => 1",
            "output { elasticsearch { hosts => [\"" + es.url() +
                "\"] index => \"held\" retry_initial_interval => 0.05 retry_max_interval => 0.2 "
                "resurrect_delay => 0.2 } }\n",
            {"--pipeline.batch.size", "4"});
  es.refuse_connections(std::chrono::milliseconds(-1));
  // One window far larger than the pipeline holds (the output keeps 512
  // batches in flight, of 4 events here): the input stops reading.
  constexpr uint32_t kEvents = 5000;
  std::string inner;
  for (uint32_t seq = 1; seq <= kEvents; ++seq)
    inner += lumberjack_json(seq, R"({"message":"held )" + std::to_string(seq) + R"(","n":)" +
                                      std::to_string(seq) + "}");
  LumberjackClient client(port_);
  ASSERT_TRUE(client.send(lumberjack_window(kEvents) + lumberjack_compressed(inner)));
  // Nothing can be delivered: only keep-alives (every 500 ms here), and the
  // connection stays open although the Beat sends nothing more.
  int keep_alives = 0;
  for (auto until = std::chrono::steady_clock::now() + 1100ms;
       std::chrono::steady_clock::now() < until;) {
    std::optional<uint32_t> ack = client.read_ack(1s);
    ASSERT_TRUE(ack) << (client.closed() ? "closed" : "no keep-alive") << "\n" << lp->log();
    ASSERT_EQ(*ack, 0u);
    ++keep_alives;
  }
  EXPECT_GE(keep_alives, 2);
  es.resume_listening();
  std::optional<uint32_t> ack;
  while ((ack = client.read_ack(20s)) && *ack < kEvents) {
  }
  EXPECT_EQ(ack, std::optional<uint32_t>(kEvents)) << lp->log();
  EXPECT_EQ(es.stats().docs_by_index["held"], kEvents);
  EXPECT_EQ(lp->stop(), 0) << lp->log();
}

}  // namespace
}  // namespace logpipe
