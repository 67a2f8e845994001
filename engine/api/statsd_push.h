// StatsdPush: sends the monitoring figures to statsd over UDP every
// interval (--metrics.statsd.host/port/prefix/interval): the platform's
// container monitoring reads them from there.
//
// Per push, under <prefix>.:
//   counters (|c)  the increase since the last push of every *_total figure:
//                  events.in, events.filtered, events.out, events.dead_lettered,
//                  plugin.<id>.events_in / events_out, output.<id>.retries ...
//   gauges (|g)    events.in_flight, events.per_second.in/out, queue depths and
//                  capacities, output pending, Kafka lag per partition,
//                  process.rss_bytes, process.cpu_seconds, process.threads,
//                  healthy (1/0)
//   timers (|ms)   latency.p50/p90/p99/max (end to end), queue_wait.p99,
//                  filter.<id>.time_per_event.p99
// Names are made of [A-Za-z0-9_-]: anything else in an id becomes '_'.
// The default prefix is "logpipe", then MARATHON_APP_ID and MESOS_TASK_ID
// when they are set ("/team/app" becomes "team_app").
//
// Thread-safety: start()/stop() from one thread; pushes on its own.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <mutex>
#include <condition_variable>

#include "engine/api/monitor.h"

namespace logpipe {

struct StatsdPushSettings {
  std::string host = "127.0.0.1";
  int port = 8125;
  std::string prefix;  // empty: default_statsd_prefix()
  int64_t interval_ms = 10000;
};

// "logpipe[.<marathon app>][.<mesos task>]" from the environment.
std::string default_statsd_prefix(const std::function<const char*(const char*)>& getenv_fn);

// The lines (each ending in '\n') of one push; `previous` holds the last
// pushed value of every counter and is updated. Pure but for `previous`.
std::string statsd_push_lines(const MonitorSnapshot& m, const std::string& prefix,
                              std::map<std::string, double>& previous);

class StatsdPush {
 public:
  StatsdPush(const Monitor& monitor, StatsdPushSettings settings);
  ~StatsdPush();
  void start();
  void stop();  // pushes one last time

  uint64_t datagrams_sent() const { return datagrams_sent_; }

 private:
  void push();
  const Monitor& monitor_;
  StatsdPushSettings settings_;
  std::map<std::string, double> previous_;
  int fd_ = -1;
  uint64_t datagrams_sent_ = 0;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace logpipe
