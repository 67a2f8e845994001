#include "engine/api/prometheus_metrics.h"

#include <cmath>
#include <map>

#include "engine/text/json_writer.h"

namespace logpipe {

namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 9.0e15) return std::to_string(static_cast<int64_t>(v));
  return to_json(Value(v));  // shortest round-trip form
}

void append_label_value(const std::string& v, std::string& out) {
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
}

// A metric name made of a plugin's own name: [a-zA-Z0-9_] only.
std::string sanitized(const std::string& s) {
  std::string out;
  for (char c : s) out += (isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  return out;
}

class Exposition {
 public:
  // Samples of one family are written together, in the order families were
  // first declared.
  void family(const std::string& name, const char* type, const std::string& help) {
    if (index_.count(name)) return;
    index_[name] = families_.size();
    families_.push_back({name, type, help, ""});
  }
  void sample(const std::string& family_name, const std::string& name, const Labels& labels, double value) {
    std::string& out = families_[index_.at(family_name)].samples;
    out += name;
    if (!labels.empty()) {
      out += '{';
      for (size_t i = 0; i < labels.size(); ++i) {
        if (i) out += ',';
        out += labels[i].first;
        out += "=\"";
        append_label_value(labels[i].second, out);
        out += '"';
      }
      out += '}';
    }
    out += ' ';
    out += number(value);
    out += '\n';
  }
  void metric(const std::string& name, const char* type, const std::string& help, const Labels& labels,
              double value) {
    family(name, type, help);
    sample(name, name, labels, value);
  }
  // Buckets in seconds; counts from the log-linear histogram (within 3%).
  void histogram(const std::string& name, const std::string& help, const Labels& labels,
                 const LatencyHistogram& h) {
    static const double kBounds[] = {0.000001, 0.00001, 0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                     0.05,     0.1,     0.25,   0.5,    1,     2.5,    5,     10,   30};
    family(name, "histogram", help);
    for (double le : kBounds) {
      Labels l = labels;
      l.emplace_back("le", number(le));
      sample(name, name + "_bucket", l, double(h.count_at_most(static_cast<int64_t>(le * 1e9))));
    }
    Labels inf = labels;
    inf.emplace_back("le", "+Inf");
    sample(name, name + "_bucket", inf, double(h.count()));
    sample(name, name + "_sum", labels, h.approx_sum_nanos() / 1e9);
    sample(name, name + "_count", labels, double(h.count()));
  }

  std::string text() const {
    std::string out;
    for (const Family& f : families_) {
      if (f.samples.empty()) continue;
      out += "# HELP " + f.name + " " + f.help + "\n";
      out += "# TYPE " + f.name + " " + f.type + "\n";
      out += f.samples;
    }
    return out;
  }

 private:
  struct Family {
    std::string name, type, help, samples;
  };
  std::vector<Family> families_;
  std::map<std::string, size_t> index_;
};

}  // namespace

std::string prometheus_metrics(const MonitorSnapshot& m, const std::string& pipeline_id) {
  const PipelineStats& s = m.stats;
  Exposition x;
  Labels p{{"pipeline", pipeline_id}};
  auto with = [&](Labels extra) {
    Labels l = p;
    l.insert(l.end(), extra.begin(), extra.end());
    return l;
  };

  x.metric("logpipe_healthy", "gauge", "1 while running and delivering (what /health answers 200 for), else 0.", p,
           m.health.healthy ? 1 : 0);
  x.metric("logpipe_events_in_total", "counter", "Events accepted from the inputs.", p, double(s.events_in));
  x.metric("logpipe_events_filtered_total", "counter", "Events that left the filters (not dropped).", p,
           double(s.events_filtered));
  x.metric("logpipe_events_out_total", "counter", "Events delivered, summed over the outputs.", p,
           double(s.events_out));
  x.metric("logpipe_events_dead_lettered_total", "counter", "Events an output refused for good, kept in the dead letter queue.",
           p, double(s.dead_lettered));
  x.metric("logpipe_events_in_flight", "gauge", "Events accepted and not yet acknowledged to their input.", p,
           double(s.events_in >= s.events_done ? s.events_in - s.events_done : 0));
  const std::pair<const char*, double> rates[] = {
      {"in", m.rates.in_1s},   {"in", m.rates.in_1m},   {"in", m.rates.in_5m},
      {"out", m.rates.out_1s}, {"out", m.rates.out_1m}, {"out", m.rates.out_5m}};
  const char* windows[] = {"1s", "1m", "5m"};
  for (size_t i = 0; i < 6; ++i)
    x.metric("logpipe_events_per_second", "gauge", "Event rate over the last window, in or out of the pipeline.",
             with({{"direction", rates[i].first}, {"window", windows[i % 3]}}), rates[i].second);

  // Queues: the input queue, then each output's.
  const char* cap_help = "Batches the queue holds at most.";
  const char* depth_help = "Batches in the queue now.";
  const char* in_help = "Events put on the queue.";
  const char* out_help = "Events taken off the queue (for an output's: delivered, dead-lettered or dropped).";
  const char* blocked_help = "Time producers spent waiting for room in the queue.";
  Labels iq = with({{"queue", "input"}});
  x.metric("logpipe_queue_capacity_batches", "gauge", cap_help, iq, double(s.input_queue.capacity_batches));
  x.metric("logpipe_queue_depth_batches", "gauge", depth_help, iq, double(s.input_queue.depth_batches));
  x.metric("logpipe_queue_events_in_total", "counter", in_help, iq, double(s.input_queue.events_in));
  x.metric("logpipe_queue_events_out_total", "counter", out_help, iq, double(s.input_queue.events_out));
  x.metric("logpipe_queue_blocked_seconds_total", "counter", blocked_help, iq, s.input_queue.blocked_seconds);
  for (const OutputSummary& o : s.outputs) {
    if (!o.metered) continue;
    Labels oq = with({{"queue", "output"}, {"plugin_id", o.id}});
    x.metric("logpipe_queue_capacity_batches", "gauge", cap_help, oq, double(o.stats.queue_capacity));
    x.metric("logpipe_queue_depth_batches", "gauge", depth_help, oq, double(o.stats.queue_depth));
    x.metric("logpipe_queue_events_in_total", "counter", in_help, oq, double(o.stats.events_in));
    x.metric("logpipe_queue_events_out_total", "counter", out_help, oq,
             double(o.stats.delivered + o.stats.dead_lettered + o.stats.dropped));
    x.metric("logpipe_queue_blocked_seconds_total", "counter", blocked_help, oq, o.stats.queue_blocked_seconds);
  }

  // Plugins.
  const char* pin = "Events that reached the plugin.";
  const char* pout = "Events the plugin passed on (inputs: made; filters: kept or created; outputs: delivered).";
  for (const InputSummary& in : s.inputs) {
    if (!in.metered) continue;
    x.metric("logpipe_plugin_events_out_total", "counter", pout,
             with({{"plugin_id", in.id}, {"plugin", in.name}, {"kind", "input"}}), double(in.events_out));
  }
  for (const FilterSummary& f : s.filters) {
    if (!f.metered) continue;
    Labels l = with({{"plugin_id", f.id}, {"plugin", f.name}, {"kind", "filter"}});
    x.metric("logpipe_plugin_events_in_total", "counter", pin, l, double(f.events_in));
    x.metric("logpipe_plugin_events_out_total", "counter", pout, l, double(f.events_out));
    x.metric("logpipe_plugin_duration_seconds_total", "counter", "Time spent in the plugin, all workers together.", l,
             f.seconds);
  }
  for (const OutputSummary& o : s.outputs) {
    if (!o.metered) continue;
    Labels l = with({{"plugin_id", o.id}, {"plugin", o.name}, {"kind", "output"}});
    x.metric("logpipe_plugin_events_in_total", "counter", pin, l, double(o.stats.events_in));
    x.metric("logpipe_plugin_events_out_total", "counter", pout, l, double(o.stats.delivered));
    x.metric("logpipe_output_retries_total", "counter", "Event submissions after the first (retries).", l,
             double(o.stats.retried));
    x.metric("logpipe_output_dead_lettered_total", "counter", "Events the output refused for good, dead-lettered.", l,
             double(o.stats.dead_lettered));
    x.metric("logpipe_output_dropped_total", "counter", "Events refused for good with no dead letter queue.", l,
             double(o.stats.dropped));
    x.metric("logpipe_output_pending_events", "gauge", "Events queued, in flight or waiting to be retried.", l,
             double(o.stats.pending));
  }
  // The plugins' own figures.
  auto own = [&](const std::string& plugin, const std::string& id, const PluginMetrics& metrics) {
    for (const PluginMetric& pm : metrics) {
      std::string name = "logpipe_" + sanitized(plugin) + "_" + sanitized(pm.name);
      bool counter = pm.kind == PluginMetric::Kind::Counter;
      if (counter && (name.size() < 6 || name.compare(name.size() - 6, 6, "_total") != 0)) name += "_total";
      Labels l = with({{"plugin_id", id}});
      for (auto& label : pm.labels) l.emplace_back(sanitized(label.first), label.second);
      x.metric(name, counter ? "counter" : "gauge", pm.help, l, pm.value);
    }
  };
  for (const InputSummary& in : s.inputs)
    if (in.metered) own(in.name, in.id, in.own);
  for (const FilterSummary& f : s.filters)
    if (f.metered) own(f.name, f.id, f.own);
  for (const OutputSummary& o : s.outputs)
    if (o.metered) own(o.name, o.id, o.own);

  // Latencies.
  x.histogram("logpipe_latency_seconds", "Per event, from its input making it to its last output completing it.", p,
              s.latency);
  x.histogram("logpipe_queue_wait_seconds", "Per event, from its batch being sealed to a worker taking it.", p,
              s.queue_wait);
  for (const FilterSummary& f : s.filters)
    if (f.metered)
      x.histogram("logpipe_filter_time_per_event_seconds", "A filter's time per event (each batch's time over its events).",
                  with({{"plugin_id", f.id}, {"plugin", f.name}}), f.per_event);

  // The process.
  x.metric("logpipe_process_cpu_seconds_total", "counter", "User and system CPU time of the process.", {},
           m.process.cpu_seconds);
  x.metric("logpipe_process_resident_memory_bytes", "gauge", "Resident memory.", {}, double(m.process.resident_bytes));
  x.metric("logpipe_process_peak_resident_memory_bytes", "gauge", "Largest resident memory so far.", {},
           double(m.process.peak_resident_bytes));
  x.metric("logpipe_process_virtual_memory_bytes", "gauge", "Virtual memory.", {}, double(m.process.virtual_bytes));
  x.metric("logpipe_process_threads", "gauge", "Threads of the process.", {}, double(m.process.threads));
  x.metric("logpipe_process_open_fds", "gauge", "Open file descriptors.", {}, double(m.process.open_file_descriptors));
  x.metric("logpipe_process_max_fds", "gauge", "Limit of open file descriptors.", {},
           double(m.process.max_file_descriptors));
  x.metric("logpipe_uptime_seconds", "gauge", "Seconds since the process started monitoring.", {}, m.uptime_seconds);
  return x.text();
}

}  // namespace logpipe
