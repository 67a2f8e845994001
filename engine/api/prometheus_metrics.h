// GET /metrics: every figure of a MonitorSnapshot in Prometheus's text
// exposition format 0.0.4 (HELP and TYPE lines, labels pipeline, plugin_id,
// queue; latencies as Prometheus histograms in seconds). Pure.
#pragma once

#include <string>

#include "engine/api/monitor.h"

namespace logpipe {

std::string prometheus_metrics(const MonitorSnapshot& m, const std::string& pipeline_id);

}  // namespace logpipe
