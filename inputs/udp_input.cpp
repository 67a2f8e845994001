#include "inputs/udp_input.h"

#include "engine/system/log.h"

namespace logpipe {

namespace {

StreamServerSettings udp_server_settings(const PluginArgs& args) {
  const Settings& s = args.settings;
  StreamServerSettings st;
  st.name = "udp " + args.id;
  st.host = s.get_string("host", "127.0.0.1");
  int64_t port = s.get_int("port", -1);
  if (port < 0 || port > 65535) throw OptionError("port", "must be between 0 and 65535");
  st.port = static_cast<int>(port);
  int64_t size = s.get_int("buffer_size", 65536);
  if (size < 1 || size > 65536) throw OptionError("buffer_size", "must be between 1 and 65536");
  st.max_datagram = static_cast<size_t>(size);
  if (s.has("receive_buffer_bytes")) {
    int64_t rcv = s.get_int("receive_buffer_bytes");
    if (rcv < 1 || rcv > (int64_t{1} << 30))
      throw OptionError("receive_buffer_bytes", "must be between 1 and 1073741824");
    st.udp_receive_buffer = static_cast<int>(rcv);
  }
  st.tcp = false;
  st.udp = true;
  return st;
}

}  // namespace

UdpInput::UdpInput(const PluginArgs& args)
    : Input(args),
      server_(udp_server_settings(args), *this),
      host_field_(args.settings.get_string("source_ip_fieldname", "host")) {
  const Settings& s = args.settings;
  if (s.get_string("ecs_compatibility", "disabled") != "disabled")
    throw OptionError("ecs_compatibility", "only `disabled` (legacy field names) is supported");
  if (s.get_int("workers", 2) < 1) throw OptionError("workers", "must be at least 1");
  if (s.get_int("queue_size", 2000) < 1) throw OptionError("queue_size", "must be at least 1");
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
    if (!e.get_top(host_field_)) e.set_top(host_field_, Value(peer.host));
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
  info.options = {
      option("host", OptionType::String, Value("127.0.0.1"),
             "Address to listen on (Logstash: 0.0.0.0; logpipe binds to loopback unless told)."),
      option("port", OptionType::Number, "Port to listen on."),
      option("buffer_size", OptionType::Number, Value(65536),
             "Largest datagram read; longer ones are cut and tagged _message_truncated."),
      option("receive_buffer_bytes", OptionType::Number,
             "Socket receive buffer (SO_RCVBUF); default: the system's."),
      option("workers", OptionType::Number, Value(2),
             "Accepted for compatibility: one thread reads and decodes."),
      option("queue_size", OptionType::Number, Value(2000),
             "Accepted for compatibility: datagrams wait in the socket buffer."),
      option("source_ip_fieldname", OptionType::String, Value("host"),
             "Field for the sender's address."),
      option("ecs_compatibility", OptionType::String, Value("disabled"),
             "Field names: only `disabled` (legacy names) is supported.", {"disabled", "v1", "v8"}),
  };
  info.options[1].required = true;
  info.make_input = [](const PluginArgs& args) -> std::unique_ptr<Input> {
    return std::make_unique<UdpInput>(args);
  };
  return info;
}

}  // namespace logpipe
