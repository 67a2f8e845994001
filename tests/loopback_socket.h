// bind_loopback: a socket bound to a free port on 127.0.0.1, for tests that
// play a server (a statsd listener) or need a port nothing listens on yet.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace logpipe::testing {

// type is SOCK_DGRAM or SOCK_STREAM; the caller closes the socket.
inline int bind_loopback(int type, int& port) {
  int fd = ::socket(AF_INET, type, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  return fd;
}

}  // namespace logpipe::testing
