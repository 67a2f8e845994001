// udp input: reads events from UDP datagrams — Logstash's `udp` input.
//
// Each datagram goes through the codec (default "plain": one datagram, one
// event; with "line" or "json_lines" a datagram may hold several, and a
// datagram never continues the previous one). Events get the sender's
// numeric address in `host` (source_ip_fieldname), unless the codec set it.
//
// Options as Logstash's: host (logpipe's default is 127.0.0.1, Logstash's
// 0.0.0.0), port (required), buffer_size (largest datagram read, 65536;
// longer ones are cut and tagged `_message_truncated`), receive_buffer_bytes
// (SO_RCVBUF), workers and queue_size (accepted: one thread reads and decodes,
// which is faster than Logstash's hand-off between threads).
//
// Delivery: UDP has no acknowledgement and no backpressure. While the
// pipeline is full this input blocks and the kernel drops what overflows the
// socket buffer; the drops are counted (SO_RXQ_OVFL) and logged.
//
// Threads: run() on the input's thread; stop() from any thread. The socket
// is opened in run().
#pragma once

#include <memory>

#include "engine/plugin.h"
#include "inputs/syslog/stream_server.h"

namespace logpipe {

PluginInfo udp_input_info();

struct UdpOptions;  // its declared options (udp_input.cpp)

class UdpInput : public Input, private StreamHandler {
 public:
  explicit UdpInput(const PluginArgs& args);
  ~UdpInput() override;

  void run(InputContext& ctx) override;
  void stop() override;
  void collect_metrics(PluginMetrics& out) const override { server_.collect_metrics(out); }
  int bound_port() const { return bound_port_.load(); }

 private:
  UdpInput(const PluginArgs& args, const UdpOptions& o);
  void on_datagram(std::string_view data, const Peer& peer, FrameFlags flags) override;
  void on_wake() override;

  StreamServer server_;
  std::unique_ptr<Codec> codec_;
  FieldRef host_field_;  // source_ip_fieldname, by default by ecs_compatibility
  InputContext* ctx_ = nullptr;
  std::atomic<int> bound_port_{0};
};

}  // namespace logpipe
