// beats input: receives events from Elastic Beats (Filebeat, Metricbeat ...)
// and other Lumberjack clients — Logstash's `beats` input.
//
// One thread and one epoll serve every connection (the StreamServer of the
// syslog and tcp inputs, in raw framing, optionally with TLS). Each
// connection has its own LumberjackDecoder (lumberjack_decoder.h) and codec.
//
// Events: the JSON document of a frame becomes the event (`@metadata` goes to
// the metadata, `@timestamp` is parsed). A document with `message` (or the
// forwarder's `line`) has it decoded by the codec and the other fields set on
// each event it gives, tagged `beats_input_codec_<codec>_applied`; one
// without is used as it is, tagged `beats_input_raw_event` (both with
// include_codec_tag and codec_metadata enrichment). source_metadata puts the
// peer address in [@metadata][ip_address] (ECS: [@metadata][input][beats]
// [host][ip]); add_hostname copies [beat][hostname] to host (ECS:
// [@metadata][input][beats][host][name]) when that is unset. Logstash 8's
// obsolete options (ssl, ssl_verify_mode, ssl_peer_metadata ...) are refused.
// ssl_peer_metadata puts [@metadata][tls_peer][status] (verified/unverified)
// and, verified, the protocol, client subject and cipher (legacy under
// [@metadata][tls_peer], ECS under [@metadata][input][beats][tls]).
//
// Acks differ from Logstash on purpose: the ack of a frame goes back only once
// every output accepted its events. Per connection the input notes the last
// frame whose events are all pushed; sealed() files that under the batch
// number, committed() (a worker thread) turns what is now delivered into ack
// frames, queued under a mutex and handed to the event loop by wake(). While
// frames wait, a keep-alive ack (the last seq acked in the window, 0 at
// first) goes out every 5 s (half the client_inactivity_timeout when that is
// shorter) so the client does not time out. A connection
// that closes before its ack needs nothing: the client sends again.
//
// Backpressure: the input never blocks in push() (never_blocks()); while the
// pipeline is congested it stops reading every connection (the kernel
// buffers fill, TCP pushes back on the Beats) and goes on acking and sending
// keep-alives, so a slow output never makes a Beat time out and resend.
//
// Bad input: a malformed or oversized frame (over max_frame_size, or a
// compressed one inflating past max_decompressed_size) is logged and its
// connection closed; an idle connection (no frame for
// client_inactivity_timeout, none waiting for an ack) is closed, and so is a
// TLS one whose handshake takes longer than ssl_handshake_timeout.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/codecs/json_event_decoder.h"
#include "engine/event/field_ref.h"
#include "engine/plugin.h"
#include "inputs/beats/lumberjack_decoder.h"
#include "inputs/syslog/stream_server.h"

namespace logpipe {

PluginInfo beats_input_info();

class BeatsInput : public Input, private StreamHandler {
 public:
  explicit BeatsInput(const PluginArgs& args);
  ~BeatsInput() override;

  void run(InputContext& ctx) override;
  void stop() override;
  void sealed(uint64_t batch_seq) override;
  void committed(uint64_t batch_seq) override;
  // The event loop must keep sending acks and keep-alives while the
  // pipeline is full: it stops reading instead of blocking in push().
  bool never_blocks() const override { return true; }
  void collect_metrics(PluginMetrics& out) const override;
  int bound_port() const { return bound_port_.load(); }

  struct Options;

 private:
  // One frame's place in its connection: acks name the window's seq.
  struct FrameMark {
    uint64_t window = 0;   // how many W frames came before it
    uint64_t ordinal = 0;  // 1, 2, 3 ... per connection
    uint32_t seq = 0;
    char version = '2';
  };
  struct Connection;
  struct Ack {
    uint64_t conn;
    FrameMark mark;
  };
  class FrameSink;

  StreamServerSettings server_settings(const PluginArgs& args);
  void on_datagram(std::string_view, const Peer&, FrameFlags) override {}
  void on_open(uint64_t conn, const Peer& peer) override;
  void on_data(uint64_t conn, std::string_view data, const Peer& peer) override;
  void on_close(uint64_t conn, const Peer& peer) override;
  void on_wake() override;
  void deliver(Connection& c, const FrameMark& mark, std::vector<Event>& events);
  void mark_pushed(Connection& c, const FrameMark& mark);
  void decorate(Event& e, const Connection& c, bool raw) const;
  void send_acks();
  void keep_alive_and_expire(int64_t now);

  std::unique_ptr<Options> o_;
  std::string codec_tag_;
  std::optional<FieldRef> ip_field_, hostname_field_;
  bool peer_metadata_ = false;
  std::optional<FieldRef> tls_protocol_field_, tls_subject_field_, tls_cipher_field_;
  JsonEventDecoder json_;
  std::function<std::unique_ptr<Codec>()> make_codec_;
  bool plain_codec_ = true;
  StreamServer server_;
  InputContext* ctx_ = nullptr;
  std::unordered_map<uint64_t, std::unique_ptr<Connection>> connections_;
  // Frames pushed into the batch being built, per connection (input thread).
  std::vector<uint64_t> unsealed_;
  int64_t last_sweep_ms_ = 0, sweep_ms_ = 1000;

  // sealed() → committed() → the event loop.
  std::mutex acks_mu_;
  std::deque<std::pair<uint64_t, Ack>> sealed_;  // (batch seq, frame), in batch order
  std::vector<Ack> ready_;

  std::atomic<int> bound_port_{0};
  std::atomic<uint64_t> frames_{0}, acks_sent_{0}, protocol_errors_{0}, events_{0};
};

}  // namespace logpipe
