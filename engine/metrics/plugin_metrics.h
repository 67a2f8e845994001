// PluginMetric: a figure a plugin reports about itself beyond the counts the
// runtime keeps for every plugin (Kafka partition lag, Elasticsearch bulk
// requests by status). The monitoring API shows them under the plugin, with
// the plugin's id; Prometheus gets them as logpipe_<plugin>_<name>.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace logpipe {

struct PluginMetric {
  enum class Kind { Counter, Gauge };
  std::string name;  // snake_case, e.g. "consumer_lag"
  std::string help;
  Kind kind = Kind::Gauge;
  std::vector<std::pair<std::string, std::string>> labels;  // e.g. {"topic", "logs"}
  double value = 0;
};

using PluginMetrics = std::vector<PluginMetric>;

}  // namespace logpipe
