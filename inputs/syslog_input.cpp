#include "inputs/syslog_input.h"

#include <cctype>
#include <optional>
#include <string>

#include "engine/config/typed_options.h"
#include "engine/event/ecs.h"
#include "engine/system/log.h"
#include "engine/text/ruby_number.h"

namespace logpipe {

namespace {

// Logstash's default grok_pattern in each mode; either means the built-in parser.
constexpr const char* kLegacyGrokPattern = "<%{POSINT:priority}>%{SYSLOGLINE}";
constexpr const char* kEcsGrokPattern = "<%{POSINT:[log][syslog][priority]:int}>%{SYSLOGLINE}";
constexpr const char* kGrokFailureTag = "_grokparsefailure_sysloginput";

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
  std::optional<std::string> grok_pattern;
  std::string service_type;
  std::string syslog_field;
  std::string ecs_compatibility;
  int64_t max_message_size = 0;
  int64_t max_connections = 0;
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
             std::string("Grok pattern over the whole line (default ") + kLegacyGrokPattern +
                 "; ECS: " + kEcsGrokPattern +
                 "). The default runs logpipe's built-in RFC 3164/5424 parser instead.");
    s.string("service_type", &SyslogOptions::service_type, "ECS only: [service][type].")
        .fallback("system");
    s.string("syslog_field", &SyslogOptions::syslog_field,
             "Field holding the syslog text (matters only with a codec other than plain).")
        .fallback("message");
    declare_ecs_compatibility(s, &SyslogOptions::ecs_compatibility,
                              "priority, facility, logsource, program ...; ECS: "
                              "[log][syslog][priority], [host][hostname], [process][name] ...");
    s.integer("max_message_size", &SyslogOptions::max_message_size,
              "logpipe: longest message in bytes; longer ones are cut and tagged "
              "_message_truncated.")
        .fallback(65536)
        .range(1, 1073741824);
    s.integer("max_connections", &SyslogOptions::max_connections, "logpipe: TCP connections open at once; more are accepted and closed at once.")
        .fallback(1000)
        .range(1, 1000000);
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
  st.max_connections = static_cast<size_t>(o.max_connections);
  return st;
}

// Checked before the server is made, so a refused option never opens a socket.
SyslogOptions checked_syslog_options(const PluginArgs& args) {
  SyslogOptions o = syslog_schema().bind(args.settings);
  if (o.proxy_protocol)
    throw OptionError("proxy_protocol", "the PROXY protocol is not supported; leave it false");
  if (o.locale && !english_locale(*o.locale))
    throw OptionError("locale", "only English month names are supported (locale \"en\")");
  return o;
}

}  // namespace

SyslogInput::SyslogInput(const PluginArgs& args) : SyslogInput(args, checked_syslog_options(args)) {}

// The field names of one mode, parsed once.
struct SyslogInput::EcsFields {
  explicit EcsFields(EcsMode m)
      : priority(ecs_field(m, "priority", "[log][syslog][priority]")),
        facility(ecs_field(m, "facility", "[log][syslog][facility][code]")),
        severity(ecs_field(m, "severity", "[log][syslog][severity][code]")),
        facility_label(ecs_field(m, "facility_label", "[log][syslog][facility][name]")),
        severity_label(ecs_field(m, "severity_label", "[log][syslog][severity][name]")),
        host(ecs_field(m, "host", "[host][ip]")) {}
  FieldRef priority, facility, severity, facility_label, severity_label, host;
  FieldRef original = FieldRef::must("[event][original]");
  FieldRef service_type = FieldRef::must("[service][type]");
  FieldRef timestamp = FieldRef::must("timestamp");
  FieldRef timestamp8601 = FieldRef::must("timestamp8601");
  // The built-in parser's legacy names and their ECS places.
  std::vector<std::pair<std::string, FieldRef>> renames = {
      {"priority", FieldRef::must("[log][syslog][priority]")},
      {"facility", FieldRef::must("[log][syslog][facility][code]")},
      {"facility_label", FieldRef::must("[log][syslog][facility][name]")},
      {"severity", FieldRef::must("[log][syslog][severity][code]")},
      {"severity_label", FieldRef::must("[log][syslog][severity][name]")},
      {"logsource", FieldRef::must("[host][hostname]")},
      {"program", FieldRef::must("[process][name]")},
      {"version", FieldRef::must("[system][syslog][version]")},
      {"msgid", FieldRef::must("[event][code]")},
      {"sd", FieldRef::must("[system][syslog][structured_data]")},
  };
  FieldRef pid = FieldRef::must("[process][pid]");
  FieldRef procid = FieldRef::must("[system][syslog][procid]");
};

namespace {

// A filter built as the config compiler would: its declared defaults, then
// these settings.
std::unique_ptr<Filter> inner_filter(const char* name, const Object& overrides,
                                     const PluginArgs& args) {
  const PluginInfo* info = find_plugin(PluginKind::Filter, name);
  if (!info) throw OptionError("grok_pattern", std::string("the ") + name + " filter is missing");
  Settings settings;
  for (auto& spec : info->all_options())
    if (spec.default_value) settings.set(spec.name, *spec.default_value);
  for (auto& [key, value] : overrides) settings.set(key, value);
  PluginEnv env = args.env;
  env.validating = false;
  return info->make_filter(PluginArgs{name, args.id + "_" + name, settings, env, nullptr});
}

struct NoNewEvents : FilterContext {
  void emit(std::unique_ptr<Event>) override {}
};

// `event.get(priority).to_i rescue 13`: Ruby's to_i of what the pattern
// captured; nullopt where Ruby raises (an array, a hash), which means 13.
std::optional<int64_t> captured_priority(const Value* v) {
  if (!v || v->is_null()) return 0;  // nil.to_i
  if (v->is_int()) return v->as_int();
  if (v->is_float()) return static_cast<int64_t>(v->as_float());
  if (!v->is_string()) return std::nullopt;
  return ruby_to_i(v->as_string());
}

}  // namespace

SyslogInput::SyslogInput(const PluginArgs& args, const SyslogOptions& o)
    : Input(args),
      parser_(parser_settings(o)),
      server_(server_settings(args, o), *this),
      syslog_field_(o.syslog_field),
      ecs_(ecs_mode(o.ecs_compatibility) != EcsMode::Disabled),
      service_type_(o.service_type),
      fields_(std::make_unique<EcsFields>(ecs_mode(o.ecs_compatibility))),
      use_labels_(o.use_labels),
      facility_labels_(o.facility_labels),
      severity_labels_(o.severity_labels) {
  const bool default_pattern =
      !o.grok_pattern || *o.grok_pattern == kLegacyGrokPattern || *o.grok_pattern == kEcsGrokPattern;
  if (!default_pattern) {
    Object match;
    match.set(syslog_field_, Value(*o.grok_pattern));
    Object grok;
    grok.set("match", Value(std::move(match)));
    grok.set("overwrite", Value(Array{Value(syslog_field_)}));
    grok.set("tag_on_failure", Value(Array{Value(kGrokFailureTag)}));
    grok.set("ecs_compatibility", Value(o.ecs_compatibility));
    try {
      grok_ = inner_filter("grok", grok, args);
    } catch (const OptionError& e) {
      throw OptionError("grok_pattern", e.what());
    }
    Object date;
    date.set("match", Value(Array{Value("timestamp"), Value("MMM dd HH:mm:ss"),
                                  Value("MMM  d HH:mm:ss"), Value("MMM d HH:mm:ss"),
                                  Value("ISO8601")}));
    if (o.timezone) date.set("timezone", Value(*o.timezone));
    if (o.locale) date.set("locale", Value(*o.locale));
    date_ = inner_filter("date", date, args);
  }
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
    if (flags.truncated) e.add_tag(kSyslogTruncatedTag);
    if (flags.incomplete) e.add_tag(kSyslogIncompleteTag);
    ctx_->push(std::move(e));
  };
  if (grok_) {
    // Logstash's order: the codec's event, the sender, then grok and the rest.
    auto relayed = [&](Event&& e) {
      e.set(fields_->host, Value(peer.host));
      relay(e);
      finish(e);
    };
    if (!codec_) {
      Event e{std::string(frame)};
      relayed(std::move(e));
    } else {
      codec_->decode(frame, relayed);
      codec_->flush(relayed);
    }
    return;
  }
  if (!codec_) {
    Event e = parser_.parse(frame, received);
    if (ecs_) rename_to_ecs(e, frame);
    e.set(fields_->host, Value(peer.host));
    finish(e);
    return;
  }
  // Another codec (json ...): it makes the events, the parser reads syslog_field.
  const EventSink sink = [&](Event&& e) {
    const Value* v = e.get_top(syslog_field_);
    if (v && v->is_string()) {
      std::string text = v->as_string();
      parser_.parse_into(e, text, received);
      if (ecs_) rename_to_ecs(e, text);
    }
    e.set(fields_->host, Value(peer.host));
    finish(e);
  };
  codec_->decode(frame, sink);
  codec_->flush(sink);
}

void SyslogInput::rename_to_ecs(Event& e, std::string_view frame) const {
  Object& f = e.fields();
  for (auto& [legacy, ecs] : fields_->renames) {
    Value* v = f.find(legacy);
    if (!v) continue;
    Value moved = std::move(*v);
    f.erase(legacy);
    e.set(ecs, std::move(moved));
  }
  f.erase("timestamp");  // Logstash 8 drops it once @timestamp is set from it
  if (Value* pid = f.find("pid")) {
    Value moved = std::move(*pid);
    f.erase("pid");
    const std::string& text = moved.is_string() ? moved.as_string() : std::string();
    bool digits = !text.empty() && text.size() < 19 &&
                  text.find_first_not_of("0123456789") == std::string::npos;
    if (digits)
      e.set(fields_->pid, Value(static_cast<int64_t>(std::stoll(text))));
    else  // an RFC 5424 PROCID need not be a number; [process][pid] must be
      e.set(fields_->procid, std::move(moved));
  }
  if (!e.has(fields_->original)) e.set(fields_->original, Value(std::string(frame)));
  if (!service_type_.empty() && !e.has(fields_->service_type))
    e.set(fields_->service_type, Value(service_type_));
}

void SyslogInput::set_priority(Event& e, int64_t priority) const {
  e.set(fields_->priority, Value(priority));
  e.set(fields_->severity, Value(priority & 7));
  e.set(fields_->facility, Value(priority >> 3));
}

void SyslogInput::relay(Event& e) {
  NoNewEvents none;
  if (ecs_) {
    if (const Value* line = e.get_top(syslog_field_)) e.set(fields_->original, *line);
  }
  grok_->filter(e, none);
  if (ecs_ && !service_type_.empty() && !e.has(fields_->service_type))
    e.set(fields_->service_type, Value(service_type_));
  const bool failed = e.has_tag(kGrokFailureTag);
  std::optional<int64_t> priority = failed ? 13 : captured_priority(e.get(fields_->priority));
  set_priority(e, priority ? *priority : 13);
  if (!failed) {
    if (!ecs_) {
      if (const Value* iso = e.get(fields_->timestamp8601)) e.set(fields_->timestamp, *iso);
    }
    date_->filter(e, none);
    if (ecs_) e.remove(fields_->timestamp);
  }
  if (!use_labels_) return;
  // Ruby's array[n]: negative counts from the end; out of range is no label.
  auto label = [](const std::vector<std::string>& labels, int64_t n) -> const std::string* {
    const int64_t size = static_cast<int64_t>(labels.size());
    if (n < 0) n += size;
    return n >= 0 && n < size ? &labels[static_cast<size_t>(n)] : nullptr;
  };
  const int64_t p = priority ? *priority : 13;
  if (auto* l = label(facility_labels_, p >> 3)) e.set(fields_->facility_label, Value(*l));
  if (auto* l = label(severity_labels_, p & 7)) e.set(fields_->severity_label, Value(*l));
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
