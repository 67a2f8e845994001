// kafka input: reads events from Kafka topics with librdkafka's high-level
// consumer — Logstash's `kafka` input, with its option names and defaults.
//
// Delivery is at-least-once, end to end: offsets are never stored when a
// message is read, only when the pipeline says (Input::committed) that every
// event of every batch up to it was accepted by every output. Per partition
// the stored offset is the contiguous watermark; librdkafka commits stored
// offsets every auto_commit_interval_ms, on partition revoke (after waiting up
// to 5 s for in-flight events of those partitions) and at shutdown (drain),
// synchronously. A crash repeats what was in flight; it never loses it.
//
// Backpressure: when the pipeline queue is full (InputContext::congested) the
// consumer pauses its partitions but keeps polling, so it stays in its group
// however long an output stalls; messages already fetched are kept and pushed
// first on resume. consumer_threads => N runs N consumers (N librdkafka
// handles, client ids "<client_id>-<i>") in one process; more processes with
// the same group_id share the partitions (Kafka's own scale-out).
//
// Options not in Logstash: `kafka_properties` (hash) passes any librdkafka
// property by name, applied last; `sasl_username` / `sasl_password` are an
// alternative to sasl_jaas_config (whose username/password are read from the
// JAAS text). Java-only options (deserializer classes, jaas_path,
// kerberos_config, client_dns_lookup ...) are accepted and do nothing.
//
// Threads: run() owns the consumers; stop() from any thread; committed() on a
// worker thread. They share the batch → offsets map behind one mutex, taken
// once per batch. Bad input never crashes: a message the codec cannot decode
// is tagged by the codec; a property librdkafka refuses is a config error.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "engine/plugin.h"

namespace logpipe {

PluginInfo kafka_input_info();

// How long the input waits for the pipeline; the defaults are the product's,
// tests shorten them.
struct KafkaInputTimings {
  std::chrono::milliseconds revoke_wait{5000};     // in-flight events of revoked partitions
  std::chrono::milliseconds shutdown_wait{30000};  // in-flight events at shutdown
  std::chrono::milliseconds lag_interval{5000};    // how often lag is measured
};

// As kafka_input_info().make_input, with other timings (for tests).
std::unique_ptr<Input> make_kafka_input(const PluginArgs& args, KafkaInputTimings timings);

// Consumer lag of one partition: messages in the partition not yet committed
// by this group (high watermark − stored offset), as last measured.
struct KafkaPartitionLag {
  std::string topic;
  int32_t partition = 0;
  int64_t high_watermark = -1;  // -1: not known yet
  int64_t committed = -1;       // next offset to commit; -1: nothing stored yet
  int64_t lag = -1;             // -1: unknown
};

// Per-partition lag, updated by the consumer threads every few seconds and
// read by anyone (metrics). Thread-safe.
class KafkaLagTable {
 public:
  void update(const KafkaPartitionLag& p);
  void forget(const std::string& topic, int32_t partition);
  std::vector<KafkaPartitionLag> snapshot() const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int32_t>, KafkaPartitionLag> table_;
};

// The lag table of a kafka input, nullptr when `input` is not one.
const KafkaLagTable* kafka_input_lag(const Input& input);

// The librdkafka consumer properties for these settings and consumer thread
// (validated: throws OptionError naming the option). Exposed for tests;
// values of passwords are in the result, never log it.
std::vector<std::pair<std::string, std::string>> kafka_consumer_properties(
    const Settings& settings, int thread_index);

}  // namespace logpipe
