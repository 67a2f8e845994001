// KafkaMockCluster: a Kafka cluster inside the test process, for tests and
// benchmarks of the kafka input.
//
// librdkafka's mock cluster (rdkafka_mock.h) speaks the real Kafka protocol
// on 127.0.0.1 (ephemeral ports), so the real logpipe binary, kcat and any
// librdkafka client can talk to it. By default: 3 brokers and topic "logs"
// with 8 partitions, replicated 3 times. It can take brokers down and up and
// move partition leaders (note: taking a broker down does NOT move its
// leaders — call set_leader). The cluster lives as long as the object; its
// brokers run on librdkafka threads, so the test thread stays free.
//
// Header-only (tests/*_test.cpp are the only compiled test sources). Not
// thread-safe: drive it from one test thread. Failures abort the test via
// std::runtime_error.
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace logpipe::testing {

class KafkaMockCluster {
 public:
  explicit KafkaMockCluster(int brokers = 3, const std::string& topic = "logs", int partitions = 8)
      : brokers_(brokers) {
    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "client.id", "mock-cluster", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
    // This handle only owns the cluster; it never produces.
    handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!handle_) throw std::runtime_error(std::string("mock handle: ") + errstr);
    cluster_ = rd_kafka_mock_cluster_new(handle_, brokers);
    if (!cluster_) throw std::runtime_error("rd_kafka_mock_cluster_new failed");
    bootstrap_ = rd_kafka_mock_cluster_bootstraps(cluster_);
    if (!topic.empty()) create_topic(topic, partitions, brokers < 3 ? brokers : 3);
  }
  ~KafkaMockCluster() {
    if (producer_) {
      rd_kafka_flush(producer_, 10000);
      rd_kafka_destroy(producer_);
    }
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(handle_);
  }
  KafkaMockCluster(const KafkaMockCluster&) = delete;
  KafkaMockCluster& operator=(const KafkaMockCluster&) = delete;

  const std::string& bootstrap_servers() const { return bootstrap_; }
  int brokers() const { return brokers_; }

  void create_topic(const std::string& name, int partitions, int replication) {
    check(rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, replication),
          "create topic " + name);
  }
  // Broker ids are 1..brokers(); -1 means all of them.
  void broker_down(int id) { check(rd_kafka_mock_broker_set_down(cluster_, id), "broker down"); }
  void broker_up(int id) { check(rd_kafka_mock_broker_set_up(cluster_, id), "broker up"); }
  void set_leader(const std::string& topic, int partition, int broker) {
    check(rd_kafka_mock_partition_set_leader(cluster_, topic.c_str(), partition, broker),
          "set leader");
  }
  void set_group_coordinator(const std::string& group, int broker) {
    check(rd_kafka_mock_coordinator_set(cluster_, "group", group.c_str(), broker),
          "set coordinator");
  }

  // Produces count messages made by make(i), message i to partition
  // i % partitions (evenly: the mock keeps only about 5 MB per partition and
  // drops the oldest messages beyond), and waits until every one is
  // acknowledged.
  void produce(const std::string& topic, size_t count,
               const std::function<std::string(size_t)>& make, int partitions = 8) {
    send(topic, count, make, [partitions](size_t i) {
      return static_cast<int32_t>(i % static_cast<size_t>(partitions));
    });
  }
  // Produces count messages made by make(i), all to one partition: big
  // batches, which the mock serves one per fetch (fastest to consume).
  void produce_to(const std::string& topic, int32_t partition, size_t count,
                  const std::function<std::string(size_t)>& make) {
    send(topic, count, make, [partition](size_t) { return partition; });
  }

  // Produces the lines of a file with the real kcat client (one message each,
  // partitions chosen by librdkafka: keep files small, see produce()).
  void produce_with_kcat(const std::string& topic, const std::string& path) {
    std::string cmd = "kcat -b '" + bootstrap_ + "' -t '" + topic + "' -P -l '" + path +
                      "' -X queue.buffering.max.messages=1000000 2>&1";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("kcat failed: " + cmd);
  }

  // The group's committed offset per partition (-1001 when none), and the
  // high watermark per partition.
  std::map<int, int64_t> committed_offsets(const std::string& group, const std::string& topic,
                                           int partitions) {
    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap_.c_str(), errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "group.id", group.c_str(), errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
    rd_kafka_t* c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!c) throw std::runtime_error(errstr);
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; ++p) rd_kafka_topic_partition_list_add(list, topic.c_str(), p);
    rd_kafka_resp_err_t err = rd_kafka_committed(c, list, 10000);
    std::map<int, int64_t> out;
    for (int i = 0; i < list->cnt; ++i) out[list->elems[i].partition] = list->elems[i].offset;
    rd_kafka_topic_partition_list_destroy(list);
    rd_kafka_destroy(c);
    check(err, "committed offsets");
    return out;
  }
  std::map<int, int64_t> high_watermarks(const std::string& topic, int partitions) {
    std::map<int, int64_t> out;
    for (int p = 0; p < partitions; ++p) {
      int64_t low = -1, high = -1;
      check(rd_kafka_query_watermark_offsets(producer(), topic.c_str(), p, &low, &high, 10000),
            "watermarks");
      out[p] = high;
    }
    return out;
  }

 private:
  void send(const std::string& topic, size_t count, const std::function<std::string(size_t)>& make,
            const std::function<int32_t(size_t)>& partition_of) {
    rd_kafka_t* p = producer();
    for (size_t i = 0; i < count; ++i) {
      std::string value = make(i);
      for (;;) {
        rd_kafka_resp_err_t err = rd_kafka_producev(
            p, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition_of(i)),
            RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
          throw std::runtime_error(std::string("produce: ") + rd_kafka_err2str(err));
        rd_kafka_poll(p, 10);
      }
      if (i % 10000 == 0) rd_kafka_poll(p, 0);
    }
    if (rd_kafka_flush(p, 120000) != RD_KAFKA_RESP_ERR_NO_ERROR)
      throw std::runtime_error("produce: not all messages acknowledged in 120 s");
    if (delivery_errors_)
      throw std::runtime_error("produce: " + std::to_string(delivery_errors_) + " failed");
  }
  static void check(rd_kafka_resp_err_t err, const std::string& what) {
    if (err) throw std::runtime_error(what + ": " + rd_kafka_err2str(err));
  }
  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    if (m->err) ++static_cast<KafkaMockCluster*>(opaque)->delivery_errors_;
  }
  rd_kafka_t* producer() {
    if (producer_) return producer_;
    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap_.c_str(), errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "linger.ms", "50", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "batch.num.messages", "10000", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "queue.buffering.max.messages", "1000000", errstr, sizeof errstr);
    // A broker taken down keeps its connections open but silent: give up on
    // them quickly instead of after the default 60 s.
    rd_kafka_conf_set(conf, "socket.timeout.ms", "5000", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!producer_) throw std::runtime_error(std::string("producer: ") + errstr);
    return producer_;
  }

  int brokers_;
  rd_kafka_t* handle_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  rd_kafka_t* producer_ = nullptr;
  std::string bootstrap_;
  size_t delivery_errors_ = 0;
};

}  // namespace logpipe::testing
