#include "tests/tools/es_server/connection_sockets.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace logpipe::es_fake {
namespace {

// Socket inode -> (local port, remote port), from the kernel's tables
// (/proc/self/net/tcp and tcp6: "sl local:PORT remote:PORT st ... inode").
std::map<unsigned long, std::pair<int, int>> tcp_ports_by_inode() {
  std::map<unsigned long, std::pair<int, int>> out;
  for (const char* table : {"/proc/self/net/tcp", "/proc/self/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // the header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout;
      unsigned long inode = 0;
      if (!(fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >> inode))
        continue;
      auto port = [](const std::string& address) {
        size_t colon = address.rfind(':');
        return colon == std::string::npos ? -1 : static_cast<int>(std::strtol(address.c_str() + colon + 1, nullptr, 16));
      };
      out[inode] = {port(local), port(remote)};
    }
  }
  return out;
}

}  // namespace

// The descriptors are found by name (readlink of /proc/self/fd/N gives
// "socket:[inode]") and the kernel's connection tables, never by a call on a
// descriptor: the others belong to other threads (httplib's, the client's),
// and touching one could race with its owner closing it.
std::vector<int> accepted_sockets(int local_port, int remote_port) {
  std::vector<int> out;
  std::map<unsigned long, std::pair<int, int>> ports = tcp_ports_by_inode();
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return out;
  while (dirent* entry = ::readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0') continue;
    char target[64];
    std::string link = std::string("/proc/self/fd/") + entry->d_name;
    ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
    if (n <= 0) continue;
    target[n] = '\0';
    unsigned long inode = 0;
    if (std::sscanf(target, "socket:[%lu]", &inode) != 1) continue;
    auto it = ports.find(inode);
    if (it == ports.end() || it->second.first != local_port) continue;
    if (it->second.second == 0) continue;  // the listening socket has no peer
    if (remote_port > 0 && it->second.second != remote_port) continue;
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
  std::vector<int> spared;
  if (spared_remote_port > 0) spared = accepted_sockets(local_port, spared_remote_port);
  for (int fd : accepted_sockets(local_port))
    if (std::find(spared.begin(), spared.end(), fd) == spared.end()) ::shutdown(fd, SHUT_RDWR);
}

}  // namespace logpipe::es_fake
