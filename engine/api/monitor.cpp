#include "engine/api/monitor.h"

#include <chrono>

#include "engine/runtime/steady_clock.h"

namespace logpipe {

namespace {
constexpr int64_t kSecond = 1000000000;
}

Monitor::Monitor(std::function<PipelineStats()> read_stats, MonitorSettings settings)
    : read_stats_(std::move(read_stats)), settings_(settings), started_ns_(steady_ns()) {}

Monitor::~Monitor() { stop(); }

void Monitor::start() {
  sample();
  thread_ = std::thread([this] { run(); });
}

void Monitor::stop() {
  {
    std::lock_guard<std::mutex> lock(wake_mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Monitor::run() {
  std::unique_lock<std::mutex> lock(wake_mu_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::milliseconds(settings_.sample_interval_ms));
    if (stopping_) break;
    lock.unlock();
    sample();
    lock.lock();
  }
}

void Monitor::sample() {
  PipelineStats s = read_stats_();
  int64_t now = steady_ns();
  std::lock_guard<std::mutex> lock(mu_);
  samples_.push_back({now, s.events_in, s.events_out});
  while (samples_.size() > 2 && samples_.front().ns < now - 301 * kSecond) samples_.pop_front();
  for (const OutputSummary& o : s.outputs) {
    auto [it, fresh] = outputs_.try_emplace(o.id);
    OutputProgress& p = it->second;
    // Progress: something delivered, dead-lettered or dropped since the last
    // sample, or nothing left to do.
    uint64_t done = o.stats.delivered + o.stats.dead_lettered + o.stats.dropped;
    if (fresh || done != p.delivered || o.stats.pending == 0) p.last_progress_ns = now;
    p.delivered = done;
    p.pending = o.stats.pending;
  }
  health_ = judge(s, now);
  sampled_ = true;
}

Health Monitor::judge(const PipelineStats& s, int64_t now) const {
  Health h;
  for (const std::string& id : s.failed_inputs) h.reasons.push_back("input " + id + " failed");
  for (const OutputSummary& o : s.outputs) {
    auto it = outputs_.find(o.id);
    if (it == outputs_.end() || it->second.pending == 0) continue;
    int64_t stalled = now - it->second.last_progress_ns;
    if (stalled >= settings_.output_stall_ms * 1000000)
      h.reasons.push_back("output " + o.id + " delivered nothing for " + std::to_string(stalled / kSecond) +
                          " s with " + std::to_string(it->second.pending) + " event(s) waiting");
  }
  if (!s.running) h.reasons.push_back("the pipeline is not running");
  h.healthy = h.reasons.empty();
  return h;
}

EventRates Monitor::rates(int64_t now) const {
  EventRates r;
  if (samples_.empty()) return r;
  const Sample& last = samples_.back();
  auto over = [&](int64_t window_ns, double* in, double* out) {
    // The oldest sample within the window (at least one step back).
    const Sample* from = nullptr;
    for (auto it = samples_.rbegin() + 1; it < samples_.rend(); ++it) {
      if (last.ns - it->ns > window_ns + kSecond / 2) break;
      from = &*it;
    }
    if (!from || last.ns == from->ns) return;
    double secs = double(last.ns - from->ns) / 1e9;
    *in = double(last.in - from->in) / secs;
    *out = double(last.out - from->out) / secs;
  };
  over(kSecond, &r.in_1s, &r.out_1s);
  over(60 * kSecond, &r.in_1m, &r.out_1m);
  over(300 * kSecond, &r.in_5m, &r.out_5m);
  double lifetime = double(now - started_ns_) / 1e9;
  if (lifetime > 0) {
    r.in_lifetime = double(last.in) / lifetime;
    r.out_lifetime = double(last.out) / lifetime;
  }
  return r;
}

MonitorSnapshot Monitor::snapshot() const {
  MonitorSnapshot m;
  m.stats = read_stats_();
  m.process = read_process_stats();
  int64_t now = steady_ns();
  m.uptime_seconds = double(now - started_ns_) / 1e9;
  std::lock_guard<std::mutex> lock(mu_);
  m.rates = rates(now);
  // Health of the latest sample, but an input failure or a stop counts at once.
  m.health = sampled_ ? health_ : Health{false, {"not sampled yet"}};
  if (m.health.healthy && (!m.stats.failed_inputs.empty() || !m.stats.running)) m.health = judge(m.stats, now);
  return m;
}

}  // namespace logpipe

namespace logpipe {

std::string summary_line(const MonitorSnapshot& m) {
  const PipelineStats& s = m.stats;
  char buf[256];
  snprintf(buf, sizeof buf, "events/s in %.0f out %.0f (1 min: %.0f / %.0f); input queue %zu/%zu batches",
           m.rates.in_1s, m.rates.out_1s, m.rates.in_1m, m.rates.out_1m, s.input_queue.depth_batches,
           s.input_queue.capacity_batches);
  std::string line = buf;
  for (const OutputSummary& o : s.outputs) {
    snprintf(buf, sizeof buf, ", %s %zu/%zu", o.id.c_str(), o.stats.queue_depth, o.stats.queue_capacity);
    line += buf;
  }
  snprintf(buf, sizeof buf, "; latency p99 %.1f ms", double(s.latency.percentile(0.99)) / 1e6);
  line += buf;
  double lag = 0;
  bool has_lag = false;
  for (const InputSummary& in : s.inputs)
    for (const PluginMetric& pm : in.own)
      if (pm.name == "consumer_lag" && pm.value >= 0) {
        lag += pm.value;
        has_lag = true;
      }
  if (has_lag) {
    snprintf(buf, sizeof buf, "; kafka lag %.0f", lag);
    line += buf;
  }
  if (!m.health.healthy && !m.health.reasons.empty()) line += "; unhealthy: " + m.health.reasons[0];
  return line;
}

}  // namespace logpipe
