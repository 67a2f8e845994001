#include "outputs/statsd_output.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "engine/event/sprintf.h"
#include "engine/config/typed_options.h"
#include "engine/metrics/statsd_datagrams.h"
#include "engine/system/log.h"
#include "engine/system/system_io.h"

namespace logpipe {

namespace {

using Clock = std::chrono::steady_clock;

// An Ethernet MTU (1500) less IPv6 and UDP headers: a datagram this size is
// never fragmented on the way.
constexpr size_t kMaxDatagram = kStatsdMaxDatagram;
constexpr auto kLogInterval = std::chrono::seconds(10);
constexpr auto kResolveRetry = std::chrono::seconds(30);

// Logstash's build_stat: "::" -> "." first, then the reserved characters.
std::string clean_name(std::string_view in, bool dots_too) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == ':' && i + 1 < in.size() && in[i + 1] == ':') {
      out += dots_too ? '_' : '.';
      ++i;
    } else if (c == ':' || c == '|' || c == '@' || (dots_too && c == '.')) {
      out += '_';
    } else {
      out += c;
    }
  }
  return out;
}

struct Metric {
  enum Kind { Increment, Decrement, Count, Timing, Gauge, Set } kind;
  SprintfTemplate name;
  SprintfTemplate value;  // unused for increment and decrement
};

const char* type_of(Metric::Kind k) {
  switch (k) {
    case Metric::Increment:
    case Metric::Decrement:
    case Metric::Count: return "c";
    case Metric::Timing: return "ms";
    case Metric::Gauge: return "g";
    case Metric::Set: return "s";
  }
  return "c";
}

struct StatsdConfig {
  SprintfTemplate namespace_;
  bool has_namespace = false;
  SprintfTemplate sender;
  std::vector<Metric> metrics;
  double sample_rate = 1;
  std::string rate_suffix;  // "|@0.5", or empty at 1
};

// One per worker: the statsd lines of each event.
class StatsdEncoder final : public OutputEncoder {
 public:
  explicit StatsdEncoder(std::shared_ptr<const StatsdConfig> config)
      : config_(std::move(config)), rng_(std::random_device{}()) {}

  void encode(const Event& e, std::string& out) override {
    const StatsdConfig& c = *config_;
    prefix_.clear();
    if (c.has_namespace) {
      c.namespace_.append(e, prefix_);
      prefix_ += '.';
    }
    scratch_.clear();
    c.sender.append(e, scratch_);
    prefix_ += clean_name(scratch_, /*dots_too=*/true);
    prefix_ += '.';
    for (const Metric& m : c.metrics) {
      if (c.sample_rate < 1 && uniform_(rng_) >= c.sample_rate) continue;
      out += prefix_;
      scratch_.clear();
      m.name.append(e, scratch_);
      out += clean_name(scratch_, /*dots_too=*/false);
      out += ':';
      if (m.kind == Metric::Increment) out += '1';
      else if (m.kind == Metric::Decrement) out += "-1";
      else m.value.append(e, out);
      out += '|';
      out += type_of(m.kind);
      out += c.rate_suffix;
      out += '\n';
    }
  }

 private:
  std::shared_ptr<const StatsdConfig> config_;
  std::minstd_rand rng_;
  std::uniform_real_distribution<double> uniform_{0.0, 1.0};
  std::string prefix_, scratch_;
};

struct StatsdOptions {
  std::string host;
  int port = 0;
  std::string protocol, namespace_, sender;
  std::vector<std::string> increment, decrement;
  Object count, timing, gauge, set;
  double sample_rate = 1;
};

const OptionSchema<StatsdOptions>& statsd_schema() {
  static const OptionSchema<StatsdOptions> schema = [] {
    using O = StatsdOptions;
    OptionSchema<O> s;
    s.string("host", &O::host, "The statsd server.").fallback("localhost");
    s.integer("port", &O::port, "Its port.").fallback(8125).range(1, 65535);
    s.string("protocol", &O::protocol, "udp or tcp.").fallback("udp").one_of({"udp", "tcp"});
    s.string("namespace", &O::namespace_, "First part of every metric name (%{field} allowed); empty for none.")
        .fallback("logstash");
    s.string("sender", &O::sender, "Second part of every metric name (%{field} allowed); dots become underscores.")
        .fallback("%{host}");
    s.strings("increment", &O::increment, "Counters increased by 1 per event (names may use %{field}).")
        .fallback(Value(Array()));
    s.strings("decrement", &O::decrement, "Counters decreased by 1 per event.").fallback(Value(Array()));
    s.hash("count", &O::count, "Counters increased by a value per event: { \"name\" => \"%{bytes}\" }.")
        .fallback(Value(Object()));
    s.hash("timing", &O::timing, "Timings in ms per event: { \"name\" => \"%{took_ms}\" }.")
        .fallback(Value(Object()));
    s.hash("gauge", &O::gauge, "Gauges set per event.").fallback(Value(Object()));
    s.hash("set", &O::set, "Sets (unique values counted by statsd).").fallback(Value(Object()));
    s.number("sample_rate", &O::sample_rate, "Send each metric with this probability (0 < rate <= 1).")
        .fallback(1)
        .range(0, 1);
    return s;
  }();
  return schema;
}

std::vector<Metric> metrics_from(const StatsdOptions& o) {
  std::vector<Metric> out;
  for (const std::string& name : o.increment) out.push_back({Metric::Increment, SprintfTemplate(name), {}});
  for (const std::string& name : o.decrement) out.push_back({Metric::Decrement, SprintfTemplate(name), {}});
  // Logstash's order: count, timing, set, gauge.
  const std::pair<const Object*, Metric::Kind> hashes[] = {
      {&o.count, Metric::Count}, {&o.timing, Metric::Timing}, {&o.set, Metric::Set}, {&o.gauge, Metric::Gauge}};
  for (auto& [hash, kind] : hashes)
    for (auto& [name, value] : *hash) out.push_back({kind, SprintfTemplate(name), SprintfTemplate(value.to_string())});
  return out;
}

class StatsdOutput : public Output {
 public:
  explicit StatsdOutput(const PluginArgs& args) : Output(args) {
    StatsdOptions o = statsd_schema().bind(args.settings);
    host_ = o.host;
    port_ = std::to_string(o.port);
    tcp_ = o.protocol == "tcp";
    auto config = std::make_shared<StatsdConfig>();
    config->has_namespace = !o.namespace_.empty();
    config->namespace_ = SprintfTemplate(o.namespace_);
    config->sender = SprintfTemplate(o.sender);
    config->metrics = metrics_from(o);
    config->sample_rate = o.sample_rate;
    if (config->sample_rate == 0) throw OptionError("sample_rate", "must be greater than 0 and at most 1");
    if (config->sample_rate < 1) {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, config->sample_rate);
      config->rate_suffix = "|@" + std::string(buf, r.ptr);
    }
    if (config->metrics.empty() && args.env.validating)
      log_warn("statsd {}: no increment, decrement, count, timing, gauge or set: nothing to send", id());
    config_ = std::move(config);
  }
  ~StatsdOutput() override {
    if (fd_ >= 0) ::close(fd_);
  }

  std::unique_ptr<OutputEncoder> make_encoder() override {
    return std::make_unique<StatsdEncoder>(config_);
  }

  void deliver(OutputWork& work) override {
    std::string_view lines = work.encoded_all();
    if (lines.empty()) return;
    if (tcp_ && connected() && peer_closed()) {
      ::close(fd_);
      fd_ = -1;
    }
    if (!connected() && !connect_now()) {
      drop(count_lines(lines), last_error_);
      return;
    }
    if (tcp_) {
      send_or_drop(lines);
      return;
    }
    for (std::string_view datagram : statsd_datagrams(lines, kMaxDatagram)) send_or_drop(datagram);
  }

 private:
  bool connected() const { return fd_ >= 0; }

  // statsd never writes to its TCP clients: a readable socket means the
  // daemon closed it (it restarted), and what is sent on it would be lost
  // while send() still succeeds.
  bool peer_closed() const {
    pollfd p{fd_, POLLIN | POLLRDHUP, 0};
    return ::poll(&p, 1, 0) == 1;
  }

  bool connect_now() {
    auto now = Clock::now();
    if (now < next_resolve_) return false;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = tcp_ ? SOCK_STREAM : SOCK_DGRAM;
    addrinfo* res = nullptr;
    int rc = ::getaddrinfo(host_.c_str(), port_.c_str(), &hints, &res);
    if (rc != 0 || !res) {
      last_error_ = "cannot resolve " + host_ + ": " + ::gai_strerror(rc);
      next_resolve_ = now + kResolveRetry;
      return false;
    }
    int fd = ::socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, 0);
    bool ok = fd >= 0;
    if (ok && tcp_) {
      // A bounded connect: a statsd that is down must not hold the output.
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
      int c = ::connect(fd, res->ai_addr, res->ai_addrlen);
      if (c != 0 && errno == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        int err = 0;
        socklen_t len = sizeof err;
        ok = ::poll(&p, 1, 1000) == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
             err == 0;
        if (!ok) errno = err ? err : ETIMEDOUT;
      } else {
        ok = c == 0;
      }
    } else if (ok) {
      // connect() on UDP fixes the peer, and makes a refused port visible
      // (ECONNREFUSED on a later send) instead of silent.
      ok = ::connect(fd, res->ai_addr, res->ai_addrlen) == 0;
      if (ok) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
    ::freeaddrinfo(res);
    if (!ok) {
      last_error_ = "cannot connect to " + host_ + ":" + port_ + ": " + std::strerror(errno);
      if (fd >= 0) ::close(fd);
      next_resolve_ = now + std::chrono::seconds(1);
      return false;
    }
    fd_ = fd;
    return true;
  }

  void send_or_drop(std::string_view data) {
    bool ok;
    if (tcp_) {
      // Complete lines, each with its newline; a peer that stalls past the
      // socket buffer costs the metrics, not the pipeline.
      ok = write_fully_within(data);
    } else {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      ok = n == static_cast<ssize_t>(data.size());
    }
    if (ok) {
      sent_ += count_lines(data);
      return;
    }
    std::string why = std::string("send to ") + host_ + ":" + port_ + " failed: " + std::strerror(errno);
    if (tcp_) {
      ::close(fd_);
      fd_ = -1;
    }
    drop(count_lines(data), why);
  }

  bool write_fully_within(std::string_view data) {
    auto deadline = Clock::now() + std::chrono::milliseconds(200);
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n > 0) {
        data.remove_prefix(static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
      if (Clock::now() >= deadline) {
        errno = ETIMEDOUT;
        return false;
      }
      pollfd p{fd_, POLLOUT, 0};
      ::poll(&p, 1, 50);
    }
    return true;
  }

  static uint64_t count_lines(std::string_view data) {
    uint64_t n = 0;
    for (char c : data) n += c == '\n';
    return data.empty() || data.back() == '\n' ? n : n + 1;
  }

  void drop(uint64_t lines, const std::string& why) {
    dropped_ += lines;
    dropped_unlogged_ += lines;
    auto now = Clock::now();
    if (now - last_log_ < kLogInterval && last_log_ != Clock::time_point{}) return;
    log_warn("statsd {}: {} metric(s) dropped ({} so far): {}", id(), dropped_unlogged_, dropped_, why);
    dropped_unlogged_ = 0;
    last_log_ = now;
  }

  std::shared_ptr<const StatsdConfig> config_;
  std::string host_, port_;
  bool tcp_ = false;
  int fd_ = -1;
  Clock::time_point next_resolve_{};
  std::string last_error_;
  uint64_t sent_ = 0, dropped_ = 0, dropped_unlogged_ = 0;
  Clock::time_point last_log_{};
};

}  // namespace

PluginInfo statsd_output_info() {
  PluginInfo info;
  info.name = "statsd";
  info.kind = PluginKind::Output;
  info.description = "Sends metrics derived from events to statsd (UDP, or TCP).";
  info.default_codec = "plain";
  info.options = statsd_schema().specs();
  info.make_output = [](const PluginArgs& args) -> std::unique_ptr<Output> {
    return std::make_unique<StatsdOutput>(args);
  };
  return info;
}

}  // namespace logpipe
