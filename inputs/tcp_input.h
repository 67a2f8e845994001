// tcp input: reads events from TCP connections — Logstash's `tcp` input in
// server mode.
//
// Every connection has its own codec (default "line"), so partial lines of
// one sender never mix with another's; when a connection ends its codec is
// flushed (an unterminated last line is still an event), and every wake-up of
// the server ticks each connection's codec (multiline's auto_flush_interval). Events get `host`
// (the peer's numeric address) and `port` (the peer's port), Logstash's
// legacy fields; a codec that already set `host` keeps it.
//
// Differences from Logstash: host defaults to 127.0.0.1 (not 0.0.0.0);
// mode "client", SSL and the PROXY protocol are refused at validation;
// dns_reverse_lookup_enabled is accepted but host is always the numeric
// address (a DNS lookup would stall the one thread serving every connection).
//
// Bad input: a connection that sends max_message_size (16 MiB) without
// completing an event has its codec flushed, the event tagged
// `_line_too_long`, so memory stays bounded. At most max_connections (1000)
// connections are open at once; more are accepted and closed at once. No acknowledgements exist in
// this protocol: what the kernel buffered but logpipe had not read is lost on
// a crash; while the pipeline is full nothing is read and TCP pushes back.
//
// Threads: run() on the input's thread (one epoll for all connections);
// stop() from any thread. Sockets are opened in run().
#pragma once

#include <memory>
#include <unordered_map>

#include "engine/plugin.h"
#include "inputs/syslog/stream_server.h"

namespace logpipe {

PluginInfo tcp_input_info();
struct TcpOptions;

class TcpInput : public Input, private StreamHandler {
 public:
  explicit TcpInput(const PluginArgs& args);
  ~TcpInput() override;

  void run(InputContext& ctx) override;
  void stop() override;
  void collect_metrics(PluginMetrics& out) const override { server_.collect_metrics(out); }
  int bound_port() const { return bound_port_.load(); }

 private:
  TcpInput(const PluginArgs& args, const TcpOptions& o);
  struct Connection {
    std::unique_ptr<Codec> codec;
    std::string partial;  // without a codec (unit tests): bytes after the last LF
    size_t bytes_since_event = 0;
    Peer peer;  // for events the codec emits on a tick (multiline's auto flush)
  };

  void on_datagram(std::string_view, const Peer&, FrameFlags) override {}
  void on_data(uint64_t conn, std::string_view data, const Peer& peer) override;
  void on_close(uint64_t conn, const Peer& peer) override;
  void on_wake() override;
  void decode(Connection& c, std::string_view data, const EventSink& sink);
  void flush(Connection& c, const EventSink& sink);
  void add_source(Event& e, const Peer& peer) const;
  void push_from(const Peer& peer, Event&& e);

  StreamServer server_;
  std::function<std::unique_ptr<Codec>()> make_codec_;
  size_t max_pending_bytes_;
  FieldRef host_field_, ip_field_, port_field_;  // by ecs_compatibility
  std::unordered_map<uint64_t, Connection> connections_;
  InputContext* ctx_ = nullptr;
  std::atomic<int> bound_port_{0};
};

}  // namespace logpipe
