// logpipe-es-server-bench: posts pre-built `_bulk` bodies of ~300-byte
// documents to a server as fast as it can, over keep-alive connections, to
// measure the fake server's ceiling (it must never be the bottleneck of an
// ES output benchmark). Raw sockets and a minimal HTTP/1.1 client, so the
// client costs little next to the server.
//
//   logpipe-es-server-bench --port N [--connections 2] [--seconds 5]
//       [--body-mb 5] [--ids auto|explicit] [--filter-path]
// Prints events/s, MB/s and ns/event of the whole run.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Config {
  int port = 0;
  int connections = 2;
  double seconds = 5;
  size_t body_bytes = 5 << 20;
  bool explicit_ids = false;
  bool filter_path = false;
};

// One body: index actions with ~300-byte sources; explicit ids repeat between
// bodies of the same connection (overwrites, bounded memory), auto ids do not.
std::string make_body(const Config& c, int connection, size_t& docs) {
  std::string body;
  docs = 0;
  char line[512];
  while (body.size() < c.body_bytes) {
    if (c.explicit_ids)
      std::snprintf(line, sizeof line, "{\"index\":{\"_index\":\"bench\",\"_id\":\"c%d-%zu\"}}\n", connection, docs);
    else
      std::snprintf(line, sizeof line, "{\"create\":{\"_index\":\"bench\"}}\n");
    body += line;
    std::snprintf(line, sizeof line,
                  "{\"@timestamp\":\"2024-05-06T22:04:45.107Z\",\"host\":\"web-%03zu\",\"level\":\"info\","
                  "\"service\":\"checkout\",\"trace_id\":\"%016zx\",\"message\":\"GET /api/v1/cart/%zu HTTP/1.1 200 "
                  "1532 0.012 user-agent=Mozilla/5.0 (X11; Linux x86_64) referer=https://shop.example.com/\","
                  "\"bytes\":%zu}\n",
                  docs % 1000, docs * 2654435761u, docs, docs % 4096);
    body += line;
    ++docs;
  }
  return body;
}

bool send_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Reads one response; returns its status (0 on failure).
int read_response(int fd, std::string& buf) {
  buf.clear();
  char chunk[65536];
  size_t header_end = std::string::npos, need = 0;
  for (;;) {
    if (header_end == std::string::npos) {
      header_end = buf.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        const char* cl = strcasestr(buf.c_str(), "content-length:");
        need = header_end + 4 + (cl ? std::strtoull(cl + 15, nullptr, 10) : 0);
      }
    }
    if (header_end != std::string::npos && buf.size() >= need) break;
    ssize_t r = ::recv(fd, chunk, sizeof chunk, 0);
    if (r <= 0) return 0;
    buf.append(chunk, static_cast<size_t>(r));
  }
  return std::atoi(buf.c_str() + 9);
}

}  // namespace

int main(int argc, char** argv) {
  Config c;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--port") c.port = std::atoi(next().c_str());
    else if (a == "--connections") c.connections = std::atoi(next().c_str());
    else if (a == "--seconds") c.seconds = std::atof(next().c_str());
    else if (a == "--body-mb") c.body_bytes = static_cast<size_t>(std::atof(next().c_str()) * (1 << 20));
    else if (a == "--ids") c.explicit_ids = next() == "explicit";
    else if (a == "--filter-path") c.filter_path = true;
    else {
      std::fprintf(stderr, "usage: logpipe-es-server-bench --port N [--connections C] [--seconds S] [--body-mb M]"
                           " [--ids auto|explicit] [--filter-path]\n");
      return 2;
    }
  }
  if (c.port <= 0) {
    std::fprintf(stderr, "logpipe-es-server-bench: --port is required\n");
    return 2;
  }
  std::atomic<uint64_t> events{0}, bytes{0}, requests{0}, failures{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < c.connections; ++t) {
    threads.emplace_back([&, t] {
      size_t docs = 0;
      std::string body = make_body(c, t, docs);
      std::string head = std::string("POST /_bulk") + (c.filter_path ? "?filter_path=errors,items.*.error,items.*.status" : "") +
                         " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-ndjson\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\n\r\n";
      int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(static_cast<uint16_t>(c.port));
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ++failures;
        return;
      }
      std::string response;
      while (!stop.load(std::memory_order_relaxed)) {
        if (!send_all(fd, head.data(), head.size()) || !send_all(fd, body.data(), body.size()) ||
            read_response(fd, response) != 200 || response.find("\"errors\":true") != std::string::npos) {
          ++failures;
          break;
        }
        events += docs;
        bytes += body.size();
        ++requests;
      }
      ::close(fd);
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(c.seconds));
  stop = true;
  for (auto& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("connections=%d ids=%s filter_path=%s requests=%llu failures=%llu\n", c.connections,
              c.explicit_ids ? "explicit" : "auto", c.filter_path ? "yes" : "no",
              static_cast<unsigned long long>(requests.load()), static_cast<unsigned long long>(failures.load()));
  std::printf("events=%llu seconds=%.2f events/s=%.0f MB/s=%.1f ns/event=%.0f\n",
              static_cast<unsigned long long>(events.load()), elapsed, events / elapsed, bytes / elapsed / 1e6,
              events ? elapsed * 1e9 / static_cast<double>(events.load()) : 0.0);
  return failures.load() > 0 ? 1 : 0;
}
