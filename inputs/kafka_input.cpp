#include "inputs/kafka_input.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cctype>
#include <cstring>
#include <deque>
#include <memory>
#include <set>
#include <thread>
#include <tuple>

#include "engine/config/typed_options.h"
#include "engine/runtime/batch_position_ledger.h"
#include "engine/system/system_io.h"
#include "engine/system/log.h"
#include "engine/text/utf8.h"

namespace logpipe {

namespace {

using Clock = std::chrono::steady_clock;
using Properties = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kStringDeserializer =
    "org.apache.kafka.common.serialization.StringDeserializer";

// ------------------------------------------------------------ options

struct KafkaOptions {
  int64_t auto_commit_interval_ms = 0;
  bool auto_create_topics = false;
  std::optional<std::string> auto_offset_reset;
  std::string bootstrap_servers;
  bool check_crcs = false;
  std::string client_id;
  std::optional<std::string> client_rack;
  int64_t connections_max_idle_ms = 0;
  int consumer_threads = 0;
  std::string decorate_events;
  bool enable_auto_commit = false;
  int64_t fetch_max_bytes = 0;
  int64_t fetch_max_wait_ms = 0;
  std::optional<int64_t> fetch_min_bytes;
  std::string group_id;
  std::optional<std::string> group_instance_id;
  int64_t heartbeat_interval_ms = 0;
  std::string isolation_level;
  Object kafka_properties;
  int64_t max_partition_fetch_bytes = 0;
  int64_t max_poll_interval_ms = 0;
  int max_poll_records = 0;
  int64_t metadata_max_age_ms = 0;
  std::optional<std::string> partition_assignment_strategy;
  int poll_timeout_ms = 0;
  int64_t receive_buffer_bytes = 0;
  int64_t reconnect_backoff_ms = 0;
  int64_t request_timeout_ms = 0;
  int64_t retry_backoff_ms = 0;
  std::optional<Password> sasl_jaas_config;
  std::optional<std::string> sasl_kerberos_service_name;
  std::string sasl_mechanism;
  std::optional<Password> sasl_password;
  std::optional<std::string> sasl_username;
  std::string security_protocol;
  int64_t send_buffer_bytes = 0;
  int64_t session_timeout_ms = 0;
  std::string ssl_endpoint_identification_algorithm;
  std::optional<Password> ssl_key_password;
  std::optional<std::string> ssl_keystore_location;
  std::optional<Password> ssl_keystore_password;
  std::optional<std::string> ssl_keystore_type;
  std::optional<std::string> ssl_truststore_location;
  std::optional<Password> ssl_truststore_password;
  std::optional<std::string> ssl_truststore_type;
  std::vector<std::string> topics;
  std::optional<std::string> topics_pattern;
};

using K = KafkaOptions;

const OptionSchema<KafkaOptions>& kafka_schema() {
  static const OptionSchema<KafkaOptions> schema = [] {
    using T = OptionType;
    OptionSchema<KafkaOptions> s;
    s.integer("auto_commit_interval_ms", &K::auto_commit_interval_ms,
              "How often stored offsets (those of delivered events) are committed.")
        .fallback(5000);
    s.boolean("auto_create_topics", &K::auto_create_topics,
              "Let the broker create a missing subscribed topic (if it allows it).")
        .fallback(true);
    s.string("auto_offset_reset", &K::auto_offset_reset,
             "Where to start without a committed offset: earliest, latest, none (fail).")
        .one_of({"earliest", "latest", "none"});
    s.string("bootstrap_servers", &K::bootstrap_servers,
             "Brokers for the first connection, host1:port1,host2:port2.")
        .fallback("localhost:9092");
    s.boolean("check_crcs", &K::check_crcs, "Check the CRC32 of consumed records.").fallback(true);
    s.accepted("client_dns_lookup", T::String,
               "Accepted for compatibility; librdkafka tries every address.")
        .fallback("use_all_dns_ips")
        .one_of({"default", "use_all_dns_ips", "resolve_canonical_bootstrap_servers_only"})
        .no_effect();
    s.string("client_id", &K::client_id,
             "Client id sent to brokers; each consumer thread adds -<index>.")
        .fallback("logstash");
    s.string("client_rack", &K::client_rack,
             "Rack of this consumer (fetch from the closest replica).");
    s.integer("connections_max_idle_ms", &K::connections_max_idle_ms,
              "Close connections idle this long.")
        .fallback(540000);
    s.integer("consumer_threads", &K::consumer_threads,
              "Consumers in this process (one thread each); partitions are shared among them.")
        .fallback(1)
        .at_least(1);
    s.string("decorate_events", &K::decorate_events,
             "Add [@metadata][kafka] fields: none, basic (topic, partition, offset, key, "
             "timestamp, consumer_group), extended (basic + headers); true = basic.")
        .fallback("none")
        .one_of({"none", "basic", "extended", "false", "true"});
    s.boolean("enable_auto_commit", &K::enable_auto_commit,
              "Commit stored offsets periodically; false commits after every delivered batch.")
        .fallback(true);
    s.accepted("exclude_internal_topics", T::String,
               "Accepted for compatibility; internal topics are only read when named.")
        .no_effect();
    s.integer("fetch_max_bytes", &K::fetch_max_bytes, "Most data a fetch returns.")
        .fallback(52428800);
    s.integer("fetch_max_wait_ms", &K::fetch_max_wait_ms,
              "Longest the broker waits for fetch_min_bytes.")
        .fallback(500);
    s.integer("fetch_min_bytes", &K::fetch_min_bytes, "Least data the broker answers a fetch with.");
    s.string("group_id", &K::group_id,
             "Consumer group; processes with the same group share the partitions.")
        .fallback("logstash");
    s.string("group_instance_id", &K::group_instance_id,
             "Static membership id; each consumer thread adds -<index> when there are several.");
    s.integer("heartbeat_interval_ms", &K::heartbeat_interval_ms,
              "Heartbeat period to the group coordinator.")
        .fallback(3000);
    s.string("isolation_level", &K::isolation_level,
             "read_committed hides aborted transactional messages.")
        .fallback("read_uncommitted")
        .one_of({"read_uncommitted", "read_committed"});
    s.accepted("jaas_path", T::Path, "Java only; use sasl_jaas_config or sasl_username.").no_effect();
    s.hash("kafka_properties", &K::kafka_properties,
           "Any librdkafka consumer property by name, e.g. { \"fetch.error.backoff.ms\" "
           "=> \"100\" }; applied last.");
    s.accepted("kerberos_config", T::Path, "Java only; librdkafka uses the system krb5.").no_effect();
    s.accepted("key_deserializer_class", T::String,
               "Accepted for compatibility; keys are read as strings.")
        .fallback(kStringDeserializer)
        .no_effect();
    s.integer("max_partition_fetch_bytes", &K::max_partition_fetch_bytes,
              "Most data a fetch returns per partition.")
        .fallback(1048576);
    s.integer("max_poll_interval_ms", &K::max_poll_interval_ms,
              "Longest time between polls before the group drops this consumer.")
        .fallback(300000);
    s.integer("max_poll_records", &K::max_poll_records, "Most messages taken per poll.")
        .fallback(500)
        .at_least(1);
    s.integer("metadata_max_age_ms", &K::metadata_max_age_ms, "Metadata refresh period.")
        .fallback(300000);
    s.string("partition_assignment_strategy", &K::partition_assignment_strategy,
             "range, round_robin or cooperative_sticky (sticky is not offered by librdkafka).");
    s.integer("poll_timeout_ms", &K::poll_timeout_ms, "Longest wait in one poll.")
        .fallback(100)
        .at_least(0);
    s.integer("receive_buffer_bytes", &K::receive_buffer_bytes,
              "SO_RCVBUF; at the default or -1 the OS sizes it.")
        .fallback(32768);
    s.integer("reconnect_backoff_ms", &K::reconnect_backoff_ms, "Wait before reconnecting.")
        .fallback(50);
    s.integer("request_timeout_ms", &K::request_timeout_ms, "Network request timeout.")
        .fallback(40000);
    s.integer("retry_backoff_ms", &K::retry_backoff_ms, "Wait before retrying a failed fetch.")
        .fallback(100);
    s.accepted("sasl_client_callback_handler_class", T::String, "Java only.").no_effect();
    s.password("sasl_jaas_config", &K::sasl_jaas_config,
               "JAAS text; its username='..' password='..' are used for PLAIN and SCRAM.");
    s.string("sasl_kerberos_service_name", &K::sasl_kerberos_service_name,
             "Kerberos principal name of the brokers (needed for GSSAPI).");
    s.string("sasl_mechanism", &K::sasl_mechanism,
             "GSSAPI, PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER.")
        .fallback("GSSAPI");
    s.password("sasl_password", &K::sasl_password,
               "SASL password (logpipe; or in sasl_jaas_config).");
    s.string("sasl_username", &K::sasl_username, "SASL user name (logpipe; or in sasl_jaas_config).");
    s.string("security_protocol", &K::security_protocol, "How to talk to the brokers.")
        .fallback("PLAINTEXT")
        .one_of({"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"});
    s.integer("send_buffer_bytes", &K::send_buffer_bytes,
              "SO_SNDBUF; at the default or -1 the OS sizes it.")
        .fallback(131072);
    s.integer("session_timeout_ms", &K::session_timeout_ms,
              "The group drops a consumer whose heartbeats stop this long.")
        .fallback(10000);
    s.string("ssl_endpoint_identification_algorithm", &K::ssl_endpoint_identification_algorithm,
             "https checks the broker host name against its certificate; \"\" does not.")
        .fallback("https");
    s.password("ssl_key_password", &K::ssl_key_password, "Password of the private key.");
    s.path("ssl_keystore_location", &K::ssl_keystore_location,
           "Client certificate and key (PKCS#12 file).");
    s.password("ssl_keystore_password", &K::ssl_keystore_password, "Password of the keystore.");
    s.string("ssl_keystore_type", &K::ssl_keystore_type, "PKCS12 (JKS is Java only).");
    s.path("ssl_truststore_location", &K::ssl_truststore_location,
           "CA certificates (PEM file or directory).");
    s.password("ssl_truststore_password", &K::ssl_truststore_password,
               "Not needed for PEM; accepted.");
    s.string("ssl_truststore_type", &K::ssl_truststore_type,
             "PEM (JKS and PKCS12 truststores are Java only).");
    s.strings("topics", &K::topics, "Topics to subscribe to.").fallback(Value(Array{Value("logstash")}));
    s.string("topics_pattern", &K::topics_pattern,
             "Regular expression (POSIX extended) of topic names; replaces topics.");
    s.accepted("value_deserializer_class", T::String,
               "Accepted for compatibility; values go through the codec.")
        .fallback(kStringDeserializer)
        .no_effect();
    return s;
  }();
  return schema;
}

// Options passed to librdkafka as they are: option, property, member.
struct NumericProperty {
  const char* option;
  const char* property;
  int64_t KafkaOptions::*member;
};
constexpr NumericProperty kNumericProperties[] = {
    {"auto_commit_interval_ms", "auto.commit.interval.ms", &K::auto_commit_interval_ms},
    {"connections_max_idle_ms", "connections.max.idle.ms", &K::connections_max_idle_ms},
    {"fetch_max_bytes", "fetch.max.bytes", &K::fetch_max_bytes},
    {"fetch_max_wait_ms", "fetch.wait.max.ms", &K::fetch_max_wait_ms},
    {"heartbeat_interval_ms", "heartbeat.interval.ms", &K::heartbeat_interval_ms},
    {"session_timeout_ms", "session.timeout.ms", &K::session_timeout_ms},
    {"max_poll_interval_ms", "max.poll.interval.ms", &K::max_poll_interval_ms},
    {"max_partition_fetch_bytes", "max.partition.fetch.bytes", &K::max_partition_fetch_bytes},
    {"metadata_max_age_ms", "topic.metadata.refresh.interval.ms", &K::metadata_max_age_ms},
    {"reconnect_backoff_ms", "reconnect.backoff.ms", &K::reconnect_backoff_ms},
    {"request_timeout_ms", "socket.timeout.ms", &K::request_timeout_ms},
    {"retry_backoff_ms", "fetch.error.backoff.ms", &K::retry_backoff_ms},
};

// Logstash's small socket buffer defaults would cap librdkafka's throughput:
// at the declared default the OS sizes the buffers; another value is used as
// given.
constexpr NumericProperty kSocketBuffers[] = {
    {"receive_buffer_bytes", "socket.receive.buffer.bytes", &K::receive_buffer_bytes},
    {"send_buffer_bytes", "socket.send.buffer.bytes", &K::send_buffer_bytes},
};

// The declared default of a whole-number option.
int64_t declared_default(const char* option) {
  static const OptionSpecs specs = kafka_schema().specs();
  for (const OptionSpec& spec : specs)
    if (spec.name == option && spec.default_value && spec.default_value->is_int())
      return spec.default_value->as_int();
  throw std::logic_error(std::string("kafka input: option ") + option + " has no whole default");
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The value of `key='v'` or `key="v"` in a JAAS line; empty when absent.
std::string jaas_value(const std::string& jaas, const std::string& key) {
  size_t pos = 0;
  while ((pos = jaas.find(key, pos)) != std::string::npos) {
    bool word_start = pos == 0 || !std::isalnum(static_cast<unsigned char>(jaas[pos - 1]));
    size_t p = pos + key.size();
    while (p < jaas.size() && jaas[p] == ' ') ++p;
    if (word_start && p < jaas.size() && jaas[p] == '=') {
      ++p;
      while (p < jaas.size() && jaas[p] == ' ') ++p;
      if (p < jaas.size() && (jaas[p] == '\'' || jaas[p] == '"')) {
        char quote = jaas[p];
        size_t end = jaas.find(quote, p + 1);
        if (end != std::string::npos) return jaas.substr(p + 1, end - p - 1);
      }
    }
    pos += key.size();
  }
  return {};
}

// Applies props to a fresh conf; throws OptionError on the first refusal.
rd_kafka_conf_t* make_conf(const Properties& props, const std::vector<std::string>& origins) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[512];
  for (size_t i = 0; i < props.size(); ++i) {
    if (rd_kafka_conf_set(conf, props[i].first.c_str(), props[i].second.c_str(), errstr,
                          sizeof errstr) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      throw OptionError(origins[i], "librdkafka refuses " + props[i].first + ": " + errstr);
    }
  }
  return conf;
}

Properties build_properties(const KafkaOptions& o, int thread_index,
                            std::vector<std::string>* origins) {
  Properties props;
  std::vector<std::string> from;
  auto put = [&](const char* option, const std::string& property, const std::string& value) {
    props.emplace_back(property, value);
    from.emplace_back(option);
  };
  auto given = [](const auto& v) { return v && !v->empty(); };

  put("bootstrap_servers", "bootstrap.servers", o.bootstrap_servers);
  put("group_id", "group.id", o.group_id);
  put("client_id", "client.id", o.client_id + "-" + std::to_string(thread_index));
  if (given(o.group_instance_id)) {
    std::string id = *o.group_instance_id;
    if (o.consumer_threads > 1) id += "-" + std::to_string(thread_index);
    put("group_instance_id", "group.instance.id", id);
  }
  // Offsets are stored by committed(), never when a message is read.
  put("enable_auto_commit", "enable.auto.commit", "true");
  put("enable_auto_commit", "enable.auto.offset.store", "false");
  if (given(o.auto_offset_reset)) {
    const std::string& reset = *o.auto_offset_reset;
    put("auto_offset_reset", "auto.offset.reset", reset == "none" ? "error" : reset);
  }
  put("auto_create_topics", "allow.auto.create.topics", o.auto_create_topics ? "true" : "false");
  put("check_crcs", "check.crcs", o.check_crcs ? "true" : "false");
  for (const NumericProperty& n : kNumericProperties)
    put(n.option, n.property, std::to_string(o.*n.member));
  if (o.fetch_min_bytes) put("fetch_min_bytes", "fetch.min.bytes", std::to_string(*o.fetch_min_bytes));
  for (const NumericProperty& n : kSocketBuffers) {
    int64_t v = o.*n.member;
    if (v != declared_default(n.option)) put(n.option, n.property, std::to_string(v < 0 ? 0 : v));
  }
  put("isolation_level", "isolation.level", o.isolation_level);
  if (given(o.client_rack)) put("client_rack", "client.rack", *o.client_rack);
  if (given(o.partition_assignment_strategy)) {
    const std::string& strategy = *o.partition_assignment_strategy;
    std::string mapped;
    if (strategy == "range") mapped = "range";
    else if (strategy == "round_robin") mapped = "roundrobin";
    else if (strategy == "cooperative_sticky") mapped = "cooperative-sticky";
    else
      throw OptionError("partition_assignment_strategy",
                        "unsupported partition_assignment_strategy \"" + strategy +
                            "\": use range, round_robin or cooperative_sticky");
    put("partition_assignment_strategy", "partition.assignment.strategy", mapped);
  }

  const std::string& protocol = o.security_protocol;
  put("security_protocol", "security.protocol", lower(protocol));
  bool ssl = protocol == "SSL" || protocol == "SASL_SSL";
  bool sasl = protocol == "SASL_PLAINTEXT" || protocol == "SASL_SSL";
  if (ssl) {
    if (given(o.ssl_truststore_type) && upper(*o.ssl_truststore_type) != "PEM")
      throw OptionError("ssl_truststore_type",
                        "only PEM truststores can be read here (convert the JKS/PKCS12 one)");
    if (given(o.ssl_keystore_type) && upper(*o.ssl_keystore_type) != "PKCS12")
      throw OptionError("ssl_keystore_type", "only PKCS12 keystores can be read here");
    if (given(o.ssl_truststore_location))
      put("ssl_truststore_location", "ssl.ca.location", *o.ssl_truststore_location);
    if (given(o.ssl_keystore_location))
      put("ssl_keystore_location", "ssl.keystore.location", *o.ssl_keystore_location);
    if (given(o.ssl_keystore_password))
      put("ssl_keystore_password", "ssl.keystore.password", o.ssl_keystore_password->reveal());
    if (given(o.ssl_key_password))
      put("ssl_key_password", "ssl.key.password", o.ssl_key_password->reveal());
    const std::string& algo = o.ssl_endpoint_identification_algorithm;
    put("ssl_endpoint_identification_algorithm", "ssl.endpoint.identification.algorithm",
        algo.empty() ? "none" : lower(algo));
  }
  if (sasl) {
    std::string mechanism = upper(o.sasl_mechanism);
    put("sasl_mechanism", "sasl.mechanisms", mechanism);
    if (mechanism == "GSSAPI" && !given(o.sasl_kerberos_service_name))
      throw OptionError("sasl_kerberos_service_name",
                        "sasl_kerberos_service_name must be set when sasl_mechanism is GSSAPI");
    if (given(o.sasl_kerberos_service_name))
      put("sasl_kerberos_service_name", "sasl.kerberos.service.name",
          *o.sasl_kerberos_service_name);
    std::string user = o.sasl_username.value_or("");
    std::string password = o.sasl_password ? o.sasl_password->reveal() : "";
    if (given(o.sasl_jaas_config)) {
      const std::string& jaas = o.sasl_jaas_config->reveal();
      if (user.empty()) user = jaas_value(jaas, "username");
      if (password.empty()) password = jaas_value(jaas, "password");
    }
    if (!user.empty()) put("sasl_username", "sasl.username", user);
    if (!password.empty()) put("sasl_password", "sasl.password", password);
  }
  for (const auto& entry : o.kafka_properties.entries())
    put("kafka_properties", std::string(entry.first), entry.second.to_string());
  if (origins) *origins = std::move(from);
  return props;
}

enum class Decoration { None, Basic, Extended };

// ------------------------------------------------------------ the input

// Offsets read from one partition by one consumer since a point: the offset
// after the last message pushed.
struct OffsetMark {
  int consumer = 0;
  const void* topic_handle = nullptr;  // fast equality; the name decides
  std::string topic;
  int32_t partition = 0;
  int64_t next_offset = 0;
};

struct PartitionId {
  std::string topic;
  int32_t partition;
  bool operator<(const PartitionId& o) const {
    return partition != o.partition ? partition < o.partition : topic < o.topic;
  }
};

class KafkaInput;

struct Consumer {
  KafkaInput* owner = nullptr;
  int index = 0;
  rd_kafka_t* rk = nullptr;
  std::unique_ptr<Codec> codec;
  std::vector<Event> decoded;  // one message's events, reused
  EventSink collect = [this](Event&& e) { decoded.push_back(std::move(e)); };
  std::deque<rd_kafka_message_t*> backlog;  // fetched while congested, not pushed yet
  bool paused = false;
  std::mutex handle_mu;  // committed() vs close
  bool open = false;     // under handle_mu
  Clock::time_point next_lag_check{};
};

class KafkaInput final : public Input {
 public:
  KafkaInput(const PluginArgs& args, KafkaInputTimings timings)
      : Input(args),
        options_(kafka_schema().bind(args.settings)),
        make_codec_(args.make_codec),
        timings_(timings) {
    const KafkaOptions& o = options_;
    threads_ = o.consumer_threads;
    max_poll_records_ = o.max_poll_records;
    poll_timeout_ms_ = o.poll_timeout_ms;
    // Well inside max.poll.interval.ms, so waiting never costs the membership.
    pause_after_ =
        std::chrono::milliseconds(std::clamp<int64_t>(o.max_poll_interval_ms / 4, 10, 1000));
    const std::string& deco = o.decorate_events;
    decoration_ = deco == "basic" || deco == "true" ? Decoration::Basic
                  : deco == "extended"              ? Decoration::Extended
                                                    : Decoration::None;
    if ((deco == "true" || deco == "false") && args.env.validating)
      log_warn("kafka input {}: decorate_events => {} is deprecated, use {}", id(), deco,
               deco == "true" ? "basic" : "none");
    group_id_ = o.group_id;
    commit_each_batch_ = !o.enable_auto_commit;
    std::string pattern = o.topics_pattern.value_or("");
    if (!pattern.empty()) {
      subscription_.push_back("^(" + pattern + ")$");
    } else {
      for (const std::string& t : o.topics)
        if (!t.empty()) subscription_.push_back(t);
      if (subscription_.empty())
        throw OptionError("topics", "give at least one topic, or topics_pattern");
    }
    // Every property is checked now, so a bad one fails the config, not run().
    std::vector<std::string> origins;
    Properties props = build_properties(options_, 0, &origins);
    rd_kafka_conf_destroy(make_conf(props, origins));
  }

  ~KafkaInput() override = default;

  void run(InputContext& ctx) override;
  void stop() override { stop_.store(true); }
  void sealed(uint64_t batch_seq) override;
  // The consumers must keep polling while the pipeline is full.
  bool never_blocks() const override { return true; }
  void committed(uint64_t batch_seq) override;

  const KafkaLagTable& lag() const { return lag_; }

  // Per partition: lag, high watermark, committed offset; per topic: lag.
  void collect_metrics(PluginMetrics& out) const override {
    using K = PluginMetric::Kind;
    std::map<std::string, double> by_topic;
    for (const KafkaPartitionLag& p : lag_.snapshot()) {
      std::vector<std::pair<std::string, std::string>> labels{{"topic", p.topic},
                                                              {"partition", std::to_string(p.partition)}};
      if (p.lag >= 0) {
        out.push_back({"consumer_lag", "Messages of the partition not yet committed (high watermark - committed offset).",
                       K::Gauge, labels, double(p.lag)});
        by_topic[p.topic] += double(p.lag);
      }
      if (p.high_watermark >= 0)
        out.push_back({"high_watermark", "The partition's high watermark offset, as last fetched.", K::Gauge, labels,
                       double(p.high_watermark)});
      if (p.committed >= 0)
        out.push_back({"committed_offset", "The next offset this group commits for the partition.", K::Gauge, labels,
                       double(p.committed)});
    }
    for (auto& [topic, lag] : by_topic)
      out.push_back({"topic_lag", "Consumer lag summed over the topic's partitions held here.", K::Gauge,
                     {{"topic", topic}}, lag});
  }

  // librdkafka callbacks
  void on_rebalance(Consumer& c, rd_kafka_resp_err_t err,
                    rd_kafka_topic_partition_list_t* partitions);

 private:
  bool stop_requested() const { return stop_.load(std::memory_order_relaxed) || ctx_->stopping(); }
  bool open_consumer(Consumer& c);
  void consume(Consumer& c);
  void drain(Consumer& c);
  void close_consumer(Consumer& c);
  void handle_message(Consumer& c, rd_kafka_message_t* m);
  void push_message(Consumer& c, rd_kafka_message_t* m);
  void push_backlog(Consumer& c);
  void set_paused(Consumer& c, bool pause, const char* why);
  void note_pushed(Consumer& c, const rd_kafka_message_t* m);
  uint64_t flush_for(Consumer& c, const std::set<PartitionId>& parts);
  bool wait_committed(uint64_t seq, Clock::duration limit);
  void update_lag(Consumer& c);
  void decorate(Event& e, const rd_kafka_message_t* m) const;

  KafkaOptions options_;
  std::function<std::unique_ptr<Codec>()> make_codec_;
  KafkaInputTimings timings_;
  int threads_ = 0;
  int max_poll_records_ = 0;
  int poll_timeout_ms_ = 0;
  Clock::duration pause_after_ = std::chrono::seconds(1);  // congestion before pausing
  Decoration decoration_ = Decoration::None;
  std::string group_id_;
  bool commit_each_batch_ = false;
  std::vector<std::string> subscription_;

  std::atomic<bool> stop_{false};
  std::atomic<bool> closing_{false};  // drain is over: revoke need not wait
  InputContext* ctx_ = nullptr;
  std::vector<std::unique_ptr<Consumer>> consumers_;

  // push_mu_: the InputContext and unsealed_ (consumer threads and sealed()).
  std::mutex push_mu_;
  std::vector<OffsetMark> unsealed_;
  size_t last_mark_ = 0;

  // offsets_mu_: sealed batches → marks, what was stored, the watermark.
  std::mutex offsets_mu_;
  std::condition_variable committed_cv_;
  BatchPositionLedger<OffsetMark> sealed_;
  std::map<PartitionId, int64_t> stored_;
  uint64_t last_sealed_seq_ = 0;

  KafkaLagTable lag_;
};

void rebalance_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                  rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto* c = static_cast<Consumer*>(opaque);
  c->owner->on_rebalance(*c, err, partitions);
}

void log_cb(const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
  if (level <= 4)
    log_warn("kafka {}: {} {}", rd_kafka_name(rk), fac, buf);
  else
    log_debug("kafka {}: {} {}", rd_kafka_name(rk), fac, buf);
}

// Most errors are also logged by log_cb; these two are not.
void error_cb(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  if (err == RD_KAFKA_RESP_ERR__FATAL)
    log_error("kafka {}: fatal: {}", rd_kafka_name(rk), reason);
  else if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
    log_warn("kafka {}: {}", rd_kafka_name(rk), reason);
}

std::string describe(const rd_kafka_topic_partition_list_t* parts) {
  std::string out;
  for (int i = 0; i < parts->cnt; ++i) {
    if (i) out += ", ";
    out += parts->elems[i].topic;
    out += "[" + std::to_string(parts->elems[i].partition) + "]";
  }
  return out.empty() ? "none" : out;
}

bool KafkaInput::open_consumer(Consumer& c) {
  std::vector<std::string> origins;
  Properties props = build_properties(options_, c.index, &origins);
  rd_kafka_conf_t* conf = make_conf(props, origins);
  rd_kafka_conf_set_opaque(conf, &c);
  rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
  rd_kafka_conf_set_log_cb(conf, log_cb);
  rd_kafka_conf_set_error_cb(conf, error_cb);
  char errstr[512];
  c.rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (!c.rk) {
    rd_kafka_conf_destroy(conf);
    log_error("kafka input {}: cannot create a consumer: {}", id(), errstr);
    return false;
  }
  rd_kafka_poll_set_consumer(c.rk);
  rd_kafka_topic_partition_list_t* topics =
      rd_kafka_topic_partition_list_new(static_cast<int>(subscription_.size()));
  for (const std::string& t : subscription_)
    rd_kafka_topic_partition_list_add(topics, t.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(c.rk, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err) {
    log_error("kafka input {}: cannot subscribe: {}", id(), rd_kafka_err2str(err));
    rd_kafka_destroy(c.rk);
    c.rk = nullptr;
    return false;
  }
  c.codec = make_codec_ ? make_codec_() : nullptr;
  std::lock_guard<std::mutex> lock(c.handle_mu);
  c.open = true;
  return true;
}

void KafkaInput::run(InputContext& ctx) {
  ctx_ = &ctx;
  for (int i = 0; i < threads_; ++i) {
    consumers_.push_back(std::make_unique<Consumer>());
    consumers_.back()->owner = this;
    consumers_.back()->index = i;
  }
  for (auto& c : consumers_)
    if (!open_consumer(*c)) {
      for (auto& o : consumers_)
        if (o->rk) close_consumer(*o);
      return;
    }
  log_info("kafka input {}: {} consumer(s) in group {} subscribed to {}", id(), threads_,
           group_id_, subscription_.size() == 1 ? subscription_[0] : "several topics");
  std::vector<std::thread> extra;
  for (size_t i = 1; i < consumers_.size(); ++i)
    extra.emplace_back([this, c = consumers_[i].get()] {
      consume(*c);
      drain(*c);
    });
  consume(*consumers_[0]);
  drain(*consumers_[0]);
  for (auto& t : extra) t.join();
  closing_ = true;
  for (auto& c : consumers_) close_consumer(*c);
}

void KafkaInput::consume(Consumer& c) {
  // Named so that top -H and perf show which thread is the consumer.
  name_this_thread("kafka-in-" + std::to_string(c.index));
  std::vector<rd_kafka_message_t*> msgs(static_cast<size_t>(max_poll_records_));
  rd_kafka_queue_t* queue = rd_kafka_queue_get_consumer(c.rk);
  int timeout = std::max(1, std::min(poll_timeout_ms_, ctx_->poll_interval_ms()));
  Clock::time_point congested_since{};  // epoch: not congested
  while (!stop_requested()) {
    bool congested = ctx_->congested();
    if (congested) {
      // A sealed batch may be waiting for room: queue it if there is some.
      std::lock_guard<std::mutex> lock(push_mu_);
      ctx_->tick();
      congested = ctx_->congested();
    }
    if (!c.backlog.empty() && !congested) {
      push_backlog(c);
      congested = ctx_->congested();
    }
    // A full queue usually frees up within milliseconds: wait for it without
    // polling (pausing costs a refetch). Only a longer stall pauses the
    // partitions, and then polling goes on so that the group keeps us.
    if (congested && !c.paused) {
      if (congested_since == Clock::time_point{}) congested_since = Clock::now();
      if (Clock::now() - congested_since < pause_after_) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        continue;
      }
      set_paused(c, true, "pipeline full");
    }
    if (!congested) congested_since = Clock::time_point{};
    if (c.paused && !congested && c.backlog.empty()) set_paused(c, false, "room again");

    // consumer_poll keeps max.poll.interval.ms happy; the batch call then
    // takes what is already queued without waiting.
    size_t n = 0;
    if (rd_kafka_message_t* first = rd_kafka_consumer_poll(c.rk, c.paused ? 10 : timeout)) {
      msgs[0] = first;
      n = 1;
      if (msgs.size() > 1) {
        ssize_t more = rd_kafka_consume_batch_queue(queue, 0, msgs.data() + 1, msgs.size() - 1);
        if (more > 0) n += static_cast<size_t>(more);
      }
    }
    {
      std::lock_guard<std::mutex> lock(push_mu_);
      for (size_t i = 0; i < n; ++i) handle_message(c, msgs[i]);
      ctx_->tick();  // never blocks (never_blocks()): a full queue keeps the batch waiting
    }
    if (Clock::now() >= c.next_lag_check) update_lag(c);
  }
  rd_kafka_queue_destroy(queue);
}

void KafkaInput::handle_message(Consumer& c, rd_kafka_message_t* m) {
  if (m->err) {
    if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
      log_warn("kafka input {}: consumer error: {}", id(), rd_kafka_message_errstr(m));
    rd_kafka_message_destroy(m);
    return;
  }
  if (!c.backlog.empty() || ctx_->congested()) {
    c.backlog.push_back(m);
    return;
  }
  push_message(c, m);
}

// Called with push_mu_ held. The offset is noted just before the message's
// last event is pushed: a batch sealed by that push then covers the offset,
// and never an offset whose events are not all in it.
void KafkaInput::push_message(Consumer& c, rd_kafka_message_t* m) {
  std::string_view payload(m->payload ? static_cast<const char*>(m->payload) : "",
                           m->payload ? m->len : 0);
  c.decoded.clear();
  if (c.codec)
    c.codec->decode(payload, c.collect);
  else
    c.decoded.emplace_back(std::string(payload));
  size_t n = c.decoded.size();
  for (size_t i = 0; i < n; ++i) {
    Event& e = c.decoded[i];
    if (decoration_ != Decoration::None) decorate(e, m);
    if (i + 1 == n) note_pushed(c, m);
    ctx_->push(std::move(e));
  }
  if (n == 0) note_pushed(c, m);
  rd_kafka_message_destroy(m);
}

void KafkaInput::push_backlog(Consumer& c) {
  std::lock_guard<std::mutex> lock(push_mu_);
  while (!c.backlog.empty() && !ctx_->congested()) {
    rd_kafka_message_t* m = c.backlog.front();
    c.backlog.pop_front();
    push_message(c, m);
  }
}

void KafkaInput::set_paused(Consumer& c, bool pause, const char* why) {
  rd_kafka_topic_partition_list_t* parts = nullptr;
  if (rd_kafka_assignment(c.rk, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR || !parts) return;
  if (pause)
    rd_kafka_pause_partitions(c.rk, parts);
  else
    rd_kafka_resume_partitions(c.rk, parts);
  if (parts->cnt > 0)
    log_info("kafka input {}: {} {} partition(s) ({})", id(), pause ? "pausing" : "resuming",
             parts->cnt, why);
  rd_kafka_topic_partition_list_destroy(parts);
  c.paused = pause;
}

// Called with push_mu_ held, after the message's events were pushed.
void KafkaInput::note_pushed(Consumer& c, const rd_kafka_message_t* m) {
  if (last_mark_ < unsealed_.size()) {
    OffsetMark& last = unsealed_[last_mark_];
    if (last.consumer == c.index && last.partition == m->partition &&
        last.topic_handle == m->rkt) {
      last.next_offset = m->offset + 1;
      return;
    }
  }
  const char* topic = rd_kafka_topic_name(m->rkt);
  for (size_t i = 0; i < unsealed_.size(); ++i) {
    OffsetMark& mark = unsealed_[i];
    if (mark.consumer == c.index && mark.partition == m->partition && mark.topic == topic) {
      mark.next_offset = m->offset + 1;
      mark.topic_handle = m->rkt;
      last_mark_ = i;
      return;
    }
  }
  unsealed_.push_back(OffsetMark{c.index, m->rkt, topic, m->partition, m->offset + 1});
  last_mark_ = unsealed_.size() - 1;
}

void KafkaInput::decorate(Event& e, const rd_kafka_message_t* m) const {
  Object kafka;
  kafka.reserve(decoration_ == Decoration::Extended ? 7 : 6);
  kafka.set("topic", Value(rd_kafka_topic_name(m->rkt)));
  kafka.set("consumer_group", Value(group_id_));
  kafka.set("partition", Value(int64_t{m->partition}));
  kafka.set("offset", Value(int64_t{m->offset}));
  if (m->key)
    kafka.set("key", Value(std::string(static_cast<const char*>(m->key), m->key_len)));
  else
    kafka.set("key", Value());
  rd_kafka_timestamp_type_t ts_type;
  int64_t ts = rd_kafka_message_timestamp(m, &ts_type);
  kafka.set("timestamp", ts >= 0 ? Value(ts) : Value());
  if (decoration_ == Decoration::Extended) {
    rd_kafka_headers_t* headers = nullptr;
    // The headers are parsed lazily by librdkafka; the message stays const.
    if (rd_kafka_message_headers(const_cast<rd_kafka_message_t*>(m), &headers) ==
            RD_KAFKA_RESP_ERR_NO_ERROR &&
        headers) {
      Object out;
      const char* name;
      const void* value;
      size_t size;
      for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) ==
                         RD_KAFKA_RESP_ERR_NO_ERROR;
           ++i) {
        if (!name || !value) continue;
        const char* text = static_cast<const char*>(value);
        if (valid_utf8(std::string_view(text, size))) out.set(name, Value(std::string(text, size)));
      }
      kafka.set("headers", Value(std::move(out)));
    }
  }
  e.metadata().set("kafka", Value(std::move(kafka)));
}

void KafkaInput::sealed(uint64_t batch_seq) {
  std::lock_guard<std::mutex> lock(offsets_mu_);
  last_sealed_seq_ = batch_seq;
  if (unsealed_.empty()) return;
  sealed_.sealed(batch_seq, std::move(unsealed_));
  unsealed_.clear();
  last_mark_ = 0;
}

void KafkaInput::committed(uint64_t batch_seq) {
  std::lock_guard<std::mutex> lock(offsets_mu_);
  // Highest next offset per consumer and partition over the batches now done.
  std::map<std::pair<int, PartitionId>, int64_t> done;
  for (const OffsetMark& m : sealed_.committed(batch_seq)) {
    int64_t& best = done[{m.consumer, PartitionId{m.topic, m.partition}}];
    best = std::max(best, m.next_offset);
  }
  for (auto& c : consumers_) {
    rd_kafka_topic_partition_list_t* list = nullptr;
    for (const auto& [key, offset] : done) {
      if (key.first != c->index) continue;
      if (!list) list = rd_kafka_topic_partition_list_new(8);
      rd_kafka_topic_partition_list_add(list, key.second.topic.c_str(), key.second.partition)
          ->offset = offset;
      int64_t& stored = stored_[key.second];
      stored = std::max(stored, offset);
    }
    if (!list) continue;
    {
      std::lock_guard<std::mutex> handle(c->handle_mu);
      // Partitions revoked meanwhile are refused (not assigned): their events
      // may be read again by the new owner, which at-least-once allows.
      if (c->open) {
        rd_kafka_offsets_store(c->rk, list);
        if (commit_each_batch_) rd_kafka_commit(c->rk, nullptr, 1);
      }
    }
    rd_kafka_topic_partition_list_destroy(list);
  }
  committed_cv_.notify_all();
}

bool KafkaInput::wait_committed(uint64_t seq, Clock::duration limit) {
  auto deadline = Clock::now() + limit;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(offsets_mu_);
      auto slice = std::min<Clock::duration>(deadline - Clock::now(), std::chrono::milliseconds(50));
      if (committed_cv_.wait_for(lock, std::max<Clock::duration>(slice, Clock::duration::zero()),
                                 [&] { return sealed_.committed_seq() >= seq; }))
        return true;
    }
    if (Clock::now() >= deadline) return false;
    // Sealed batches that found the pipeline full wait in the input's
    // context until one of its calls queues them (they never block).
    std::lock_guard<std::mutex> lock(push_mu_);
    ctx_->tick();
  }
}

// Seals the batch being built if it holds events of `parts` (never blocks),
// and returns the last sequence that holds any of them (0: none).
uint64_t KafkaInput::flush_for(Consumer& c, const std::set<PartitionId>& parts) {
  auto concerns = [&](const OffsetMark& m) {
    return m.consumer == c.index && parts.count(PartitionId{m.topic, m.partition});
  };
  {
    std::lock_guard<std::mutex> lock(push_mu_);
    bool unsealed = std::any_of(unsealed_.begin(), unsealed_.end(), concerns);
    if (unsealed) ctx_->flush();
  }
  std::lock_guard<std::mutex> lock(offsets_mu_);
  return sealed_.last_in_flight(concerns);
}

void KafkaInput::on_rebalance(Consumer& c, rd_kafka_resp_err_t err,
                              rd_kafka_topic_partition_list_t* partitions) {
  bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(c.rk), "COOPERATIVE") == 0;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    log_info("kafka input {}: consumer {} assigned {}", id(), c.index, describe(partitions));
    if (cooperative)
      rd_kafka_incremental_assign(c.rk, partitions);
    else
      rd_kafka_assign(c.rk, partitions);
    if (c.paused) rd_kafka_pause_partitions(c.rk, partitions);
    c.next_lag_check = Clock::now();
    return;
  }
  if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    log_warn("kafka input {}: rebalance failed: {}", id(), rd_kafka_err2str(err));
    rd_kafka_assign(c.rk, nullptr);
    return;
  }
  log_info("kafka input {}: consumer {} revoked {}", id(), c.index, describe(partitions));
  std::set<PartitionId> parts;
  for (int i = 0; i < partitions->cnt; ++i)
    parts.insert(PartitionId{partitions->elems[i].topic, partitions->elems[i].partition});
  // Fetched but never pushed: the next owner reads them from the commit.
  for (auto it = c.backlog.begin(); it != c.backlog.end();) {
    if (parts.count(PartitionId{rd_kafka_topic_name((*it)->rkt), (*it)->partition})) {
      rd_kafka_message_destroy(*it);
      it = c.backlog.erase(it);
    } else {
      ++it;
    }
  }
  uint64_t last = closing_ ? 0 : flush_for(c, parts);  // drain() already waited
  if (last && !wait_committed(last, timings_.revoke_wait))
    log_warn("kafka input {}: events of revoked partitions still in flight after {} ms; "
             "the next owner may deliver them again",
             id(), timings_.revoke_wait.count());
  rd_kafka_resp_err_t cerr = rd_kafka_commit(c.rk, nullptr, 0);
  if (cerr && cerr != RD_KAFKA_RESP_ERR__NO_OFFSET)
    log_warn("kafka input {}: commit on revoke failed: {}", id(), rd_kafka_err2str(cerr));
  for (const PartitionId& p : parts) lag_.forget(p.topic, p.partition);
  if (cooperative)
    rd_kafka_incremental_unassign(c.rk, partitions);
  else
    rd_kafka_assign(c.rk, nullptr);
}

// Shutdown of one consumer: seal what was pushed, wait (bounded) until the
// pipeline has delivered it, keep the group session alive meanwhile, commit.
void KafkaInput::drain(Consumer& c) {
  for (rd_kafka_message_t* m : c.backlog) rd_kafka_message_destroy(m);
  c.backlog.clear();
  uint64_t target;
  {
    std::lock_guard<std::mutex> lock(push_mu_);
    ctx_->flush();
  }
  {
    std::lock_guard<std::mutex> lock(offsets_mu_);
    target = last_sealed_seq_;
  }
  if (!c.paused) set_paused(c, true, "shutting down");
  auto deadline = Clock::now() + timings_.shutdown_wait;
  while (!wait_committed(target, std::chrono::milliseconds(100))) {
    if (Clock::now() >= deadline) {
      log_warn("kafka input {}: stopping with events in flight; they will be read again", id());
      break;
    }
    // Nothing is fetched (paused); this serves the group and callbacks.
    if (rd_kafka_message_t* m = rd_kafka_consumer_poll(c.rk, 0)) rd_kafka_message_destroy(m);
  }
  rd_kafka_resp_err_t err = rd_kafka_commit(c.rk, nullptr, 0);
  if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
    log_warn("kafka input {}: final commit failed: {}", id(), rd_kafka_err2str(err));
}

void KafkaInput::close_consumer(Consumer& c) {
  if (!c.rk) return;
  rd_kafka_consumer_close(c.rk);  // leaves the group (revoke callback commits)
  {
    std::lock_guard<std::mutex> lock(c.handle_mu);
    c.open = false;
  }
  for (rd_kafka_message_t* m : c.backlog) rd_kafka_message_destroy(m);
  c.backlog.clear();
  rd_kafka_destroy(c.rk);
  c.rk = nullptr;
}

void KafkaInput::update_lag(Consumer& c) {
  c.next_lag_check = Clock::now() + timings_.lag_interval;
  rd_kafka_topic_partition_list_t* parts = nullptr;
  if (rd_kafka_assignment(c.rk, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR || !parts) return;
  for (int i = 0; i < parts->cnt; ++i) {
    KafkaPartitionLag p;
    p.topic = parts->elems[i].topic;
    p.partition = parts->elems[i].partition;
    int64_t low = -1, high = -1;
    // Cached from fetch responses: no request to the broker.
    if (rd_kafka_get_watermark_offsets(c.rk, p.topic.c_str(), p.partition, &low, &high) ==
            RD_KAFKA_RESP_ERR_NO_ERROR &&
        high >= 0)
      p.high_watermark = high;
    {
      std::lock_guard<std::mutex> lock(offsets_mu_);
      auto it = stored_.find(PartitionId{p.topic, p.partition});
      if (it != stored_.end()) p.committed = it->second;
    }
    if (p.high_watermark >= 0 && p.committed >= 0)
      p.lag = std::max<int64_t>(0, p.high_watermark - p.committed);
    lag_.update(p);
    log_debug("kafka input {}: lag {}[{}] = {} (high {}, committed {})", id(), p.topic,
              p.partition, p.lag, p.high_watermark, p.committed);
  }
  rd_kafka_topic_partition_list_destroy(parts);
}

}  // namespace

// ------------------------------------------------------------ lag table

void KafkaLagTable::update(const KafkaPartitionLag& p) {
  std::lock_guard<std::mutex> lock(mu_);
  table_[{p.topic, p.partition}] = p;
}

void KafkaLagTable::forget(const std::string& topic, int32_t partition) {
  std::lock_guard<std::mutex> lock(mu_);
  table_.erase({topic, partition});
}

std::vector<KafkaPartitionLag> KafkaLagTable::snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<KafkaPartitionLag> out;
  out.reserve(table_.size());
  for (const auto& entry : table_) out.push_back(entry.second);
  return out;
}

const KafkaLagTable* kafka_input_lag(const Input& input) {
  const auto* k = dynamic_cast<const KafkaInput*>(&input);
  return k ? &k->lag() : nullptr;
}

std::vector<std::pair<std::string, std::string>> kafka_consumer_properties(
    const Settings& settings, int thread_index) {
  std::vector<std::string> origins;
  Properties props = build_properties(kafka_schema().bind(settings), thread_index, &origins);
  rd_kafka_conf_destroy(make_conf(props, origins));
  return props;
}

PluginInfo kafka_input_info() {
  PluginInfo info;
  info.name = "kafka";
  info.kind = PluginKind::Input;
  info.description =
      "Reads from Kafka topics as a consumer group member; offsets are committed only "
      "after every output accepted the events (at-least-once).";
  info.options = kafka_schema().specs();
  info.default_codec = "plain";
  info.make_input = [](const PluginArgs& args) -> std::unique_ptr<Input> {
    return std::make_unique<KafkaInput>(args, KafkaInputTimings{});
  };
  return info;
}

std::unique_ptr<Input> make_kafka_input(const PluginArgs& args, KafkaInputTimings timings) {
  return std::make_unique<KafkaInput>(args, timings);
}

}  // namespace logpipe
