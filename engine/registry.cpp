// The one place plugins are registered: a line per plugin.
#include "engine/codecs/codecs.h"
#include "filters/date_filter.h"
#include "filters/dissect_filter.h"
#include "filters/drop_filter.h"
#include "filters/grok/grok_filter.h"
#include "filters/json_filter.h"
#include "filters/kv_filter.h"
#include "filters/mutate/mutate_filter.h"
#include "inputs/beats/beats_input.h"
#include "inputs/dead_letter_queue_input.h"
#include "inputs/file/file_input.h"
#include "inputs/generator_input.h"
#include "inputs/heartbeat_input.h"
#include "inputs/kafka_input.h"
#include "inputs/stdin_input.h"
#include "inputs/syslog_input.h"
#include "inputs/tcp_input.h"
#include "inputs/udp_input.h"
#include "outputs/file_output.h"
#include "outputs/elasticsearch/elasticsearch_output.h"
#include "outputs/statsd_output.h"
#include "outputs/stdout_output.h"

namespace logpipe {

const std::vector<PluginInfo>& plugin_registry() {
  static const std::vector<PluginInfo> registry = [] {
    std::vector<PluginInfo> r;
    // inputs
    r.push_back(stdin_input_info());
    r.push_back(file_input_info());
    r.push_back(generator_input_info());
    r.push_back(kafka_input_info());
    r.push_back(syslog_input_info());
    r.push_back(tcp_input_info());
    r.push_back(udp_input_info());
    r.push_back(dead_letter_queue_input_info());
    r.push_back(beats_input_info());
    r.push_back(heartbeat_input_info());
    // filters
    r.push_back(grok_filter_info());
    r.push_back(mutate_filter_info());
    r.push_back(drop_filter_info());
    r.push_back(date_filter_info());
    r.push_back(dissect_filter_info());
    r.push_back(json_filter_info());
    r.push_back(kv_filter_info());
    // outputs
    r.push_back(stdout_output_info());
    r.push_back(file_output_info());
    r.push_back(statsd_output_info());
    r.push_back(elasticsearch_output_info());
    // codecs
    r.push_back(plain_codec_info());
    r.push_back(line_codec_info());
    r.push_back(json_codec_info());
    r.push_back(json_lines_codec_info());
    r.push_back(rubydebug_codec_info());
    return r;
  }();
  return registry;
}

}  // namespace logpipe
