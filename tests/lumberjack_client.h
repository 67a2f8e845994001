// A minimal Lumberjack test client: a blocking TCP (optionally TLS, with a
// client certificate) connection to 127.0.0.1 that sends bytes and reads
// ack frames with a deadline, so tests see exactly what a Beat would.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace logpipe::testing {

class LumberjackClient {
 public:
  struct Tls {
    std::string ca, cert, key;  // cert and key empty: no client certificate
  };

  explicit LumberjackClient(int port) { open(port, nullptr); }
  LumberjackClient(int port, const Tls& tls) { open(port, &tls); }
  ~LumberjackClient() {
    if (ssl_) SSL_free(ssl_);
    if (ctx_) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
  }
  LumberjackClient(const LumberjackClient&) = delete;
  LumberjackClient& operator=(const LumberjackClient&) = delete;

  bool connected() const { return fd_ >= 0 && (!ssl_ || handshake_ok_); }

  bool send(const std::string& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
      ssize_t n = ssl_ ? SSL_write(ssl_, bytes.data() + off, static_cast<int>(bytes.size() - off))
                       : ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }

  // Up to n bytes that arrive within `limit`; fewer when the time runs out,
  // and closed() is true once the server closed the connection.
  std::string read(size_t n, std::chrono::milliseconds limit) {
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (out.size() < n) {
      if (!(ssl_ && SSL_pending(ssl_) > 0)) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      }
      char buf[4096];
      size_t want = std::min(sizeof buf, n - out.size());
      ssize_t got = ssl_ ? SSL_read(ssl_, buf, static_cast<int>(want)) : ::recv(fd_, buf, want, 0);
      if (got <= 0) {
        closed_ = true;
        break;
      }
      out.append(buf, static_cast<size_t>(got));
    }
    return out;
  }
  bool closed() const { return closed_; }

  // The seq of the next ack frame ("2A" + u32), or nullopt if none came.
  std::optional<uint32_t> read_ack(std::chrono::milliseconds limit) {
    std::string a = read(6, limit);
    if (a.size() != 6 || a[1] != 'A') return std::nullopt;
    auto b = [&](int i) { return static_cast<uint32_t>(static_cast<unsigned char>(a[i])); };
    return (b(2) << 24) | (b(3) << 16) | (b(4) << 8) | b(5);
  }

 private:
  void open(int port, const Tls* tls) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd_);
      fd_ = -1;
      return;
    }
    if (!tls) return;
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx_, tls->ca.c_str(), nullptr);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    if (!tls->cert.empty()) {
      SSL_CTX_use_certificate_file(ctx_, tls->cert.c_str(), SSL_FILETYPE_PEM);
      SSL_CTX_use_PrivateKey_file(ctx_, tls->key.c_str(), SSL_FILETYPE_PEM);
    }
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    SSL_set_tlsext_host_name(ssl_, "localhost");
    handshake_ok_ = SSL_connect(ssl_) == 1;
  }

  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  bool handshake_ok_ = false;
  bool closed_ = false;
};

}  // namespace logpipe::testing
