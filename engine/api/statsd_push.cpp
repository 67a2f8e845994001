#include "engine/api/statsd_push.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>

#include "engine/metrics/statsd_datagrams.h"
#include "engine/system/log.h"
#include "engine/text/json_writer.h"

namespace logpipe {

namespace {

std::string name_part(const std::string& s) {
  std::string out;
  for (char c : s) out += (isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') ? c : '_';
  while (!out.empty() && out.front() == '_') out.erase(0, 1);
  return out.empty() ? "_" : out;
}

// Whole numbers as they are, others with up to `decimals` places.
std::string number(double v, int decimals = 3) {
  if (!std::isfinite(v)) return "0";
  if (v == std::floor(v) && std::fabs(v) < 9.0e15) return std::to_string(static_cast<int64_t>(v));
  char buf[48];
  snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

class Lines {
 public:
  Lines(const std::string& prefix, std::map<std::string, double>& previous) : prefix_(prefix), previous_(previous) {}
  // A counter: the increase since the last push (a restart of the figure
  // counts from zero).
  void counter(const std::string& name, double total) {
    auto [it, fresh] = previous_.try_emplace(name, 0);
    double delta = total >= it->second ? total - it->second : total;
    it->second = total;
    (void)fresh;
    line(name, number(delta), "c");
  }
  void gauge(const std::string& name, double v) { line(name, number(v), "g"); }
  void timer_ns(const std::string& name, int64_t nanos) { line(name, number(double(nanos) / 1e6, 6), "ms"); }
  std::string text;

 private:
  void line(const std::string& name, const std::string& value, const char* type) {
    text += prefix_;
    text += '.';
    text += name;
    text += ':';
    text += value;
    text += '|';
    text += type;
    text += '\n';
  }
  const std::string& prefix_;
  std::map<std::string, double>& previous_;
};

}  // namespace

std::string default_statsd_prefix(const std::function<const char*(const char*)>& getenv_fn) {
  std::string prefix = "logpipe";
  for (const char* var : {"MARATHON_APP_ID", "MESOS_TASK_ID"}) {
    const char* v = getenv_fn(var);
    if (v && *v) prefix += "." + name_part(v);
  }
  return prefix;
}

std::string statsd_push_lines(const MonitorSnapshot& m, const std::string& prefix,
                              std::map<std::string, double>& previous) {
  const PipelineStats& s = m.stats;
  Lines l(prefix, previous);
  l.counter("events.in", double(s.events_in));
  l.counter("events.filtered", double(s.events_filtered));
  l.counter("events.out", double(s.events_out));
  l.counter("events.dead_lettered", double(s.dead_lettered));
  l.gauge("events.in_flight", double(s.events_in >= s.events_done ? s.events_in - s.events_done : 0));
  l.gauge("events.per_second.in", m.rates.in_1s);
  l.gauge("events.per_second.out", m.rates.out_1s);
  l.gauge("queue.input.depth", double(s.input_queue.depth_batches));
  l.gauge("queue.input.capacity", double(s.input_queue.capacity_batches));
  for (const InputSummary& in : s.inputs) {
    if (!in.metered) continue;
    std::string base = "plugin." + name_part(in.id);
    l.counter(base + ".events_out", double(in.events_out));
    for (const PluginMetric& pm : in.own) {
      std::string name = base + "." + name_part(pm.name);
      for (auto& [k, v] : pm.labels) name += "." + name_part(v);
      if (pm.kind == PluginMetric::Kind::Counter)
        l.counter(name, pm.value);
      else
        l.gauge(name, pm.value);
    }
  }
  for (const FilterSummary& f : s.filters) {
    if (!f.metered) continue;
    std::string base = "plugin." + name_part(f.id);
    l.counter(base + ".events_in", double(f.events_in));
    l.counter(base + ".events_out", double(f.events_out));
    l.timer_ns(base + ".time_per_event.p99", f.per_event.percentile(0.99));
    for (const PluginMetric& pm : f.own) {
      if (!pm.labels.empty()) continue;  // per-pattern figures: in the API only (their names would be patterns)
      if (pm.kind == PluginMetric::Kind::Counter)
        l.counter(base + "." + name_part(pm.name), pm.value);
      else
        l.gauge(base + "." + name_part(pm.name), pm.value);
    }
  }
  for (const OutputSummary& o : s.outputs) {
    if (!o.metered) continue;
    std::string base = "plugin." + name_part(o.id);
    l.counter(base + ".events_in", double(o.stats.events_in));
    l.counter(base + ".events_out", double(o.stats.delivered));
    l.counter(base + ".retries", double(o.stats.retried));
    l.counter(base + ".dead_lettered", double(o.stats.dead_lettered));
    l.gauge(base + ".pending", double(o.stats.pending));
    l.gauge(base + ".queue.depth", double(o.stats.queue_depth));
    l.gauge(base + ".queue.capacity", double(o.stats.queue_capacity));
    for (const PluginMetric& pm : o.own) {
      std::string name = base + "." + name_part(pm.name);
      for (auto& [k, v] : pm.labels) name += "." + name_part(v);
      if (pm.kind == PluginMetric::Kind::Counter)
        l.counter(name, pm.value);
      else
        l.gauge(name, pm.value);
    }
  }
  l.timer_ns("latency.p50", s.latency.percentile(0.5));
  l.timer_ns("latency.p90", s.latency.percentile(0.9));
  l.timer_ns("latency.p99", s.latency.percentile(0.99));
  l.timer_ns("latency.max", s.latency.max());
  l.timer_ns("queue_wait.p99", s.queue_wait.percentile(0.99));
  l.gauge("process.rss_bytes", double(m.process.resident_bytes));
  l.gauge("process.cpu_seconds", m.process.cpu_seconds);
  l.gauge("process.threads", double(m.process.threads));
  l.gauge("healthy", m.health.healthy ? 1 : 0);
  return l.text;
}

StatsdPush::StatsdPush(const Monitor& monitor, StatsdPushSettings settings)
    : monitor_(monitor), settings_(std::move(settings)) {
  if (settings_.prefix.empty()) settings_.prefix = default_statsd_prefix([](const char* v) { return getenv(v); });
}

StatsdPush::~StatsdPush() {
  stop();
  if (fd_ >= 0) ::close(fd_);
}

void StatsdPush::start() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* res = nullptr;
  std::string port = std::to_string(settings_.port);
  int rc = ::getaddrinfo(settings_.host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0 || !res) throw std::runtime_error("metrics.statsd.host " + settings_.host + ": " + gai_strerror(rc));
  fd_ = ::socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  bool ok = fd_ >= 0 && ::connect(fd_, res->ai_addr, res->ai_addrlen) == 0;
  ::freeaddrinfo(res);
  if (!ok) throw std::runtime_error("metrics.statsd: cannot reach " + settings_.host + ":" + port + ": " + strerror(errno));
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      wake_.wait_for(lock, std::chrono::milliseconds(settings_.interval_ms));
      if (stopping_) break;
      lock.unlock();
      push();
      lock.lock();
    }
  });
}

void StatsdPush::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  push();
}

void StatsdPush::push() {
  std::string lines = statsd_push_lines(monitor_.snapshot(), settings_.prefix, previous_);
  for (std::string_view datagram : statsd_datagrams(lines)) {
    // A statsd that is down costs these figures, never the pipeline.
    if (::send(fd_, datagram.data(), datagram.size(), MSG_DONTWAIT | MSG_NOSIGNAL) == static_cast<ssize_t>(datagram.size()))
      ++datagrams_sent_;
  }
}

}  // namespace logpipe
