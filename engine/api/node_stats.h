// The monitoring API's JSON, in the shape of Logstash's node API (GET /,
// /_node/stats and its events, pipelines, process and flow parts), so that
// dashboards and scripts pointed at Logstash keep working; plus a `latency`
// part of logpipe's own (percentiles of end-to-end latency, queue wait and
// each filter's time per event). Pure functions of a snapshot.
#pragma once

#include <string>

#include "engine/api/monitor.h"

namespace logpipe {

struct NodeInfo {
  std::string id;            // stable across restarts (kept under path.data)
  std::string ephemeral_id;  // new at each start
  std::string host;          // the machine's name
  std::string name;          // node.name, default the host
  std::string version;
  std::string http_address;  // host:port the API listens on
  std::string pipeline_id = "main";
};

// This node: its id is kept in <data_dir>/uuid (made at the first start, as
// Logstash does), the ephemeral id is new each time.
NodeInfo make_node_info(const std::string& data_dir, const std::string& version);

// GET /: who this is and whether it is healthy.
std::string node_info_json(const NodeInfo& node, const MonitorSnapshot& m);

// GET /_node/stats[/part]; part is "", "events", "flow", "pipelines",
// "process" or "latency". Empty string for an unknown part.
std::string node_stats_json(const NodeInfo& node, const MonitorSnapshot& m, const std::string& part);

}  // namespace logpipe
