#include "inputs/syslog_input.h"

#include <cctype>
#include <optional>
#include <string>

#include "engine/system/log.h"

namespace logpipe {

namespace {

constexpr const char* kLogstashGrokPattern = "<%{POSINT:priority}>%{SYSLOGLINE}";

std::vector<std::string> labels_or(const Settings& s, const char* name,
                                   const std::vector<std::string>& fallback) {
  if (!s.has(name)) return fallback;
  std::vector<std::string> v = s.get_strings(name);
  return v;
}

// The plain codec with UTF-8 input only copies the bytes: done inline.
bool plain_passthrough(const Settings& s) {
  const CodecSpec* c = s.codec();
  if (!c) return true;
  if (c->name != "plain") return false;
  std::string charset = c->settings.get_string("charset", "UTF-8");
  return (charset == "UTF-8" || charset == "utf-8") &&
         c->settings.get_string("ecs_compatibility", "disabled") == "disabled";
}

bool english_locale(const std::string& locale) {
  if (locale.empty() || locale == "C" || locale == "POSIX" || locale == "root") return true;
  return locale.size() >= 2 && std::tolower(static_cast<unsigned char>(locale[0])) == 'e' &&
         std::tolower(static_cast<unsigned char>(locale[1])) == 'n' &&
         (locale.size() == 2 || locale[2] == '_' || locale[2] == '-');
}

TimeZoneRules zone_option(const std::string& name) {
  // "Z", RFC 3339's UTC designator, is no Joda zone id but syslog users write it.
  if (name == "Z") return TimeZoneRules();
  std::optional<TimeZoneRules> zone = TimeZoneRules::lookup(name);
  if (!zone)
    throw OptionError("timezone", "unknown time zone \"" + name +
                                      "\": expected an IANA name (\"Europe/Paris\"), an "
                                      "offset (\"+02:00\") or UTC");
  return *zone;
}

SyslogParserSettings parser_settings(const PluginArgs& args) {
  const Settings& s = args.settings;
  SyslogParserSettings p;
  p.use_labels = s.get_bool("use_labels", true);
  p.facility_labels = labels_or(s, "facility_labels", default_facility_labels());
  p.severity_labels = labels_or(s, "severity_labels", default_severity_labels());
  if (s.has("timezone")) p.zone = zone_option(s.get_string("timezone"));
  return p;
}

StreamServerSettings server_settings(const PluginArgs& args) {
  const Settings& s = args.settings;
  StreamServerSettings st;
  st.name = "syslog " + args.id;
  st.host = s.get_string("host", "127.0.0.1");
  int64_t port = s.get_int("port", 514);
  if (port < 0 || port > 65535) throw OptionError("port", "must be between 0 and 65535");
  st.port = static_cast<int>(port);
  int64_t max = s.get_int("max_message_size", 65536);
  if (max < 1 || max > (int64_t{1} << 30))
    throw OptionError("max_message_size", "must be between 1 and 1073741824 bytes");
  st.max_frame = st.max_datagram = static_cast<size_t>(max);
  st.framing = TcpFraming::Syslog;
  return st;
}

}  // namespace

SyslogInput::SyslogInput(const PluginArgs& args)
    : Input(args),
      parser_(parser_settings(args)),
      server_(server_settings(args), *this),
      syslog_field_(args.settings.get_string("syslog_field", "message")) {
  const Settings& s = args.settings;
  if (s.get_string("ecs_compatibility", "disabled") != "disabled")
    throw OptionError("ecs_compatibility", "only `disabled` (legacy field names) is supported");
  if (s.get_bool("proxy_protocol", false))
    throw OptionError("proxy_protocol", "the PROXY protocol is not supported; leave it false");
  if (s.has("locale") && !english_locale(s.get_string("locale")))
    throw OptionError("locale", "only English month names are supported (locale \"en\")");
  std::string grok = s.get_string("grok_pattern", kLogstashGrokPattern);
  if (grok != kLogstashGrokPattern && args.env.validating)
    log_warn("syslog {}: grok_pattern is ignored: logpipe parses RFC 3164 and RFC 5424 itself",
             id());
  if (!plain_passthrough(s) && args.make_codec) codec_ = args.make_codec();
}

SyslogInput::~SyslogInput() = default;

void SyslogInput::stop() { server_.stop(); }

void SyslogInput::run(InputContext& ctx) {
  ctx_ = &ctx;
  server_.open();
  bound_port_ = server_.tcp_port() ? server_.tcp_port() : server_.udp_port();
  log_info("syslog {}: listening on port {} (udp and tcp)", id(), bound_port_.load());
  server_.run(ctx.poll_interval_ms(), [&ctx] { return ctx.stopping(); });
  if (server_.udp_drops())
    log_warn("syslog {}: {} UDP datagrams were dropped by the kernel", id(), server_.udp_drops());
  ctx.flush();
  ctx_ = nullptr;
}

void SyslogInput::on_wake() { ctx_->tick(); }

void SyslogInput::on_datagram(std::string_view data, const Peer& peer, FrameFlags flags) {
  emit(data, peer, flags);
}

void SyslogInput::on_frame(std::string_view frame, const Peer& peer, FrameFlags flags) {
  emit(frame, peer, flags);
}

void SyslogInput::emit(std::string_view frame, const Peer& peer, FrameFlags flags) {
  const Timestamp received = Timestamp::now();
  auto finish = [&](Event& e) {
    e.set_top("host", Value(peer.host));
    if (flags.truncated) e.add_tag(kSyslogTruncatedTag);
    if (flags.incomplete) e.add_tag(kSyslogIncompleteTag);
    ctx_->push(std::move(e));
  };
  if (!codec_) {
    Event e = parser_.parse(frame, received);
    finish(e);
    return;
  }
  // Another codec (json ...): it makes the events, the parser reads syslog_field.
  const EventSink sink = [&](Event&& e) {
    const Value* v = e.get_top(syslog_field_);
    if (v && v->is_string()) {
      std::string text = v->as_string();
      parser_.parse_into(e, text, received);
    }
    finish(e);
  };
  codec_->decode(frame, sink);
  codec_->flush(sink);
}

PluginInfo syslog_input_info() {
  PluginInfo info;
  info.name = "syslog";
  info.kind = PluginKind::Input;
  info.description =
      "Receives RFC 3164 and RFC 5424 syslog messages over UDP and TCP (octet-counted or "
      "LF-framed) on one port.";
  info.default_codec = "plain";
  Array severity, facility;
  for (auto& l : default_severity_labels()) severity.emplace_back(l);
  for (auto& l : default_facility_labels()) facility.emplace_back(l);
  info.options = {
      option("host", OptionType::String, Value("127.0.0.1"),
             "Address to listen on (Logstash: 0.0.0.0; logpipe binds to loopback unless told)."),
      option("port", OptionType::Number, Value(514), "Port for both UDP and TCP."),
      option("timezone", OptionType::String,
             "Zone of timestamps written without one: an IANA name (\"Europe/Paris\"), \"+02:00\" "
             "or UTC (the default)."),
      option("locale", OptionType::String, "Month names: English only (\"en\")."),
      option("use_labels", OptionType::Boolean, Value(true),
             "Add facility_label and severity_label."),
      option("severity_labels", OptionType::Array, Value(std::move(severity)),
             "Names of severities 0 to 7."),
      option("facility_labels", OptionType::Array, Value(std::move(facility)),
             "Names of facilities 0 to 23."),
      option("proxy_protocol", OptionType::Boolean, Value(false),
             "PROXY protocol: not supported (false only)."),
      option("grok_pattern", OptionType::String, Value(kLogstashGrokPattern),
             "Accepted for compatibility: logpipe parses RFC 3164 and RFC 5424 itself."),
      option("syslog_field", OptionType::String, Value("message"),
             "Field holding the syslog text (matters only with a codec other than plain)."),
      option("ecs_compatibility", OptionType::String, Value("disabled"),
             "Field names: only `disabled` (legacy names) is supported.", {"disabled", "v1", "v8"}),
      option("max_message_size", OptionType::Number, Value(65536),
             "logpipe: longest message in bytes; longer ones are cut and tagged "
             "_message_truncated."),
  };
  info.make_input = [](const PluginArgs& args) -> std::unique_ptr<Input> {
    return std::make_unique<SyslogInput>(args);
  };
  return info;
}

}  // namespace logpipe
