// logpipe-mock-kafka: librdkafka's mock Kafka cluster in a process of its own,
// for the demo and for trying pipelines by hand without a Kafka installation.
//
// The brokers speak the real Kafka protocol on 127.0.0.1 (ports chosen by the
// system), so logpipe, kcat and any librdkafka client talk to them as to a real
// cluster. Prints `BOOTSTRAP=host:port,...` on stdout (and writes it to
// --bootstrap-file, atomically, for scripts that start it in the background),
// then serves until SIGTERM or SIGINT. With --report-group, it prints that
// group's committed offset and the high watermark of every partition before
// it exits, which shows what a consumer has committed.
//
//   logpipe-mock-kafka [--brokers N] [--topic NAME] [--partitions P]
//                      [--bootstrap-file PATH] [--report-group GROUP]
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

#include "tests/kafka_mock_cluster.h"

namespace {

struct Options {
  int brokers = 1;
  std::string topic = "logs";
  int partitions = 4;
  std::string bootstrap_file;
  std::string report_group;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "logpipe-mock-kafka: %s\n"
               "usage: logpipe-mock-kafka [--brokers N] [--topic NAME] [--partitions P]\n"
               "                          [--bootstrap-file PATH] [--report-group GROUP]\n",
               why);
  std::exit(2);
}

int positive(const char* flag, const char* text) {
  char* end = nullptr;
  long n = std::strtol(text, &end, 10);
  if (*end != '\0' || n < 1 || n > 1000) usage((std::string(flag) + " wants 1..1000").c_str());
  return static_cast<int>(n);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) usage(("missing value after " + flag).c_str());
    const char* value = argv[++i];
    if (flag == "--brokers") o.brokers = positive("--brokers", value);
    else if (flag == "--topic") o.topic = value;
    else if (flag == "--partitions") o.partitions = positive("--partitions", value);
    else if (flag == "--bootstrap-file") o.bootstrap_file = value;
    else if (flag == "--report-group") o.report_group = value;
    else usage(("unknown option " + flag).c_str());
  }
  return o;
}

// Written to a temporary name and renamed, so a reader never sees half a line.
void write_atomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << text << '\n';
    if (!out) usage(("cannot write " + tmp).c_str());
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) usage(("cannot rename to " + path).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  // Blocked before the cluster starts its threads, so that they inherit the
  // mask and sigwait below is the only receiver.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  try {
    logpipe::testing::KafkaMockCluster cluster(o.brokers, o.topic, o.partitions);
    std::string line = "BOOTSTRAP=" + cluster.bootstrap_servers();
    std::cout << line << std::endl;
    if (!o.bootstrap_file.empty()) write_atomically(o.bootstrap_file, line);

    int sig = 0;
    sigwait(&stop_signals, &sig);

    if (!o.report_group.empty()) {
      auto committed = cluster.committed_offsets(o.report_group, o.topic, o.partitions);
      auto high = cluster.high_watermarks(o.topic, o.partitions);
      std::cout << "kafka topic " << o.topic << ", group " << o.report_group
                << ": committed offset / high watermark per partition\n";
      for (auto& [partition, watermark] : high) {
        int64_t c = committed.count(partition) ? committed[partition] : -1;
        std::cout << "  partition " << partition << ": "
                  << (c < 0 ? std::string("none") : std::to_string(c)) << " / " << watermark
                  << '\n';
      }
    }
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "logpipe-mock-kafka: %s\n", ex.what());
    return 1;
  }
  return 0;
}
