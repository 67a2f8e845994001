#include "inputs/syslog/stream_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <chrono>
#include <stdexcept>

#include "engine/system/log.h"
#include "engine/system/openssl_reason.h"

namespace logpipe {

namespace {

constexpr uint64_t kWakeId = 1, kTcpListenId = 2, kUdpId = 3;
constexpr size_t kReadBytes = 256 * 1024;
constexpr int kDatagramsPerWake = 256;

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

Peer peer_of(const sockaddr_storage& ss) {
  Peer p;
  char buf[INET6_ADDRSTRLEN] = {0};
  if (ss.ss_family == AF_INET) {
    auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
    p.port = ntohs(a->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr))
      inet_ntop(AF_INET, &a->sin6_addr.s6_addr[12], buf, sizeof buf);
    else
      inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
    p.port = ntohs(a->sin6_port);
  }
  p.host = buf;
  return p;
}

int bound_port(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return 0;
  return peer_of(ss).port;
}

// Binds a socket of `type` to host:port; throws with the reason.
int bind_socket(const std::string& name, const std::string& host, int port, int type) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = type;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string service = std::to_string(port);
  const char* kind = type == SOCK_STREAM ? "tcp" : "udp";
  int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &res);
  if (rc != 0)
    throw std::runtime_error(name + ": cannot resolve " + host + ": " + gai_strerror(rc));
  std::string why = "no address";
  int fd = -1;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      why = strerror(errno);
      continue;
    }
    // TCP: a restart must not wait for TIME_WAIT. Not UDP, where it would let
    // two processes share the port silently.
    int one = 1;
    if (type == SOCK_STREAM) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
        (type != SOCK_STREAM || listen(fd, 1024) == 0))
      break;
    why = strerror(errno);
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0)
    throw std::runtime_error(name + ": cannot listen on " + host + ":" + std::to_string(port) +
                             " (" + kind + "): " + why);
  return fd;
}

}  // namespace

struct StreamServer::Conn {
  explicit Conn(size_t max_frame) : framer(max_frame) {}
  ~Conn() {
    if (ssl) SSL_free(ssl);
  }
  int fd = -1;
  SSL* ssl = nullptr;
  std::string out;  // bytes send() queued that the socket did not take yet
  bool writing = false;  // EPOLLOUT is watched
  uint64_t id = 0;
  Peer peer;
  SyslogFramer framer;
};

StreamServer::StreamServer(StreamServerSettings settings, StreamHandler& handler)
    : settings_(std::move(settings)), handler_(handler) {
  if (settings_.max_frame < 1) settings_.max_frame = 1;
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

StreamServer::~StreamServer() {
  close_all();
  if (wake_fd_ >= 0) close(wake_fd_);
}

void StreamServer::stop() {
  stop_requested_.store(true, std::memory_order_relaxed);
  wake();
}

void StreamServer::wake() {
  if (wake_fd_ >= 0) {
    uint64_t one = 1;
    ssize_t r = write(wake_fd_, &one, sizeof one);
    (void)r;  // EAGAIN: a wake-up is already pending
  }
}

void StreamServer::open() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw std::runtime_error(settings_.name + ": epoll: " + strerror(errno));
  auto watch = [&](int fd, uint64_t id) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = id;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  };
  if (wake_fd_ >= 0) watch(wake_fd_, kWakeId);
  int port = settings_.port;
  if (settings_.udp && settings_.tcp && port == 0) {
    // Any free port, the same for UDP and TCP: the number the system gives
    // UDP may already be taken for TCP, so try again with another.
    for (int attempt = 0;; ++attempt) {
      udp_fd_ = bind_socket(settings_.name, settings_.host, 0, SOCK_DGRAM);
      int candidate = bound_port(udp_fd_);
      try {
        tcp_fd_ = bind_socket(settings_.name, settings_.host, candidate, SOCK_STREAM);
        port = candidate;
        break;
      } catch (const std::runtime_error&) {
        ::close(udp_fd_);
        udp_fd_ = -1;
        if (attempt == 50) throw;
      }
    }
  }
  if (settings_.udp) {
    if (udp_fd_ < 0) udp_fd_ = bind_socket(settings_.name, settings_.host, port, SOCK_DGRAM);
    udp_port_ = bound_port(udp_fd_);
    if (port == 0) port = udp_port_;  // TCP on the same port as UDP
    int one = 1;
    setsockopt(udp_fd_, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
    if (settings_.udp_receive_buffer > 0)
      setsockopt(udp_fd_, SOL_SOCKET, SO_RCVBUF, &settings_.udp_receive_buffer,
                 sizeof settings_.udp_receive_buffer);
    datagrams_.resize(settings_.max_datagram + 1);
    watch(udp_fd_, kUdpId);
  }
  if (settings_.tcp) {
    if (tcp_fd_ < 0) tcp_fd_ = bind_socket(settings_.name, settings_.host, port, SOCK_STREAM);
    tcp_port_ = bound_port(tcp_fd_);
    scratch_.resize(kReadBytes);
    watch(tcp_fd_, kTcpListenId);
  }
}

void StreamServer::close_all() {
  std::vector<uint64_t> ids;
  ids.reserve(conns_.size());
  for (auto& kv : conns_) ids.push_back(kv.first);
  for (uint64_t id : ids) close_connection(id);
  for (int* fd : {&tcp_fd_, &udp_fd_, &epoll_fd_}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
}

void StreamServer::run(int poll_ms, const std::function<bool()>& should_stop) {
  epoll_event events[256];
  while (!stop_requested_.load(std::memory_order_relaxed) && !should_stop()) {
    if (accept_paused_ && now_ms() >= accept_resume_ms_) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = kTcpListenId;
      epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, tcp_fd_, &ev);
      accept_paused_ = false;
    }
    int n = epoll_wait(epoll_fd_, events, 256, poll_ms);
    if (n < 0 && errno != EINTR) {
      log_error("{}: epoll_wait failed: {}", settings_.name, strerror(errno));
      break;
    }
    for (int i = 0; i < n; ++i) {
      uint64_t id = events[i].data.u64;
      if (id == kWakeId) {
        uint64_t v;
        ssize_t r = read(wake_fd_, &v, sizeof v);
        (void)r;
      } else if (id == kTcpListenId) {
        accept_connections();
      } else if (id == kUdpId) {
        receive_datagrams();
      } else {
        auto it = conns_.find(id);
        if (it == conns_.end()) continue;
        uint32_t ev = events[i].events;
        if (ev & EPOLLOUT) write_pending(*it->second);
        // Paused, a connection is read only to learn that it ended.
        if ((ev & ~uint32_t(EPOLLOUT)) && (!reading_paused_ || (ev & (EPOLLHUP | EPOLLERR))))
          read_connection(*it->second);
      }
      close_requested();
    }
    handler_.on_wake();
    close_requested();
  }
  close_all();
}

void StreamServer::accept_connections() {
  for (;;) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    int fd = accept4(tcp_fd_, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: stop accepting for a moment instead of spinning
        // on a listener that stays readable.
        log_warn("{}: cannot accept more connections ({}), {} open; pausing 100 ms", settings_.name,
                 strerror(errno), conns_.size());
        epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, tcp_fd_, nullptr);
        accept_paused_ = true;
        accept_resume_ms_ = now_ms() + 100;
      }
      return;
    }
    if (settings_.max_connections && conns_.size() >= settings_.max_connections) {
      // Accepted and closed rather than left in the backlog: the peer learns
      // at once, and the listener does not stay readable for ever.
      close(fd);
      if (connections_refused_.fetch_add(1, std::memory_order_relaxed) % 1000 == 0)
        log_warn("{}: {} connections open, the limit (max_connections); refusing new ones",
                 settings_.name, conns_.size());
      continue;
    }
    if (settings_.tcp_keepalive) {
      int one = 1;
      setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    }
    auto c = std::make_unique<Conn>(settings_.max_frame);
    if (settings_.tls) {
      c->ssl = SSL_new(settings_.tls.get());
      if (!c->ssl || SSL_set_fd(c->ssl, fd) != 1) {
        log_warn("{}: cannot start TLS on a connection", settings_.name);
        close(fd);
        continue;
      }
      SSL_set_accept_state(c->ssl);
    }
    c->fd = fd;
    c->peer = peer_of(ss);
    c->id = next_conn_id_++;
    if (!watch_connection(*c, EPOLL_CTL_ADD)) {
      close(fd);
      continue;
    }
    uint64_t id = c->id;
    Peer peer = c->peer;
    conns_.emplace(id, std::move(c));
    if (settings_.framing == TcpFraming::Raw) handler_.on_open(id, peer);
    connections_accepted_.fetch_add(1, std::memory_order_relaxed);
    connections_open_.store(conns_.size(), std::memory_order_relaxed);
  }
}

// One read per wake-up and connection: level-triggered epoll comes back for
// the rest, so one busy sender cannot starve the others.
void StreamServer::read_connection(Conn& c) {
  bool closed = false;
  ssize_t got = read_some(c, closed);
  if (closed) {
    close_connection(c.id);
    return;
  }
  if (got <= 0) return;
  std::string_view data(scratch_.data(), static_cast<size_t>(got));
  tcp_bytes_.fetch_add(data.size(), std::memory_order_relaxed);
  if (settings_.framing == TcpFraming::Raw) {
    uint64_t id = c.id;
    handler_.on_data(id, data, c.peer);
    // TLS may hold decrypted bytes that epoll cannot see: take them now.
    while (c.ssl && SSL_pending(c.ssl) > 0 && closing_.empty()) {
      got = read_some(c, closed);
      if (closed || got <= 0) break;
      tcp_bytes_.fetch_add(static_cast<size_t>(got), std::memory_order_relaxed);
      handler_.on_data(id, std::string_view(scratch_.data(), static_cast<size_t>(got)), c.peer);
    }
    if (closed) close_soon(id);
    return;
  }
  c.framer.feed(data, [&](std::string_view frame, FrameFlags flags) {
    count_flags(flags);
    handler_.on_frame(frame, c.peer, flags);
  });
}

// >0: bytes in scratch_; 0 or -1 with closed false: nothing yet.
ssize_t StreamServer::read_some(Conn& c, bool& closed) {
  closed = false;
  if (!c.ssl) {
    ssize_t got = read(c.fd, scratch_.data(), scratch_.size());
    if (got < 0 && (errno == EAGAIN || errno == EINTR)) return -1;
    if (got <= 0) closed = true;
    return got;
  }
  ERR_clear_error();
  int got = SSL_read(c.ssl, scratch_.data(), static_cast<int>(scratch_.size()));
  if (got > 0) {
    if (!c.out.empty()) write_pending(c);  // a write that waited for the handshake
    return got;
  }
  int err = SSL_get_error(c.ssl, got);
  if (err == SSL_ERROR_WANT_READ) return -1;
  if (err == SSL_ERROR_WANT_WRITE) {
    want_write(c, true);
    return -1;
  }
  if (err != SSL_ERROR_ZERO_RETURN && !(err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)) {
    log_warn("{}: TLS error from {}:{}, closing the connection: {}", settings_.name, c.peer.host,
             c.peer.port, openssl_reason());
  }
  closed = true;
  return -1;
}

bool StreamServer::send(uint64_t conn, std::string_view bytes) {
  auto it = conns_.find(conn);
  if (it == conns_.end()) return false;
  Conn& c = *it->second;
  c.out.append(bytes);
  if (!c.writing) write_pending(c);
  return true;
}

void StreamServer::write_pending(Conn& c) {
  while (!c.out.empty()) {
    ssize_t n;
    if (c.ssl) {
      ERR_clear_error();
      int r = SSL_write(c.ssl, c.out.data(), static_cast<int>(c.out.size()));
      if (r <= 0) {
        int err = SSL_get_error(c.ssl, r);
        if (err == SSL_ERROR_WANT_WRITE) {
          want_write(c, true);
        } else if (err != SSL_ERROR_WANT_READ) {
          close_soon(c.id);
        }
        return;  // WANT_READ: the handshake goes on when the peer sends
      }
      n = r;
    } else {
      n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) {
          want_write(c, true);
        } else {
          close_soon(c.id);
        }
        return;
      }
    }
    c.out.erase(0, static_cast<size_t>(n));
  }
  want_write(c, false);
}

void StreamServer::want_write(Conn& c, bool on) {
  if (c.writing == on || epoll_fd_ < 0) return;
  c.writing = on;
  watch_connection(c, EPOLL_CTL_MOD);
}

bool StreamServer::watch_connection(Conn& c, int op) {
  epoll_event ev{};
  // RDHUP is left out while paused: level-triggered, it would fire on every wait.
  ev.events = (reading_paused_ ? 0u : uint32_t(EPOLLIN | EPOLLRDHUP)) | (c.writing ? uint32_t(EPOLLOUT) : 0u);
  ev.data.u64 = c.id;
  return epoll_ctl(epoll_fd_, op, c.fd, &ev) == 0;
}

void StreamServer::pause_reading(bool paused) {
  if (paused == reading_paused_ || epoll_fd_ < 0) return;
  reading_paused_ = paused;
  for (auto& [id, c] : conns_) watch_connection(*c, EPOLL_CTL_MOD);
}

std::optional<TlsPeerInfo> StreamServer::tls_peer(uint64_t conn) const {
  auto it = conns_.find(conn);
  if (it == conns_.end() || !it->second->ssl || !SSL_is_init_finished(it->second->ssl)) return std::nullopt;
  SSL* ssl = it->second->ssl;
  TlsPeerInfo info;
  info.protocol = SSL_get_version(ssl);
  if (const SSL_CIPHER* c = SSL_get_current_cipher(ssl)) info.cipher = SSL_CIPHER_standard_name(c);
  if (X509* cert = SSL_get_peer_certificate(ssl)) {
    info.verified = SSL_get_verify_result(ssl) == X509_V_OK;
    if (BIO* bio = BIO_new(BIO_s_mem())) {
      X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
      char* text = nullptr;
      long n = BIO_get_mem_data(bio, &text);
      if (n > 0) info.subject.assign(text, static_cast<size_t>(n));
      BIO_free(bio);
    }
    X509_free(cert);
  }
  return info;
}

void StreamServer::close_soon(uint64_t conn) { closing_.push_back(conn); }

void StreamServer::close_requested() {
  while (!closing_.empty()) {
    std::vector<uint64_t> ids;
    ids.swap(closing_);
    for (uint64_t id : ids) close_connection(id);
  }
}

void StreamServer::close_connection(uint64_t id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Conn& c = *it->second;
  if (epoll_fd_ >= 0) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.fd, nullptr);
  close(c.fd);
  if (settings_.framing == TcpFraming::Raw)
    handler_.on_close(c.id, c.peer);
  else
    end_of_stream(c);
  conns_.erase(it);
  connections_open_.store(conns_.size(), std::memory_order_relaxed);
}

void StreamServer::end_of_stream(Conn& c) {
  c.framer.finish([&](std::string_view frame, FrameFlags flags) {
    count_flags(flags);
    handler_.on_frame(frame, c.peer, flags);
  });
}

void StreamServer::receive_datagrams() {
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(uint32_t)) + 64];
  for (int i = 0; i < kDatagramsPerWake; ++i) {
    sockaddr_storage ss{};
    iovec iov{datagrams_.data(), datagrams_.size()};
    msghdr msg{};
    msg.msg_name = &ss;
    msg.msg_namelen = sizeof ss;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t got = recvmsg(udp_fd_, &msg, 0);
    if (got < 0) {
      if (errno != EAGAIN && errno != EINTR)
        log_warn("{}: udp receive failed: {}", settings_.name, strerror(errno));
      return;
    }
    for (cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
      if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_RXQ_OVFL) {
        uint32_t count;
        memcpy(&count, CMSG_DATA(cm), sizeof count);
        log_drops(count);
      }
    }
    // The peer's text form is cached: a sender usually sends many datagrams.
    const auto* key = reinterpret_cast<const unsigned char*>(&ss);
    if (udp_peer_key_.size() != msg.msg_namelen ||
        memcmp(udp_peer_key_.data(), key, msg.msg_namelen) != 0) {
      udp_peer_key_.assign(key, key + msg.msg_namelen);
      udp_peer_ = peer_of(ss);
    }
    FrameFlags flags;
    size_t size = static_cast<size_t>(got);
    if (size > settings_.max_datagram || (msg.msg_flags & MSG_TRUNC)) {
      flags.truncated = true;
      size = std::min(size, settings_.max_datagram);
    }
    datagrams_received_.fetch_add(1, std::memory_order_relaxed);
    udp_bytes_.fetch_add(static_cast<size_t>(got), std::memory_order_relaxed);
    count_flags(flags);
    handler_.on_datagram(std::string_view(datagrams_.data(), size), udp_peer_, flags);
  }
}

void StreamServer::count_flags(FrameFlags flags) {
  if (flags.truncated) frames_truncated_.fetch_add(1, std::memory_order_relaxed);
  if (flags.incomplete) frames_incomplete_.fetch_add(1, std::memory_order_relaxed);
}

void StreamServer::collect_metrics(PluginMetrics& out) const {
  using K = PluginMetric::Kind;
  auto get = [](const std::atomic<uint64_t>& a) { return double(a.load(std::memory_order_relaxed)); };
  if (settings_.tcp) {
    out.push_back({"connections", "TCP connections open now.", K::Gauge, {}, get(connections_open_)});
    out.push_back({"connections_accepted_total", "TCP connections accepted.", K::Counter, {}, get(connections_accepted_)});
    out.push_back({"connections_refused_total", "TCP connections closed at once: max_connections were open.",
                   K::Counter, {}, get(connections_refused_)});
    out.push_back({"tcp_bytes_total", "Bytes read from TCP connections.", K::Counter, {}, get(tcp_bytes_)});
  }
  if (settings_.udp) {
    out.push_back({"datagrams_total", "UDP datagrams received.", K::Counter, {}, get(datagrams_received_)});
    out.push_back({"udp_bytes_total", "Bytes of UDP datagrams received.", K::Counter, {}, get(udp_bytes_)});
    out.push_back({"udp_kernel_drops_total", "UDP datagrams the kernel dropped: the socket buffer was full.",
                   K::Counter, {}, get(udp_drops_)});
  }
  out.push_back({"frames_truncated_total", "Frames longer than the maximum, cut (framing error).", K::Counter, {},
                 get(frames_truncated_)});
  out.push_back({"frames_incomplete_total", "Frames cut short by the peer closing (framing error).", K::Counter, {},
                 get(frames_incomplete_)});
}

// SO_RXQ_OVFL carries the socket's running count of dropped datagrams.
void StreamServer::log_drops(uint32_t kernel_count) {
  if (!have_drop_base_) {
    have_drop_base_ = true;
    drop_base_ = 0;
  }
  uint64_t total = static_cast<uint32_t>(kernel_count - drop_base_);
  if (total <= udp_drops_) return;
  udp_drops_ = total;
  int64_t now = now_ms();
  if (now - last_drop_log_ms_ >= 10000) {
    log_warn("{}: the kernel dropped {} UDP datagrams (socket buffer full; {} in total)",
             settings_.name, udp_drops_.load() - udp_drops_logged_, udp_drops_.load());
    udp_drops_logged_ = udp_drops_;
    last_drop_log_ms_ = now;
  }
}

}  // namespace logpipe
