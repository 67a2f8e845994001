#include "engine/system/system_io.h"

#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include <cerrno>

namespace logpipe {

bool write_fully(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n >= 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {  // a FIFO or pipe opened non-blocking
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, -1);
      continue;
    }
    return false;
  }
  return true;
}

const std::string& local_hostname() {
  static const std::string name = [] {
    char buf[256];
    if (gethostname(buf, sizeof buf) != 0) return std::string("localhost");
    buf[sizeof buf - 1] = '\0';
    return std::string(buf);
  }();
  return name;
}

void name_this_thread(const std::string& name) {
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

}  // namespace logpipe
