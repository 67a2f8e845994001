// StreamServer: the TCP and UDP listener behind the syslog, tcp and udp
// inputs. One thread, one epoll: thousands of connections cost one buffer
// each, not one thread each.
//
// TCP framing, chosen per server:
//   Syslog  RFC 6587 octet counting or LF, decided per frame, by one
//           SyslogFramer per connection (see syslog_framer.h: oversized
//           frames are cut and flagged, memory is bounded, a frame cut short
//           by the peer closing is flagged `incomplete`).
//   Raw     bytes are handed on as read (the tcp input's codec frames them),
//           with a call when the connection ends.
// UDP: one datagram is one frame; one longer than max_datagram is cut and
// flagged `truncated`. Datagrams the kernel dropped because the socket buffer
// was full are counted (SO_RXQ_OVFL) and logged.
//
// Raw framing may also write back (send(): buffered, flushed when the socket
// is writable) and close a connection (close_soon()); TLS, when the settings
// carry an OpenSSL context, wraps every accepted connection (the handshake is
// done by the first reads; a failed one is logged and the connection closed).
//
// Contract: the constructor opens nothing; open() binds (throws
// std::runtime_error naming the address and the reason); run() serves until
// stop() or should_stop() and closes everything on return. stop() and wake()
// are the only members safe to call from another thread (they write an
// eventfd).
// Handlers run on the run() thread and may block (that is TCP backpressure:
// while a handler blocks nothing is read and the kernel window fills).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/metrics/plugin_metrics.h"
#include "inputs/syslog/syslog_framer.h"

struct ssl_ctx_st;
struct ssl_st;

namespace logpipe {

struct Peer {
  std::string host;  // numeric address, as Logstash's `host` field
  int port = 0;
};

// What a TLS connection's handshake settled (Raw framing with TLS).
struct TlsPeerInfo {
  bool verified = false;  // a client certificate was given and chains to a trusted authority
  std::string protocol;   // "TLSv1.3"
  std::string subject;    // of the client certificate, RFC 2253: "CN=beat-client"
  std::string cipher;     // IANA name: "TLS_AES_256_GCM_SHA384"
};

class StreamHandler {
 public:
  virtual ~StreamHandler() = default;
  virtual void on_datagram(std::string_view data, const Peer& peer, FrameFlags flags) = 0;
  // TcpFraming::Syslog: one frame, without its framing.
  virtual void on_frame(std::string_view frame, const Peer& peer, FrameFlags flags) {}
  // TcpFraming::Raw: a connection accepted, bytes as read on it, its end.
  virtual void on_open(uint64_t conn, const Peer& peer) {}
  virtual void on_data(uint64_t conn, std::string_view data, const Peer& peer) {}
  virtual void on_close(uint64_t conn, const Peer& peer) {}
  // After every wake-up (at least every poll interval): time to tick.
  virtual void on_wake() {}
};

enum class TcpFraming { Syslog, Raw };

struct StreamServerSettings {
  std::string name;  // for log lines, e.g. "syslog syslog_1"
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port (tests)
  bool tcp = true;
  bool udp = true;
  TcpFraming framing = TcpFraming::Syslog;
  size_t max_frame = 64 * 1024;
  size_t max_datagram = 64 * 1024;
  int udp_receive_buffer = 0;  // SO_RCVBUF bytes; 0 keeps the system default
  bool tcp_keepalive = false;  // SO_KEEPALIVE on accepted connections
  // TCP connections open at once; one more is accepted and closed at once
  // (counted and logged), so a flood of idle peers cannot take every
  // descriptor. 0: no limit.
  size_t max_connections = 0;
  std::shared_ptr<ssl_ctx_st> tls;  // set: every TCP connection speaks TLS
};

class StreamServer {
 public:
  StreamServer(StreamServerSettings settings, StreamHandler& handler);
  ~StreamServer();
  StreamServer(const StreamServer&) = delete;
  StreamServer& operator=(const StreamServer&) = delete;

  void open();
  void run(int poll_ms, const std::function<bool()>& should_stop);
  void stop();
  // Makes run() call on_wake() soon; from any thread.
  void wake();
  // Raw framing, on the run() thread: queue bytes for connection `conn`
  // (false when it is gone), and close it once the current handler returns.
  bool send(uint64_t conn, std::string_view bytes);
  void close_soon(uint64_t conn);
  // Stops (true) or resumes reading every TCP connection, on the run()
  // thread; writes and accepts go on. For a handler that must keep writing
  // while its consumer is full: the kernel buffers fill and TCP pushes back.
  void pause_reading(bool paused);
  // The TLS session of connection `conn`; nullopt without TLS (or before
  // its handshake ended). On the run() thread.
  std::optional<TlsPeerInfo> tls_peer(uint64_t conn) const;

  int tcp_port() const { return tcp_port_; }
  int udp_port() const { return udp_port_; }
  uint64_t udp_drops() const { return udp_drops_.load(std::memory_order_relaxed); }
  size_t connections() const { return conns_.size(); }
  // Connections, bytes, datagrams, framing errors and kernel drops, for the
  // monitoring API. Safe from any thread.
  void collect_metrics(PluginMetrics& out) const;

 private:
  struct Conn;

  void close_all();
  void accept_connections();
  void read_connection(Conn& c);
  ssize_t read_some(Conn& c, bool& closed);
  void write_pending(Conn& c);
  void want_write(Conn& c, bool on);
  bool watch_connection(Conn& c, int op);
  void close_requested();
  void close_connection(uint64_t id);
  void receive_datagrams();
  void end_of_stream(Conn& c);
  void log_drops(uint32_t kernel_count);
  void count_flags(FrameFlags flags);

  StreamServerSettings settings_;
  StreamHandler& handler_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  int tcp_fd_ = -1;
  int udp_fd_ = -1;
  int tcp_port_ = 0;
  int udp_port_ = 0;
  bool accept_paused_ = false;
  bool reading_paused_ = false;
  int64_t accept_resume_ms_ = 0;
  uint64_t next_conn_id_ = 16;
  std::unordered_map<uint64_t, std::unique_ptr<Conn>> conns_;
  std::vector<char> scratch_;
  std::vector<uint64_t> closing_;
  std::vector<char> datagrams_;
  bool have_drop_base_ = false;
  uint32_t drop_base_ = 0;
  std::atomic<uint64_t> udp_drops_{0};
  // Counted on the run() thread, read from any (relaxed).
  std::atomic<uint64_t> connections_open_{0}, connections_accepted_{0}, connections_refused_{0}, tcp_bytes_{0};
  std::atomic<uint64_t> datagrams_received_{0}, udp_bytes_{0}, frames_truncated_{0}, frames_incomplete_{0};
  uint64_t udp_drops_logged_ = 0;
  int64_t last_drop_log_ms_ = 0;
  Peer udp_peer_;
  std::vector<unsigned char> udp_peer_key_;
  std::atomic<bool> stop_requested_{false};
};

}  // namespace logpipe
