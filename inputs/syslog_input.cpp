#include "inputs/syslog_input.h"

#include <cctype>
#include <optional>
#include <string>

#include "engine/config/typed_options.h"
#include "engine/system/log.h"

namespace logpipe {

namespace {

constexpr const char* kLogstashGrokPattern = "<%{POSINT:priority}>%{SYSLOGLINE}";

Value labels_value(const std::vector<std::string>& labels) {
  Array a;
  for (auto& l : labels) a.emplace_back(l);
  return Value(std::move(a));
}

}  // namespace

struct SyslogOptions {
  std::string host;
  int port = 0;
  std::optional<std::string> timezone;
  std::optional<std::string> locale;
  bool use_labels = false;
  std::vector<std::string> severity_labels;
  std::vector<std::string> facility_labels;
  bool proxy_protocol = false;
  std::string grok_pattern;
  std::string syslog_field;
  std::string ecs_compatibility;
  int64_t max_message_size = 0;
};

namespace {

const OptionSchema<SyslogOptions>& syslog_schema() {
  static const OptionSchema<SyslogOptions> schema = [] {
    OptionSchema<SyslogOptions> s;
    s.string("host", &SyslogOptions::host,
             "Address to listen on (Logstash: 0.0.0.0; logpipe binds to loopback unless told).")
        .fallback("127.0.0.1");
    s.integer("port", &SyslogOptions::port, "Port for both UDP and TCP.")
        .fallback(514)
        .range(0, 65535);
    s.string("timezone", &SyslogOptions::timezone,
             "Zone of timestamps written without one: an IANA name (\"Europe/Paris\"), \"+02:00\" "
             "or UTC (the default).");
    s.string("locale", &SyslogOptions::locale, "Month names: English only (\"en\").");
    s.boolean("use_labels", &SyslogOptions::use_labels, "Add facility_label and severity_label.")
        .fallback(true);
    s.strings("severity_labels", &SyslogOptions::severity_labels, "Names of severities 0 to 7.")
        .fallback(labels_value(default_severity_labels()));
    s.strings("facility_labels", &SyslogOptions::facility_labels, "Names of facilities 0 to 23.")
        .fallback(labels_value(default_facility_labels()));
    s.boolean("proxy_protocol", &SyslogOptions::proxy_protocol,
              "PROXY protocol: not supported (false only).")
        .fallback(false);
    s.string("grok_pattern", &SyslogOptions::grok_pattern,
             "Accepted for compatibility: logpipe parses RFC 3164 and RFC 5424 itself.")
        .fallback(kLogstashGrokPattern);
    s.string("syslog_field", &SyslogOptions::syslog_field,
             "Field holding the syslog text (matters only with a codec other than plain).")
        .fallback("message");
    s.string("ecs_compatibility", &SyslogOptions::ecs_compatibility,
             "Field names: only `disabled` (legacy names) is supported.")
        .fallback("disabled")
        .one_of({"disabled", "v1", "v8"});
    s.integer("max_message_size", &SyslogOptions::max_message_size,
              "logpipe: longest message in bytes; longer ones are cut and tagged "
              "_message_truncated.")
        .fallback(65536)
        .range(1, 1073741824);
    return s;
  }();
  return schema;
}

// A codec option's text, when the codec's settings hold it.
std::optional<std::string> codec_text(const CodecSpec& c, const char* name) {
  const Value* v = c.settings.get(name);
  if (!v || v->is_null()) return std::nullopt;
  return option_value::to_string(*v);
}

// The plain codec with UTF-8 input only copies the bytes: done inline.
bool plain_passthrough(const Settings& s) {
  const CodecSpec* c = s.codec();
  if (!c) return true;
  if (c->name != "plain") return false;
  std::optional<std::string> charset = codec_text(*c, "charset");
  std::optional<std::string> ecs = codec_text(*c, "ecs_compatibility");
  return (!charset || *charset == "UTF-8" || *charset == "utf-8") && (!ecs || *ecs == "disabled");
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

SyslogParserSettings parser_settings(const SyslogOptions& o) {
  SyslogParserSettings p;
  p.use_labels = o.use_labels;
  p.facility_labels = o.facility_labels;
  p.severity_labels = o.severity_labels;
  if (o.timezone) p.zone = zone_option(*o.timezone);
  return p;
}

StreamServerSettings server_settings(const PluginArgs& args, const SyslogOptions& o) {
  StreamServerSettings st;
  st.name = "syslog " + args.id;
  st.host = o.host;
  st.port = o.port;
  st.max_frame = st.max_datagram = static_cast<size_t>(o.max_message_size);
  st.framing = TcpFraming::Syslog;
  return st;
}

// Checked before the server is made, so a refused option never opens a socket.
SyslogOptions checked_syslog_options(const PluginArgs& args) {
  SyslogOptions o = syslog_schema().bind(args.settings);
  if (o.ecs_compatibility != "disabled")
    throw OptionError("ecs_compatibility", "only `disabled` (legacy field names) is supported");
  if (o.proxy_protocol)
    throw OptionError("proxy_protocol", "the PROXY protocol is not supported; leave it false");
  if (o.locale && !english_locale(*o.locale))
    throw OptionError("locale", "only English month names are supported (locale \"en\")");
  return o;
}

}  // namespace

SyslogInput::SyslogInput(const PluginArgs& args) : SyslogInput(args, checked_syslog_options(args)) {}

SyslogInput::SyslogInput(const PluginArgs& args, const SyslogOptions& o)
    : Input(args),
      parser_(parser_settings(o)),
      server_(server_settings(args, o), *this),
      syslog_field_(o.syslog_field) {
  if (o.grok_pattern != kLogstashGrokPattern && args.env.validating)
    log_warn("syslog {}: grok_pattern is ignored: logpipe parses RFC 3164 and RFC 5424 itself",
             id());
  if (!plain_passthrough(args.settings) && args.make_codec) codec_ = args.make_codec();
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
  info.options = syslog_schema().specs();
  info.make_input = [](const PluginArgs& args) -> std::unique_ptr<Input> {
    return std::make_unique<SyslogInput>(args);
  };
  return info;
}

}  // namespace logpipe
