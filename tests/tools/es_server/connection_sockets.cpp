#include "tests/tools/es_server/connection_sockets.h"

#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace logpipe::es_fake {
namespace {

int port_of(const sockaddr_storage& addr) {
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(addr).sin_port);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(addr).sin6_port);
  return -1;
}

}  // namespace

std::vector<int> accepted_sockets(int local_port, int remote_port) {
  std::vector<int> out;
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return out;
  int dir_fd = ::dirfd(dir);
  while (dirent* entry = ::readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(entry->d_name, &end, 10);
    if (*end != '\0' || fd == dir_fd) continue;
    struct stat st;
    if (::fstat(static_cast<int>(fd), &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    sockaddr_storage local{}, peer{};
    socklen_t local_len = sizeof local, peer_len = sizeof peer;
    if (::getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&local), &local_len) != 0) continue;
    if (port_of(local) != local_port) continue;
    // The listening socket has no peer.
    if (::getpeername(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) continue;
    if (remote_port > 0 && port_of(peer) != remote_port) continue;
    out.push_back(static_cast<int>(fd));
  }
  ::closedir(dir);
  return out;
}

void reset_connection(int fd) {
  linger abort_on_close{1, 0};  // close() sends RST instead of FIN
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
  int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0) {
    ::shutdown(fd, SHUT_RDWR);
    return;
  }
  // dup2 closes the socket's last descriptor (the RST) and reuses the number
  // atomically, so no other thread can be handed this descriptor meanwhile.
  ::dup2(devnull, fd);
  ::close(devnull);
}

void shut_down_connections(int local_port, int spared_remote_port) {
  for (int fd : accepted_sockets(local_port)) {
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    if (spared_remote_port > 0 && ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) == 0 &&
        port_of(peer) == spared_remote_port)
      continue;
    ::shutdown(fd, SHUT_RDWR);
  }
}

}  // namespace logpipe::es_fake
