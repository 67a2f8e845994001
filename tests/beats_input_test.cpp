// beats input, in process: a real socket client (tests/lumberjack_client.h)
// against the input on its own thread, and a context that seals a batch
// whenever the input ticks with events pending, so a test decides when the
// outputs "complete" a batch (committed()) and can watch the acks follow.
#include "inputs/beats/beats_input.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "engine/codecs/codecs.h"
#include "tests/lumberjack_client.h"
#include "tests/plugin_test_support.h"
#include "tests/subprocess.h"
#include "tests/test_certificates.h"

namespace logpipe {
namespace {

using namespace std::chrono_literals;
using testing::LumberjackClient;

// Seals on the input's thread (as the pipeline does), one batch per tick
// with events.
class SealingContext : public InputContext {
 public:
  Input* input = nullptr;
  void push(Event&& e) override {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.push_back(std::move(e));
  }
  void tick() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (pending_.empty()) return;
    input->sealed(++sealed_);
    for (auto& e : pending_) events_.push_back(std::move(e));
    pending_.clear();
    cv_.notify_all();
  }
  void flush() override { tick(); }
  bool stopping() const override { return false; }
  int poll_interval_ms() const override { return 20; }
  bool congested() const override { return congested_flag.load(); }
  std::atomic<bool> congested_flag{false};

  // Waits for n sealed events; returns the number of the last sealed batch.
  uint64_t wait(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, 10s, [&] { return events_.size() >= n; });
    return sealed_;
  }
  std::vector<Event> events() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Event> pending_, events_;
  uint64_t sealed_ = 0;
};

class RunningBeats {
 public:
  explicit RunningBeats(Object given, const std::string& codec = "plain") {
    given.set("host", Value("127.0.0.1"));
    if (!given.find("port")) given.set("port", Value(0));
    settings_ = testing::settings_with_defaults(*find_plugin(PluginKind::Input, "beats"), given);
    auto spec = std::make_shared<CodecSpec>();
    spec->name = codec;
    settings_.set_codec(spec);
    const PluginInfo* info = find_plugin(PluginKind::Codec, codec);
    auto make = [this, info] {
      codec_settings_ = testing::settings_with_defaults(*info, {});
      PluginArgs a{info->name, "codec", codec_settings_, env_, nullptr};
      return info->make_codec(a);
    };
    PluginArgs args{"beats", "beats_1", settings_, env_, make};
    input_ = std::make_unique<BeatsInput>(args);
    ctx.input = input_.get();
    thread_ = std::thread([this] { input_->run(ctx); });
    for (int i = 0; i < 1000 && input_->bound_port() == 0; ++i) std::this_thread::sleep_for(5ms);
  }
  ~RunningBeats() {
    input_->stop();
    thread_.join();
  }
  int port() const { return input_->bound_port(); }
  BeatsInput& input() { return *input_; }
  SealingContext ctx;

 private:
  Settings settings_, codec_settings_;
  PluginEnv env_;
  std::unique_ptr<BeatsInput> input_;
  std::thread thread_;
};

const std::string kFilebeatDoc =
    R"({"@timestamp":"2024-05-06T07:08:09.123Z","@metadata":{"beat":"filebeat","type":"_doc","version":"8.13.0"},)"
    R"("message":"GET /index.html 200","host":{"name":"web-1"},"beat":{"hostname":"web-1-legacy"},"log":{"offset":42}})";

std::string field(const Event& e, const char* ref) {
  const Value* v = e.get(*FieldRef::parse(ref));
  if (!v) return "<missing>";
  if (v->is_string()) return v->as_string();
  std::string out;
  append_json(*v, out);
  return out;
}

TEST(BeatsInput, AWindowIsAckedOnlyAfterItsBatchIsCommitted) {
  RunningBeats beats({});
  LumberjackClient client(beats.port());
  ASSERT_TRUE(client.connected());
  std::string frames = lumberjack_window(3);
  for (uint32_t seq = 1; seq <= 3; ++seq) frames += lumberjack_json(seq, kFilebeatDoc);
  ASSERT_TRUE(client.send(frames));
  uint64_t batch = beats.ctx.wait(3);
  ASSERT_EQ(beats.ctx.events().size(), 3u);
  // Read and sealed, not yet delivered: no ack.
  EXPECT_EQ(client.read(6, 300ms), "");
  beats.input().committed(batch);
  using namespace std::string_literals;
  EXPECT_EQ(client.read(6, 5s), "2A\x00\x00\x00\x03"s);
}

TEST(BeatsInput, EventsCarryTheDocumentTheMetadataAndTheCodecTag) {
  RunningBeats beats({});
  LumberjackClient client(beats.port());
  ASSERT_TRUE(client.send(
      lumberjack_window(2) + lumberjack_json(1, kFilebeatDoc) +
      lumberjack_json(2, R"({"metricset":{"name":"cpu"},"@metadata":{"beat":"metricbeat"}})")));
  beats.ctx.wait(2);
  auto events = beats.ctx.events();
  ASSERT_EQ(events.size(), 2u);
  const Event& e = events[0];
  EXPECT_EQ(field(e, "message"), "GET /index.html 200");
  EXPECT_EQ(field(e, "[host][name]"), "web-1");
  EXPECT_EQ(field(e, "[log][offset]"), "42");
  EXPECT_EQ(field(e, "[@metadata][beat]"), "filebeat");
  EXPECT_EQ(field(e, "[@metadata][type]"), "_doc");
  EXPECT_EQ(field(e, "[@metadata][version]"), "8.13.0");
  EXPECT_EQ(field(e, "[@metadata][ip_address]"), "127.0.0.1");
  Timestamp ts;
  ASSERT_TRUE(e.timestamp(&ts));
  EXPECT_EQ(field(e, "@timestamp"), "\"2024-05-06T07:08:09.123Z\"");
  EXPECT_TRUE(e.has_tag("beats_input_codec_plain_applied"));
  // No message: the document as it is, tagged raw.
  EXPECT_TRUE(events[1].has_tag("beats_input_raw_event"));
  EXPECT_EQ(field(events[1], "[metricset][name]"), "cpu");
  EXPECT_EQ(field(events[1], "[@metadata][beat]"), "metricbeat");
}

struct ModeCase {
  const char* name;
  Object options;
  const char* ref;
  std::string expected;
};

TEST(BeatsInput, OptionsShapeTheEventInBothFieldNamingModes) {
  const std::vector<ModeCase> cases = {
      {"legacy ip", {}, "[@metadata][ip_address]", "127.0.0.1"},
      {"ecs ip", testing::opts({{"ecs_compatibility", Value("v8")}}),
       "[@metadata][input][beats][host][ip]", "127.0.0.1"},
      {"ecs has no legacy ip", testing::opts({{"ecs_compatibility", Value("v1")}}),
       "[@metadata][ip_address]", "<missing>"},
      {"enrich none", testing::opts({{"enrich", Value(Array{Value("none")})}}),
       "[@metadata][ip_address]", "<missing>"},
      {"enrich none: no tag", testing::opts({{"enrich", Value(Array{Value("none")})}}), "tags",
       "<missing>"},
      {"include_codec_tag false", testing::opts({{"include_codec_tag", Value(false)}}), "tags",
       "<missing>"},
      {"host object kept", testing::opts({{"add_hostname", Value(true)}}), "[host][name]", "web-1"},
  };
  for (const ModeCase& c : cases) {
    RunningBeats beats(c.options);
    LumberjackClient client(beats.port());
    ASSERT_TRUE(client.send(lumberjack_window(1) + lumberjack_json(1, kFilebeatDoc)));
    beats.ctx.wait(1);
    auto events = beats.ctx.events();
    ASSERT_EQ(events.size(), 1u) << c.name;
    EXPECT_EQ(field(events[0], c.ref), c.expected) << c.name;
  }
}

TEST(BeatsInput, AddHostnameCopiesTheBeatHostnameWhenHostIsMissing) {
  for (const char* ecs : {"disabled", "v8"}) {
    RunningBeats beats(
        testing::opts({{"add_hostname", Value(true)}, {"ecs_compatibility", Value(ecs)}}));
    LumberjackClient client(beats.port());
    ASSERT_TRUE(client.send(lumberjack_window(1) +
                            lumberjack_json(1, R"({"message":"m","beat":{"hostname":"box7"}})")));
    beats.ctx.wait(1);
    const char* ref =
        std::string(ecs) == "disabled" ? "host" : "[@metadata][input][beats][host][name]";
    EXPECT_EQ(field(beats.ctx.events()[0], ref), "box7") << ecs;
  }
}

TEST(BeatsInput, AScalarMessageReachesTheCodecAsText) {
  RunningBeats beats({});
  LumberjackClient client(beats.port());
  ASSERT_TRUE(client.send(lumberjack_window(2) + lumberjack_json(1, R"({"message":42})") +
                          lumberjack_json(2, R"({"message":{"nested":true}})")));
  beats.ctx.wait(2);
  auto events = beats.ctx.events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(*events[0].get_top("message"), Value("42"));
  EXPECT_TRUE(events[1].get_top("message")->is_object());
}

TEST(BeatsInput, AJsonCodecDecodesTheMessageAndKeepsTheOtherFields) {
  RunningBeats beats({}, "json");
  LumberjackClient client(beats.port());
  ASSERT_TRUE(client.send(
      lumberjack_window(1) +
      lumberjack_json(1, R"({"message":"{\"user\":\"ann\",\"n\":3}","log":{"offset":9}})")));
  beats.ctx.wait(1);
  auto events = beats.ctx.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(field(events[0], "user"), "ann");
  EXPECT_EQ(field(events[0], "[log][offset]"), "9");
  EXPECT_EQ(field(events[0], "message"), "<missing>");
  EXPECT_TRUE(events[0].has_tag("beats_input_codec_json_applied"));
}

TEST(BeatsInput, CompressedWindowsAndVersionOneFramesAreAckedInTheirVersion) {
  RunningBeats beats({});
  LumberjackClient v2(beats.port()), v1(beats.port());
  std::string inner;
  for (uint32_t seq = 1; seq <= 50; ++seq)
    inner += lumberjack_json(seq, R"({"message":"m)" + std::to_string(seq) + "\"}");
  ASSERT_TRUE(v2.send(lumberjack_window(50) + lumberjack_compressed(inner)));
  ASSERT_TRUE(v1.send(lumberjack_window(1, '1') +
                      lumberjack_pairs(1, {{"line", "old forwarder"}, {"file", "/x"}})));
  uint64_t batch = beats.ctx.wait(51);
  beats.input().committed(batch);
  EXPECT_EQ(v2.read_ack(5s), std::optional<uint32_t>(50));
  using namespace std::string_literals;
  EXPECT_EQ(v1.read(6, 5s), "1A\x00\x00\x00\x01"s);
  bool found = false;
  for (const Event& e : beats.ctx.events())
    found = found || (field(e, "message") == "old forwarder" && field(e, "file") == "/x" &&
                      field(e, "line") == "<missing>");
  EXPECT_TRUE(found);
}

TEST(BeatsInput, PartialCommitsAckWhatIsDeliveredSoFar) {
  RunningBeats beats({});
  LumberjackClient client(beats.port());
  ASSERT_TRUE(
      client.send(lumberjack_window(4) + lumberjack_json(1, "{}") + lumberjack_json(2, "{}")));
  uint64_t first = beats.ctx.wait(2);
  ASSERT_TRUE(client.send(lumberjack_json(3, "{}") + lumberjack_json(4, "{}")));
  uint64_t second = beats.ctx.wait(4);
  ASSERT_GT(second, first);
  beats.input().committed(first);
  EXPECT_EQ(client.read_ack(5s), std::optional<uint32_t>(2));
  beats.input().committed(second);
  EXPECT_EQ(client.read_ack(5s), std::optional<uint32_t>(4));
}

TEST(BeatsInput, MalformedAndOversizedFramesCloseOnlyTheirConnection) {
  RunningBeats beats(testing::opts({{"max_frame_size", Value("1KiB")}}));
  LumberjackClient good(beats.port());
  using namespace std::string_literals;
  for (const std::string& bad :
       {"GET / HTTP/1.1\r\nHost: x\r\n\r\n"s,
        lumberjack_window(1) + lumberjack_json(1, "{\"m\":\"" + std::string(2000, 'x') + "\"}"),
        "2C\x00\x00\x00\x05hello"s}) {
    LumberjackClient client(beats.port());
    ASSERT_TRUE(client.send(bad));
    EXPECT_EQ(client.read(1, 5s), "");
    EXPECT_TRUE(client.closed());
  }
  ASSERT_TRUE(good.send(lumberjack_window(1) + lumberjack_json(1, "{\"message\":\"still fine\"}")));
  beats.input().committed(beats.ctx.wait(1));
  EXPECT_EQ(good.read_ack(5s), std::optional<uint32_t>(1));
}

TEST(BeatsInput, AnIdleConnectionIsClosedAfterClientInactivityTimeout) {
  RunningBeats beats(testing::opts({{"client_inactivity_timeout", Value(1)}}));
  LumberjackClient client(beats.port());
  ASSERT_TRUE(client.send(lumberjack_window(1) + lumberjack_json(1, "{}")));
  beats.input().committed(beats.ctx.wait(1));
  EXPECT_EQ(client.read_ack(5s), std::optional<uint32_t>(1));
  EXPECT_EQ(client.read(1, 4s), "");
  EXPECT_TRUE(client.closed());
}

TEST(BeatsInput, AConnectionThatNeverSendsIsClosedToo) {
  RunningBeats beats(testing::opts({{"client_inactivity_timeout", Value(1)}}));
  LumberjackClient client(beats.port());
  EXPECT_EQ(client.read(1, 4s), "");
  EXPECT_TRUE(client.closed());
}

TEST(BeatsInput, KeepAliveAcksGoOutWhileTheOutputsHoldTheWindow) {
  RunningBeats beats(testing::opts({{"client_inactivity_timeout", Value(1)}}));
  LumberjackClient client(beats.port());
  ASSERT_TRUE(
      client.send(lumberjack_window(2) + lumberjack_json(1, "{}") + lumberjack_json(2, "{}")));
  uint64_t batch = beats.ctx.wait(2);
  // Nothing delivered yet: acks of seq 0 keep the client waiting, and the
  // connection is not closed as idle although it sends nothing.
  EXPECT_EQ(client.read_ack(3s), std::optional<uint32_t>(0));
  EXPECT_EQ(client.read_ack(3s), std::optional<uint32_t>(0));
  EXPECT_FALSE(client.closed());
  beats.input().committed(batch);
  std::optional<uint32_t> ack;
  while ((ack = client.read_ack(5s)) && *ack == 0) {
  }
  EXPECT_EQ(ack, std::optional<uint32_t>(2));
}

TEST(BeatsInput, WhileThePipelineIsCongestedNothingIsReadButKeepAlivesGoOn) {
  RunningBeats beats(testing::opts({{"client_inactivity_timeout", Value(1)}}));
  LumberjackClient client(beats.port());
  ASSERT_TRUE(client.send(lumberjack_window(2) + lumberjack_json(1, "{}")));
  beats.ctx.wait(1);
  beats.ctx.congested_flag = true;
  std::this_thread::sleep_for(100ms);  // the next wake-up pauses reading
  ASSERT_TRUE(client.send(lumberjack_json(2, "{}")));
  EXPECT_EQ(client.read_ack(3s), std::optional<uint32_t>(0));  // a keep-alive, not frame 2
  EXPECT_EQ(beats.ctx.events().size(), 1u);
  beats.ctx.congested_flag = false;
  uint64_t batch = beats.ctx.wait(2);
  ASSERT_EQ(beats.ctx.events().size(), 2u);
  beats.input().committed(batch);
  std::optional<uint32_t> ack;
  while ((ack = client.read_ack(5s)) && *ack == 0) {
  }
  EXPECT_EQ(ack, std::optional<uint32_t>(2));
}

TEST(BeatsInput, ConfigErrorsNameTheOption) {
  const PluginInfo* info = find_plugin(PluginKind::Input, "beats");
  PluginEnv env;
  auto build = [&](Object given) {
    given.set("port", Value(0));
    Settings s = testing::settings_with_defaults(*info, given);
    PluginArgs args{"beats", "beats_1", s, env, nullptr};
    return info->make_input(args);
  };
  auto option_of = [&](Object given) -> std::string {
    try {
      build(std::move(given));
    } catch (const OptionError& e) {
      return e.option + ": " + e.what();
    }
    return "no error";
  };
  struct Bad {
    Object given;
    std::string error_has;
  };
  const Array ca{Value("/ca.crt")};
  const std::vector<Bad> cases = {
      {testing::opts({{"ssl_enabled", Value(true)}}), "ssl_certificate: TLS needs ssl_certificate"},
      {testing::opts({{"ssl_enabled", Value(true)},
                      {"ssl_certificate", Value("/nonexistent.crt")},
                      {"ssl_key", Value("/nonexistent.key")}}),
       "ssl_certificate: cannot load `/nonexistent.crt`"},
      {testing::opts({{"enrich", Value(Array{Value("everything")})}}),
       "enrich: unknown enrichment `everything`"},
      {testing::opts({{"enrich", Value(Array{Value("all"), Value("source_metadata")})}}),
       "enrich: `all` must be the only value"},
      {testing::opts({{"enrich", Value(Array{Value("none")})}, {"include_codec_tag", Value(true)}}),
       "include_codec_tag: both `enrich` and (deprecated) `include_codec_tag`"},
      {testing::opts({{"enrich", Value(Array{Value("ssl_peer_metadata")})}}),
       "enrich: enrich => [ssl_peer_metadata] needs ssl_client_authentication"},
      {testing::opts({{"ssl_client_authentication", Value("required")}}),
       "ssl_certificate_authorities: ssl_certificate_authorities is required"},
      {testing::opts({{"ssl_certificate_authorities", Value(ca)}}),
       "ssl_certificate_authorities: ssl_certificate_authorities needs ssl_client_authentication"},
      {testing::opts({{"ssl", Value(true)}}), "ssl: `ssl` is obsolete: use `ssl_enabled` instead"},
      {testing::opts({{"ssl_verify_mode", Value("peer")}}),
       "ssl_verify_mode: `ssl_verify_mode` is obsolete"},
      {testing::opts({{"tls_min_version", Value(1.2)}}),
       "tls_min_version: `tls_min_version` is obsolete"},
  };
  for (const Bad& c : cases) {
    std::string got = option_of(c.given);
    EXPECT_EQ(got.find(c.error_has), 0u) << got;
  }
}

// TLS with client certificates: a CA, a server certificate for localhost, a
// client certificate from the CA and one from nobody.
class BeatsTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { certs_ = new testing::TestCertificates; }
  static void TearDownTestSuite() {
    delete certs_;
    certs_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(certs_->ok()) << "openssl could not make the test certificates in "
                              << certs_->dir();
  }
  static std::string path(const char* name) { return certs_->path(name); }
  static Object tls_options(const char* client_auth) {
    return testing::opts({{"ssl_enabled", Value(true)},
                          {"ssl_certificate", Value(path("server.crt"))},
                          {"ssl_key", Value(path("server.key"))},
                          {"ssl_certificate_authorities", Value(Array{Value(path("ca.crt"))})},
                          {"ssl_client_authentication", Value(client_auth)}});
  }
  static inline testing::TestCertificates* certs_ = nullptr;
};

TEST_F(BeatsTls, AClientWithACertificateFromTheAuthorityIsServedAndAcked) {
  RunningBeats beats(tls_options("required"));
  LumberjackClient client(
      beats.port(), LumberjackClient::Tls{path("ca.crt"), path("client.crt"), path("client.key")});
  ASSERT_TRUE(client.connected());
  std::string inner;
  for (uint32_t seq = 1; seq <= 10; ++seq)
    inner += lumberjack_json(seq, R"({"message":"over tls"})");
  ASSERT_TRUE(client.send(lumberjack_window(10) + lumberjack_compressed(inner)));
  beats.input().committed(beats.ctx.wait(10));
  EXPECT_EQ(client.read_ack(5s), std::optional<uint32_t>(10));
  EXPECT_EQ(field(beats.ctx.events()[9], "message"), "over tls");
}

TEST_F(BeatsTls, ClientsWithoutATrustedCertificateAreRefusedWhenOneIsRequired) {
  RunningBeats beats(tls_options("required"));
  for (auto tls :
       {LumberjackClient::Tls{path("ca.crt"), "", ""},
        LumberjackClient::Tls{path("ca.crt"), path("stranger.crt"), path("stranger.key")}}) {
    LumberjackClient client(beats.port(), tls);
    // TLS 1.3 reports the refusal after the handshake: the first read fails.
    if (client.connected()) {
      client.send(lumberjack_window(1) + lumberjack_json(1, "{}"));
      EXPECT_EQ(client.read(6, 3s), "");
      EXPECT_TRUE(client.closed());
    }
  }
  EXPECT_TRUE(beats.ctx.events().empty());
}

TEST_F(BeatsTls, OptionalClientAuthenticationServesAClientWithoutCertificate) {
  RunningBeats beats(tls_options("optional"));
  LumberjackClient client(beats.port(), LumberjackClient::Tls{path("ca.crt"), "", ""});
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send(lumberjack_window(1) + lumberjack_json(1, "{}")));
  beats.input().committed(beats.ctx.wait(1));
  EXPECT_EQ(client.read_ack(5s), std::optional<uint32_t>(1));
}

TEST_F(BeatsTls, AStalledHandshakeIsClosedAfterSslHandshakeTimeout) {
  Object options = tls_options("optional");
  options.set("ssl_handshake_timeout", Value(200));
  RunningBeats beats(options);
  LumberjackClient silent(beats.port());  // plain TCP: never starts the handshake
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(silent.read(1, 4s), "");
  EXPECT_TRUE(silent.closed());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST_F(BeatsTls, SslPeerMetadataTellsWhoTheClientIs) {
  for (const char* ecs : {"disabled", "v8"}) {
    Object options = tls_options("optional");
    options.set("enrich", Value(Array{Value("ssl_peer_metadata")}));
    options.set("ecs_compatibility", Value(ecs));
    RunningBeats beats(options);
    LumberjackClient with(beats.port(), LumberjackClient::Tls{path("ca.crt"), path("client.crt"),
                                                              path("client.key")});
    ASSERT_TRUE(with.send(lumberjack_window(1) + lumberjack_json(1, "{}")));
    beats.ctx.wait(1);
    LumberjackClient without(beats.port(), LumberjackClient::Tls{path("ca.crt"), "", ""});
    ASSERT_TRUE(without.send(lumberjack_window(1) + lumberjack_json(1, "{}")));
    beats.ctx.wait(2);
    auto events = beats.ctx.events();
    ASSERT_EQ(events.size(), 2u);
    const bool legacy = std::string(ecs) == "disabled";
    EXPECT_EQ(field(events[0], "[@metadata][tls_peer][status]"), "verified") << ecs;
    EXPECT_EQ(field(events[0], legacy ? "[@metadata][tls_peer][subject]"
                                      : "[@metadata][input][beats][tls][client][subject]"),
              "CN=beat-client")
        << ecs;
    EXPECT_EQ(field(events[0], legacy ? "[@metadata][tls_peer][protocol]"
                                      : "[@metadata][input][beats][tls][version_protocol]"),
              "TLSv1.3")
        << ecs;
    EXPECT_NE(field(events[0], legacy ? "[@metadata][tls_peer][cipher_suite]"
                                      : "[@metadata][input][beats][tls][cipher]")
                  .find("TLS_"),
              std::string::npos)
        << ecs;
    EXPECT_EQ(field(events[1], "[@metadata][tls_peer][status]"), "unverified") << ecs;
    EXPECT_EQ(field(events[1], "[@metadata][tls_peer][subject]"), "<missing>") << ecs;
    // source_metadata was not asked for.
    EXPECT_EQ(field(events[0], "[@metadata][ip_address]"), "<missing>") << ecs;
  }
}

}  // namespace
}  // namespace logpipe
