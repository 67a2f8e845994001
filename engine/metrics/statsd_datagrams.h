// Splits newline-ended statsd lines into datagrams of whole lines, at most
// max bytes each (a line longer than that goes alone), without the last
// newline: what the statsd output and the metrics push send over UDP.
#pragma once

#include <string_view>
#include <vector>

namespace logpipe {

// 1432 bytes: fits an Ethernet MTU after IP/UDP headers, as statsd advises.
constexpr size_t kStatsdMaxDatagram = 1432;

inline std::vector<std::string_view> statsd_datagrams(std::string_view lines, size_t max = kStatsdMaxDatagram) {
  std::vector<std::string_view> out;
  while (!lines.empty()) {
    size_t take = 0;
    while (take < lines.size()) {
      size_t nl = lines.find('\n', take);
      size_t end = nl == std::string_view::npos ? lines.size() : nl + 1;
      if (take > 0 && end - 1 > max) break;
      take = end;
    }
    std::string_view datagram = lines.substr(0, take);
    if (!datagram.empty() && datagram.back() == '\n') datagram.remove_suffix(1);
    out.push_back(datagram);
    lines.remove_prefix(take);
  }
  return out;
}

}  // namespace logpipe
