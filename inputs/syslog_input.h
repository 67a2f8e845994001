// syslog input: RFC 3164 and RFC 5424 messages over UDP and TCP on one port —
// Logstash's `syslog` input, with the same option names and legacy fields.
//
// One thread serves both sockets and every TCP connection (StreamServer,
// epoll). TCP frames are cut per RFC 6587, octet-counted or LF-terminated,
// decided frame by frame; a UDP datagram is one message. Each message goes
// through SyslogParser (fields: priority, facility, severity, facility_label,
// severity_label, timestamp, logsource, program, pid, message; RFC 5424 adds
// version, msgid, [sd][ID][PARAM]) and gets `host`, the sender's address.
//
// Differences from Logstash, on purpose:
// - host defaults to 127.0.0.1, not 0.0.0.0 (our endpoints bind to loopback
//   unless configured); say host => "0.0.0.0" to listen on every interface.
// - with the default grok_pattern, messages go through logpipe's own parser
//   (far faster than grok), and those that are not syslog get
//   `_syslogparsefailure` (Logstash: `_grokparsefailure_sysloginput`);
//   RFC 5424 is parsed too (Logstash's default pattern only knows RFC 3164).
//   Another grok_pattern is applied as Logstash does: grok over the whole
//   line (overwriting syslog_field, failures tagged
//   `_grokparsefailure_sysloginput`, priority 13), then the date filter over
//   `timestamp`, then facility and severity from the priority.
// - ecs_compatibility v1/v8: the ECS names Logstash 8 gives —
//   [log][syslog][priority], [log][syslog][facility][code/name],
//   [log][syslog][severity][code/name], [host][hostname], [process][name],
//   [process][pid] (a number), [host][ip] (the sender), [event][original],
//   [service][type] (service_type); `timestamp` is dropped once parsed.
//   RFC 5424 extras: [system][syslog][version], [event][code] (MSGID),
//   [system][syslog][structured_data].
// - timezone: IANA names from the system's tz database, fixed offsets, UTC
//   and its aliases (GMT, Z, Etc/UTC ...); zone-less times are UTC by default
//   (what Logstash does in a UTC container). Rules as the date filter's
//   (TimeZoneRules), except that a time in a DST gap is not refused but read
//   with the offset before the gap (Logstash tags `_dateparsefailure`).
//   locale: English month names only.
// - max_message_size (ours, default 65536): longer messages are cut and
//   tagged `_message_truncated`; a TCP peer that closes inside an
//   octet-counted frame gives what arrived, tagged `_syslogframeincomplete`.
//
// Delivery: syslog has no acknowledgements. Events that entered the pipeline
// are delivered; what the kernel holds in socket buffers, or what a sender
// sent before a crash of logpipe and was not read yet, can be lost. TCP
// backpressure: while the pipeline is full this input blocks and the TCP
// window pushes back on senders. UDP: the kernel drops datagrams when the
// socket buffer is full; the drops are counted and logged.
//
// Threads: run() on the input's thread, which alone parses (the parser's zone
// is one-thread state); stop() from any thread wakes it.
// Sockets are opened in run(), never in the constructor.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/plugin.h"
#include "inputs/syslog/stream_server.h"
#include "inputs/syslog/syslog_parser.h"

namespace logpipe {

PluginInfo syslog_input_info();

struct SyslogOptions;  // its declared options (syslog_input.cpp)

constexpr const char* kSyslogTruncatedTag = "_message_truncated";
constexpr const char* kSyslogIncompleteTag = "_syslogframeincomplete";

class SyslogInput : public Input, private StreamHandler {
 public:
  explicit SyslogInput(const PluginArgs& args);
  ~SyslogInput() override;

  void run(InputContext& ctx) override;
  void stop() override;
  void collect_metrics(PluginMetrics& out) const override { server_.collect_metrics(out); }

  // Ports actually bound (after run() started; tests use port 0).
  int bound_port() const { return bound_port_.load(); }

 private:
  SyslogInput(const PluginArgs& args, const SyslogOptions& o);
  void on_datagram(std::string_view data, const Peer& peer, FrameFlags flags) override;
  void on_frame(std::string_view frame, const Peer& peer, FrameFlags flags) override;
  void on_wake() override;
  void emit(std::string_view frame, const Peer& peer, FrameFlags flags);
  // Logstash's path for a custom grok_pattern: grok, date, priority, labels.
  void relay(Event& e);
  void set_priority(Event& e, int64_t priority) const;
  // The built-in parser's legacy names moved to their ECS places.
  void rename_to_ecs(Event& e, std::string_view frame) const;

  struct EcsFields;
  SyslogParser parser_;
  StreamServer server_;
  std::function<std::unique_ptr<Codec>()> make_codec_;
  std::unique_ptr<Codec> codec_;  // null: the plain codec's work is done inline
  std::string syslog_field_;
  bool ecs_ = false;
  std::string service_type_;
  std::unique_ptr<EcsFields> fields_;  // the names this mode uses
  std::unique_ptr<Filter> grok_, date_;  // with a custom grok_pattern only
  bool use_labels_ = true;
  std::vector<std::string> facility_labels_, severity_labels_;
  InputContext* ctx_ = nullptr;
  std::atomic<int> bound_port_{0};
};

}  // namespace logpipe
