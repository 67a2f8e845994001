#include "inputs/tcp_input.h"

#include "engine/config/typed_options.h"
#include "engine/event/ecs.h"
#include "engine/system/log.h"

namespace logpipe {

struct TcpOptions {
  std::string host;
  int port = 0;
  std::string mode;
  bool proxy_protocol = false;
  bool tcp_keep_alive = false;
  int64_t max_connections = 0;
  Bytes max_message_size;
  bool ssl_enable = false;
  bool ssl_enabled = false;
  std::string ecs_compatibility;
};

namespace {

const char* const kSslOptions[] = {"ssl_cert",
                                   "ssl_key",
                                   "ssl_key_passphrase",
                                   "ssl_certificate",
                                   "ssl_certificate_authorities",
                                   "ssl_extra_chain_certs",
                                   "ssl_verify",
                                   "ssl_client_authentication",
                                   "ssl_verification_mode",
                                   "ssl_supported_protocols",
                                   "ssl_cipher_suites"};

const OptionSchema<TcpOptions>& tcp_schema() {
  static const OptionSchema<TcpOptions> schema = [] {
    OptionSchema<TcpOptions> s;
    s.string("host", &TcpOptions::host,
             "Address to listen on (Logstash: 0.0.0.0; logpipe binds to loopback unless told).")
        .fallback("127.0.0.1");
    s.integer("port", &TcpOptions::port, "Port to listen on.").required().range(0, 65535);
    s.string("mode", &TcpOptions::mode, "Only \"server\" is supported.")
        .fallback("server")
        .one_of({"server", "client"});
    s.boolean("proxy_protocol", &TcpOptions::proxy_protocol, "Not supported (false only).")
        .fallback(false);
    s.boolean("tcp_keep_alive", &TcpOptions::tcp_keep_alive,
              "Turn on TCP keep-alive (SO_KEEPALIVE) on accepted connections.")
        .fallback(false);
    s.integer("max_connections", &TcpOptions::max_connections, "logpipe: TCP connections open at once; more are accepted and closed at once.")
        .fallback(1000)
        .range(1, 1000000);
    s.bytes("max_message_size", &TcpOptions::max_message_size,
            "logpipe: bytes a connection may send without completing an event; then what the "
            "codec holds is flushed as an event tagged _line_too_long.")
        .fallback("16MiB");
    s.accepted("dns_reverse_lookup_enabled", OptionType::Boolean,
               "Accepted; host is always the numeric peer address.")
        .fallback(true);
    s.boolean("ssl_enable", &TcpOptions::ssl_enable, "SSL is not supported.").fallback(false);
    s.boolean("ssl_enabled", &TcpOptions::ssl_enabled, "SSL is not supported.").fallback(false);
    declare_ecs_compatibility(s, &TcpOptions::ecs_compatibility,
                              "host, port, [@metadata][ip_address]; ECS: "
                              "[@metadata][input][tcp][source][name/ip/port]");
    for (const char* name : kSslOptions) s.accepted(name, OptionType::Any, "SSL is not supported.");
    return s;
  }();
  return schema;
}

StreamServerSettings tcp_server_settings(const PluginArgs& args, const TcpOptions& o) {
  StreamServerSettings st;
  st.name = "tcp " + args.id;
  st.host = o.host;
  st.port = o.port;
  st.tcp = true;
  st.udp = false;
  st.framing = TcpFraming::Raw;
  st.tcp_keepalive = o.tcp_keep_alive;
  st.max_connections = static_cast<size_t>(o.max_connections);
  return st;
}

// Checked before the server is made, so a refused option never opens a socket.
TcpOptions checked_tcp_options(const PluginArgs& args) {
  TcpOptions o = tcp_schema().bind(args.settings);
  if (o.mode != "server")
    throw OptionError("mode", "only mode => \"server\" is supported (client mode is not)");
  if (o.ssl_enable) throw OptionError("ssl_enable", "SSL is not supported");
  if (o.ssl_enabled) throw OptionError("ssl_enabled", "SSL is not supported");
  for (const char* name : kSslOptions)
    if (args.settings.has(name)) throw OptionError(name, "SSL is not supported");
  if (o.proxy_protocol)
    throw OptionError("proxy_protocol", "the PROXY protocol is not supported; leave it false");
  return o;
}

}  // namespace

TcpInput::TcpInput(const PluginArgs& args) : TcpInput(args, checked_tcp_options(args)) {}

TcpInput::TcpInput(const PluginArgs& args, const TcpOptions& o)
    : Input(args),
      server_(tcp_server_settings(args, o), *this),
      make_codec_(args.make_codec),
      max_pending_bytes_(std::max<size_t>(1, o.max_message_size.count)) {
  const EcsMode ecs = ecs_mode(o.ecs_compatibility);
  host_field_ = ecs_field(ecs, "host", "[@metadata][input][tcp][source][name]");
  ip_field_ = ecs_field(ecs, "[@metadata][ip_address]", "[@metadata][input][tcp][source][ip]");
  port_field_ = ecs_field(ecs, "port", "[@metadata][input][tcp][source][port]");
}

// The peer's fields, unless the codec made them (Logstash's order).
void TcpInput::add_source(Event& e, const Peer& peer) const {
  set_unless_present(e, host_field_, Value(peer.host));
  set_unless_present(e, ip_field_, Value(peer.host));
  set_unless_present(e, port_field_, Value(peer.port));
}

TcpInput::~TcpInput() = default;

void TcpInput::stop() { server_.stop(); }

void TcpInput::run(InputContext& ctx) {
  ctx_ = &ctx;
  server_.open();
  bound_port_ = server_.tcp_port();
  log_info("tcp {}: listening on port {}", id(), bound_port_.load());
  server_.run(ctx.poll_interval_ms(), [&ctx] { return ctx.stopping(); });
  connections_.clear();
  ctx.flush();
  ctx_ = nullptr;
}

void TcpInput::on_wake() {
  const auto now = std::chrono::steady_clock::now();
  for (auto& [id, c] : connections_) {
    if (!c.codec) continue;
    c.codec->tick(now, [&, &conn = c](Event&& e) { push_from(conn.peer, std::move(e)); });
  }
  ctx_->tick();
}

void TcpInput::push_from(const Peer& peer, Event&& e) {
  add_source(e, peer);
  ctx_->push(std::move(e));
}

void TcpInput::decode(Connection& c, std::string_view data, const EventSink& sink) {
  if (c.codec) {
    c.codec->decode(data, sink);
    return;
  }
  size_t start = 0;
  for (size_t nl; (nl = data.find('\n', start)) != std::string_view::npos; start = nl + 1) {
    c.partial.append(data.substr(start, nl - start));
    sink(Event(std::move(c.partial)));
    c.partial.clear();
  }
  c.partial.append(data.substr(start));
}

void TcpInput::flush(Connection& c, const EventSink& sink) {
  if (c.codec) {
    c.codec->flush(sink);
  } else if (!c.partial.empty()) {
    sink(Event(std::move(c.partial)));
    c.partial.clear();
  }
}

void TcpInput::on_data(uint64_t conn, std::string_view data, const Peer& peer) {
  auto it = connections_.find(conn);
  if (it == connections_.end()) {
    Connection c;
    if (make_codec_) c.codec = make_codec_();
    c.peer = peer;
    it = connections_.emplace(conn, std::move(c)).first;
  }
  Connection& c = it->second;
  bool forced = false;
  const EventSink sink = [&](Event&& e) {
    c.bytes_since_event = 0;
    if (forced) e.add_tag("_line_too_long");
    push_from(peer, std::move(e));
  };
  // In slices, so that a stream without delimiters is cut at a known size.
  const size_t slice = std::max<size_t>(1, std::min<size_t>(64 * 1024, max_pending_bytes_ / 4));
  for (size_t off = 0; off < data.size(); off += slice) {
    std::string_view part = data.substr(off, slice);
    c.bytes_since_event += part.size();
    decode(c, part, sink);
    if (c.bytes_since_event >= max_pending_bytes_) {
      forced = true;
      flush(c, sink);
      forced = false;
      c.bytes_since_event = 0;
    }
  }
}

void TcpInput::on_close(uint64_t conn, const Peer& peer) {
  auto it = connections_.find(conn);
  if (it == connections_.end()) return;
  const EventSink sink = [&](Event&& e) { push_from(peer, std::move(e)); };
  flush(it->second, sink);
  connections_.erase(it);
}

PluginInfo tcp_input_info() {
  PluginInfo info;
  info.name = "tcp";
  info.kind = PluginKind::Input;
  info.description = "Reads events from TCP connections (server mode), one codec per connection.";
  info.default_codec = "line";
  info.streaming_input = true;
  info.options = tcp_schema().specs();
  info.make_input = [](const PluginArgs& args) -> std::unique_ptr<Input> {
    return std::make_unique<TcpInput>(args);
  };
  return info;
}

}  // namespace logpipe
