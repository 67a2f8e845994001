#include "engine/api/node_stats.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "engine/text/json_writer.h"

namespace logpipe {

namespace {

int64_t millis(double seconds) { return static_cast<int64_t>(seconds * 1000 + 0.5); }

Value ms(int64_t nanos) { return Value(double(nanos) / 1e6); }

Object percentiles(const LatencyHistogram& h) {
  Object o;
  o.set("count", Value(h.count()));
  o.set("p50_ms", ms(h.percentile(0.50)));
  o.set("p90_ms", ms(h.percentile(0.90)));
  o.set("p99_ms", ms(h.percentile(0.99)));
  o.set("p999_ms", ms(h.percentile(0.999)));
  o.set("max_ms", ms(h.max()));
  return o;
}

Object events_json(const PipelineStats& s) {
  Object e;
  e.set("in", Value(s.events_in));
  e.set("filtered", Value(s.events_filtered));
  e.set("out", Value(s.events_out));
  double filter_seconds = 0;
  for (auto& f : s.filters) filter_seconds += f.seconds;
  e.set("duration_in_millis", Value(millis(filter_seconds)));
  e.set("queue_push_duration_in_millis", Value(millis(s.input_queue.blocked_seconds)));
  // logpipe's own: what is between an input and its acknowledgement.
  e.set("in_flight", Value(s.events_in >= s.events_done ? s.events_in - s.events_done : 0));
  e.set("dead_lettered", Value(s.dead_lettered));
  return e;
}

Object flow_metric(double current, double lifetime) {
  Object o;
  o.set("current", Value(current));
  o.set("lifetime", Value(lifetime));
  return o;
}

Object flow_json(const MonitorSnapshot& m) {
  Object f;
  f.set("input_throughput", Value(flow_metric(m.rates.in_1s, m.rates.in_lifetime)));
  f.set("output_throughput", Value(flow_metric(m.rates.out_1s, m.rates.out_lifetime)));
  Object rates;
  rates.set("in_1s", Value(m.rates.in_1s));
  rates.set("in_1m", Value(m.rates.in_1m));
  rates.set("in_5m", Value(m.rates.in_5m));
  rates.set("out_1s", Value(m.rates.out_1s));
  rates.set("out_1m", Value(m.rates.out_1m));
  rates.set("out_5m", Value(m.rates.out_5m));
  f.set("events_per_second", Value(std::move(rates)));
  return f;
}

Array own_metrics(const PluginMetrics& own) {
  Array a;
  for (const PluginMetric& pm : own) {
    Object o;
    o.set("name", Value(pm.name));
    for (auto& [k, v] : pm.labels) o.set(k, Value(v));
    o.set("value", Value(pm.value));
    a.push_back(Value(std::move(o)));
  }
  return a;
}

Object queue_json(const InputQueueStats& q) {
  Object o;
  o.set("type", Value("memory"));
  o.set("events_count", Value(q.events_in >= q.events_out ? q.events_in - q.events_out : 0));
  o.set("capacity_batches", Value(static_cast<uint64_t>(q.capacity_batches)));
  o.set("depth_batches", Value(static_cast<uint64_t>(q.depth_batches)));
  o.set("events_in", Value(q.events_in));
  o.set("events_out", Value(q.events_out));
  o.set("blocked_in_millis", Value(millis(q.blocked_seconds)));
  return o;
}

Object plugins_json(const PipelineStats& s) {
  Array inputs, filters, outputs;
  for (const InputSummary& in : s.inputs) {
    Object o;
    o.set("id", Value(in.id));
    o.set("name", Value(in.name));
    if (in.metered) {
      Object ev;
      ev.set("out", Value(in.events_out));
      o.set("events", Value(std::move(ev)));
      if (!in.own.empty()) o.set("metrics", Value(own_metrics(in.own)));
    }
    inputs.push_back(Value(std::move(o)));
  }
  for (const FilterSummary& f : s.filters) {
    Object o;
    o.set("id", Value(f.id));
    o.set("name", Value(f.name));
    if (f.metered) {
      Object ev;
      ev.set("in", Value(f.events_in));
      ev.set("out", Value(f.events_out));
      ev.set("duration_in_millis", Value(millis(f.seconds)));
      o.set("events", Value(std::move(ev)));
      o.set("time_per_event", Value(percentiles(f.per_event)));
      if (!f.own.empty()) o.set("metrics", Value(own_metrics(f.own)));
    }
    filters.push_back(Value(std::move(o)));
  }
  for (const OutputSummary& out : s.outputs) {
    Object o;
    o.set("id", Value(out.id));
    o.set("name", Value(out.name));
    if (out.metered) {
      const OutputStats& st = out.stats;
      Object ev;
      ev.set("in", Value(st.events_in));
      ev.set("out", Value(st.delivered));
      o.set("events", Value(std::move(ev)));
      Object q;
      q.set("capacity", Value(static_cast<uint64_t>(st.queue_capacity)));
      q.set("depth", Value(static_cast<uint64_t>(st.queue_depth)));
      q.set("blocked_in_millis", Value(millis(st.queue_blocked_seconds)));
      o.set("queue", Value(std::move(q)));
      o.set("retried", Value(st.retried));
      o.set("dead_lettered", Value(st.dead_lettered));
      o.set("dropped", Value(st.dropped));
      o.set("pending", Value(st.pending));
      if (!out.own.empty()) o.set("metrics", Value(own_metrics(out.own)));
    }
    outputs.push_back(Value(std::move(o)));
  }
  Object p;
  p.set("inputs", Value(std::move(inputs)));
  p.set("codecs", Value(Array()));
  p.set("filters", Value(std::move(filters)));
  p.set("outputs", Value(std::move(outputs)));
  return p;
}

Object latency_json(const PipelineStats& s) {
  Object l;
  l.set("end_to_end", Value(percentiles(s.latency)));
  l.set("queue_wait", Value(percentiles(s.queue_wait)));
  return l;
}

Object process_json(const MonitorSnapshot& m) {
  const ProcessStats& p = m.process;
  Object o;
  o.set("open_file_descriptors", Value(static_cast<int64_t>(p.open_file_descriptors)));
  o.set("max_file_descriptors", Value(p.max_file_descriptors));
  Object mem;
  mem.set("total_virtual_in_bytes", Value(p.virtual_bytes));
  mem.set("resident_in_bytes", Value(p.resident_bytes));
  mem.set("peak_resident_in_bytes", Value(p.peak_resident_bytes));
  o.set("mem", Value(std::move(mem)));
  Object cpu;
  cpu.set("total_in_millis", Value(millis(p.cpu_seconds)));
  Object load;
  load.set("1m", Value(p.load_average[0]));
  load.set("5m", Value(p.load_average[1]));
  load.set("15m", Value(p.load_average[2]));
  cpu.set("load_average", Value(std::move(load)));
  o.set("cpu", Value(std::move(cpu)));
  o.set("threads", Value(static_cast<int64_t>(p.threads)));
  o.set("uptime_in_millis", Value(millis(m.uptime_seconds)));
  return o;
}

Object node_header(const NodeInfo& node, const MonitorSnapshot& m) {
  Object o;
  o.set("host", Value(node.host));
  o.set("version", Value(node.version));
  o.set("http_address", Value(node.http_address));
  o.set("id", Value(node.id));
  o.set("name", Value(node.name));
  o.set("ephemeral_id", Value(node.ephemeral_id));
  o.set("status", Value(m.health.healthy ? "green" : "red"));
  o.set("snapshot", Value(false));
  Object pipeline;
  pipeline.set("workers", Value(static_cast<int64_t>(m.stats.workers)));
  pipeline.set("batch_size", Value(static_cast<int64_t>(m.stats.batch_size)));
  pipeline.set("batch_delay", Value(static_cast<int64_t>(m.stats.batch_delay_ms)));
  o.set("pipeline", Value(std::move(pipeline)));
  return o;
}

Object pipelines_json(const NodeInfo& node, const MonitorSnapshot& m) {
  Object p;
  p.set("events", Value(events_json(m.stats)));
  p.set("flow", Value(flow_json(m)));
  p.set("plugins", Value(plugins_json(m.stats)));
  p.set("queue", Value(queue_json(m.stats.input_queue)));
  p.set("latency", Value(latency_json(m.stats)));
  Object reloads;
  reloads.set("successes", Value(0));
  reloads.set("failures", Value(0));
  p.set("reloads", Value(std::move(reloads)));
  Object all;
  all.set(node.pipeline_id, Value(std::move(p)));
  return all;
}

}  // namespace

namespace {

std::string random_uuid() {
  unsigned char b[16] = {};
  if (FILE* f = fopen("/dev/urandom", "rb")) {
    if (fread(b, 1, sizeof b, f) != sizeof b) b[0] ^= 1;
    fclose(f);
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // variant 1
  char out[37];
  snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
           b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return out;
}

}  // namespace

NodeInfo make_node_info(const std::string& data_dir, const std::string& version) {
  NodeInfo n;
  n.version = version;
  n.ephemeral_id = random_uuid();
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) n.host = host;
  n.name = n.host;
  std::string path = data_dir + "/uuid";
  std::ifstream in(path);
  if (!(in >> n.id) || n.id.size() != 36) {
    n.id = random_uuid();
    std::ofstream out(path);
    out << n.id;  // when data_dir is not writable the id is simply new each time
  }
  return n;
}

std::string node_info_json(const NodeInfo& node, const MonitorSnapshot& m) {
  Object o = node_header(node, m);
  Array reasons;
  for (auto& r : m.health.reasons) reasons.push_back(Value(r));
  o.set("health", Value(std::move(reasons)));
  return to_json(Value(std::move(o)));
}

std::string node_stats_json(const NodeInfo& node, const MonitorSnapshot& m, const std::string& part) {
  Object o = node_header(node, m);
  bool all = part.empty();
  bool known = false;
  if (all || part == "events") {
    o.set("events", Value(events_json(m.stats)));
    known = true;
  }
  if (all || part == "flow") {
    o.set("flow", Value(flow_json(m)));
    known = true;
  }
  if (all || part == "pipelines") {
    o.set("pipelines", Value(pipelines_json(node, m)));
    known = true;
  }
  if (all || part == "process") {
    o.set("process", Value(process_json(m)));
    known = true;
  }
  if (all || part == "latency") {
    o.set("latency", Value(latency_json(m.stats)));
    known = true;
  }
  if (all) {
    Object reloads;
    reloads.set("successes", Value(0));
    reloads.set("failures", Value(0));
    o.set("reloads", Value(std::move(reloads)));
  }
  return known ? to_json(Value(std::move(o))) : "";
}

}  // namespace logpipe
