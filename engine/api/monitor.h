// Monitor: samples a running pipeline once a second and turns the samples
// into what the monitoring API, the statsd push and the summary log line
// show: event rates over 1 s, 1 min and 5 min, and health.
//
// Health is what Marathon's health check and Docker's HEALTHCHECK ask:
// - red when an input failed (e.g. its port was taken);
// - red when an output has events waiting and has delivered nothing for
//   output_stall (it cannot reach Elasticsearch, say); green again as soon
//   as it delivers;
// - red before the pipeline runs and once it has stopped.
//
// Thread-safe: sample() runs on the monitor's thread (or a test's), every
// other call from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/metrics/process_stats.h"
#include "engine/runtime/pipeline.h"

namespace logpipe {

struct EventRates {  // events per second
  double in_1s = 0, in_1m = 0, in_5m = 0, in_lifetime = 0;
  double out_1s = 0, out_1m = 0, out_5m = 0, out_lifetime = 0;
};

struct Health {
  bool healthy = false;
  std::vector<std::string> reasons;  // why not, one line each
};

struct MonitorSnapshot {
  PipelineStats stats;
  EventRates rates;
  Health health;
  ProcessStats process;
  double uptime_seconds = 0;
};

struct MonitorSettings {
  int64_t output_stall_ms = 10000;  // an output with work that delivers nothing this long is unhealthy
  int64_t sample_interval_ms = 1000;
};

// The periodic log line: events/s in and out, queue depths, p99 latency and
// Kafka lag.
std::string summary_line(const MonitorSnapshot& m);

class Monitor {
 public:
  Monitor(std::function<PipelineStats()> read_stats, MonitorSettings settings);
  ~Monitor();

  void start();  // the sampling thread
  void stop();

  // Fresh figures, with the rates and the health of the latest sample.
  MonitorSnapshot snapshot() const;
  // Takes a sample now (the thread does every sample_interval_ms).
  void sample();

 private:
  struct Sample {
    int64_t ns;
    uint64_t in, out;
  };
  struct OutputProgress {
    uint64_t delivered = 0;
    uint64_t pending = 0;
    int64_t last_progress_ns = 0;
  };

  void run();
  Health judge(const PipelineStats& s, int64_t now) const;  // under mu_
  EventRates rates(int64_t now) const;                      // under mu_

  std::function<PipelineStats()> read_stats_;
  MonitorSettings settings_;
  int64_t started_ns_;

  mutable std::mutex mu_;
  std::deque<Sample> samples_;                    // the last 5 minutes
  std::map<std::string, OutputProgress> outputs_;  // by output id
  bool sampled_ = false;
  Health health_;

  std::mutex wake_mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace logpipe
