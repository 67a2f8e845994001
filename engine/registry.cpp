// The one place plugins are registered: a line per plugin.
#include "engine/codecs/codecs.h"
#include "filters/age_filter.h"
#include "filters/cidr_filter.h"
#include "filters/csv_filter.h"
#include "filters/date_filter.h"
#include "filters/dissect_filter.h"
#include "filters/drop_filter.h"
#include "filters/fingerprint_filter.h"
#include "filters/geoip_filter.h"
#include "filters/grok/grok_filter.h"
#include "filters/json_filter.h"
#include "filters/kv_filter.h"
#include "filters/mutate/mutate_filter.h"
#include "filters/prune_filter.h"
#include "filters/split_filter.h"
#include "filters/clone_filter.h"
#include "filters/syslog_pri_filter.h"
#include "filters/translate_filter.h"
#include "filters/useragent/useragent_filter.h"
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
#include "outputs/elasticsearch/elasticsearch_output.h"
#include "outputs/file_output.h"
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
    r.push_back(translate_filter_info());
    r.push_back(split_filter_info());
    r.push_back(clone_filter_info());
    r.push_back(csv_filter_info());
    r.push_back(cidr_filter_info());
    r.push_back(fingerprint_filter_info());
    r.push_back(syslog_pri_filter_info());
    r.push_back(prune_filter_info());
    r.push_back(age_filter_info());
    r.push_back(geoip_filter_info());
    r.push_back(useragent_filter_info());
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
    r.push_back(dots_codec_info());
    r.push_back(multiline_codec_info());
    r.push_back(cef_codec_info());
    return r;
  }();
  return registry;
}

const std::vector<RefusedPlugin>& refused_plugins() {
  static const std::vector<RefusedPlugin> refused = {
      {PluginKind::Filter, "ruby",
       "it runs Ruby code inside Logstash's JRuby, and logpipe embeds no Ruby interpreter; "
       "express the logic with mutate, dissect, grok, kv or conditionals"},
      {PluginKind::Input, "twitter",
       "it reads Twitter's (X's) public API over the internet, which is no log source a "
       "pipeline here can reach or test"},
      {PluginKind::Input, "jdbc",
       "it loads Java JDBC drivers into the JVM; logpipe runs no JVM"},
      {PluginKind::Filter, "jdbc_streaming",
       "it loads Java JDBC drivers into the JVM; logpipe runs no JVM"},
      {PluginKind::Filter, "jdbc_static",
       "it loads Java JDBC drivers into the JVM; logpipe runs no JVM"},
      {PluginKind::Input, "jms", "it needs a Java JMS client library; logpipe runs no JVM"},
      {PluginKind::Output, "jms", "it needs a Java JMS client library; logpipe runs no JVM"},
      {PluginKind::Filter, "java_uuid",
       "it is a sample of Logstash's Java plugin API; use fingerprint with method => UUID"},
  };
  return refused;
}

}  // namespace logpipe
