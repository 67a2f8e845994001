#include "inputs/udp_input.h"

#include <algorithm>

#include "engine/config/field_option.h"
#include "engine/config/typed_options.h"
#include "engine/event/ecs.h"
#include "engine/system/log.h"

namespace logpipe {

struct UdpOptions {
  std::string host;
  int port = 0;
  int buffer_size = 0;
  std::optional<int> receive_buffer_bytes;
  int workers = 0;
  int queue_size = 0;
  std::optional<std::string> source_ip_fieldname;
  std::string ecs_compatibility;
};

namespace {

const OptionSchema<UdpOptions>& udp_schema() {
  static const OptionSchema<UdpOptions> schema = [] {
    OptionSchema<UdpOptions> s;
    s.string("host", &UdpOptions::host,
             "Address to listen on (Logstash: 0.0.0.0; logpipe binds to loopback unless told).")
        .fallback("127.0.0.1");
    s.integer("port", &UdpOptions::port, "Port to listen on.").required().range(0, 65535);
    s.integer("buffer_size", &UdpOptions::buffer_size,
              "Largest datagram read; longer ones are cut and tagged _message_truncated. "
              "Above 65536 it changes nothing (no UDP datagram is longer).")
        .fallback(65536)
        .range(1, 1073741824);
    s.integer("receive_buffer_bytes", &UdpOptions::receive_buffer_bytes,
              "Socket receive buffer (SO_RCVBUF); default: the system's.")
        .range(1, 1073741824);
    s.integer("workers", &UdpOptions::workers,
              "Accepted for compatibility: one thread reads and decodes.")
        .fallback(2)
        .at_least(1);
    s.integer("queue_size", &UdpOptions::queue_size,
              "Accepted for compatibility: datagrams wait in the socket buffer.")
        .fallback(2000)
        .at_least(1);
    s.string("source_ip_fieldname", &UdpOptions::source_ip_fieldname,
             "Field for the sender's address (default: host; ECS: [host][ip]).");
    declare_ecs_compatibility(s, &UdpOptions::ecs_compatibility, "host; ECS: [host][ip]");
    return s;
  }();
  return schema;
}

// Checked before the server is made, so a refused option never opens a socket.
UdpOptions checked_udp_options(const PluginArgs& args) {
  UdpOptions o = udp_schema().bind(args.settings);
  if (o.source_ip_fieldname) (void)field_option("source_ip_fieldname", *o.source_ip_fieldname);
  return o;
}

StreamServerSettings udp_server_settings(const PluginArgs& args, const UdpOptions& o) {
  StreamServerSettings st;
  st.name = "udp " + args.id;
  st.host = o.host;
  st.port = o.port;
  st.max_datagram = static_cast<size_t>(std::min(o.buffer_size, 65536));
  if (o.receive_buffer_bytes) st.udp_receive_buffer = *o.receive_buffer_bytes;
  st.tcp = false;
  st.udp = true;
  return st;
}

}  // namespace

UdpInput::UdpInput(const PluginArgs& args) : UdpInput(args, checked_udp_options(args)) {}

UdpInput::UdpInput(const PluginArgs& args, const UdpOptions& o)
    : Input(args),
      server_(udp_server_settings(args, o), *this),
      host_field_(o.source_ip_fieldname
                      ? FieldRef::must(*o.source_ip_fieldname)
                      : ecs_field(ecs_mode(o.ecs_compatibility), "host", "[host][ip]")) {
  if (args.make_codec) codec_ = args.make_codec();
}

UdpInput::~UdpInput() = default;

void UdpInput::stop() { server_.stop(); }

void UdpInput::run(InputContext& ctx) {
  ctx_ = &ctx;
  server_.open();
  bound_port_ = server_.udp_port();
  log_info("udp {}: listening on port {}", id(), bound_port_.load());
  server_.run(ctx.poll_interval_ms(), [&ctx] { return ctx.stopping(); });
  if (server_.udp_drops())
    log_warn("udp {}: {} datagrams were dropped by the kernel", id(), server_.udp_drops());
  ctx.flush();
  ctx_ = nullptr;
}

void UdpInput::on_wake() { ctx_->tick(); }

void UdpInput::on_datagram(std::string_view data, const Peer& peer, FrameFlags flags) {
  const EventSink sink = [&](Event&& e) {
    set_unless_present(e, host_field_, Value(peer.host));
    if (flags.truncated) e.add_tag("_message_truncated");
    ctx_->push(std::move(e));
  };
  if (!codec_) {
    sink(Event(std::string(data)));
    return;
  }
  codec_->decode(data, sink);
  codec_->flush(sink);
}

PluginInfo udp_input_info() {
  PluginInfo info;
  info.name = "udp";
  info.kind = PluginKind::Input;
  info.description = "Reads events from UDP datagrams.";
  info.default_codec = "plain";
  info.options = udp_schema().specs();
  info.make_input = [](const PluginArgs& args) -> std::unique_ptr<Input> {
    return std::make_unique<UdpInput>(args);
  };
  return info;
}

}  // namespace logpipe
