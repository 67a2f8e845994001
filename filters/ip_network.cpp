#include "filters/ip_network.h"

#include <arpa/inet.h>

#include <cstring>

namespace logpipe {

namespace {

// A whole decimal number in [0, max]; -1 otherwise.
int small_number(std::string_view s, int max) {
  if (s.empty() || s.size() > 3) return -1;
  int n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n <= max ? n : -1;
}

// A dotted IPv4 netmask (contiguous ones) as a prefix length; -1 otherwise.
int netmask_prefix(std::string_view s) {
  in_addr mask{};
  std::string text(s);
  if (inet_pton(AF_INET, text.c_str(), &mask) != 1) return -1;
  uint32_t m = ntohl(mask.s_addr);
  int ones = 0;
  while (ones < 32 && (m & (0x80000000u >> ones))) ++ones;
  if (ones < 32 && (m << ones) != 0) return -1;
  return ones;
}

}  // namespace

std::optional<IpNetwork> IpNetwork::parse(std::string_view text) {
  std::string_view addr = text, prefix_text;
  bool has_prefix = false;
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    addr = text.substr(0, slash);
    prefix_text = text.substr(slash + 1);
    has_prefix = true;
  }
  if (addr.size() >= 2 && addr.front() == '[' && addr.back() == ']') addr = addr.substr(1, addr.size() - 2);
  if (addr.empty() || addr.size() > 64) return std::nullopt;
  IpNetwork n;
  std::string a(addr);
  n.v6 = a.find(':') != std::string::npos;
  if (inet_pton(n.v6 ? AF_INET6 : AF_INET, a.c_str(), n.bytes.data()) != 1) return std::nullopt;
  int bits = n.v6 ? 128 : 32;
  n.prefix = bits;
  if (has_prefix) {
    n.prefix = small_number(prefix_text, bits);
    if (n.prefix < 0 && !n.v6) n.prefix = netmask_prefix(prefix_text);
    if (n.prefix < 0) return std::nullopt;
  }
  n.clear_host_bits();
  return n;
}

bool IpNetwork::contains(const IpNetwork& a) const {
  if (a.v6 != v6 || a.prefix < prefix) return false;
  int whole = prefix / 8;
  if (std::memcmp(bytes.data(), a.bytes.data(), whole) != 0) return false;
  int rest = prefix % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (bytes[whole] & mask) == (a.bytes[whole] & mask);
}

void IpNetwork::clear_host_bits() {
  for (int i = 0; i < 16; ++i) {
    int keep = prefix - i * 8;
    if (keep >= 8) continue;
    bytes[i] &= keep <= 0 ? 0 : static_cast<uint8_t>(0xFF << (8 - keep));
  }
}

std::optional<IpNetwork> IpNetwork::masked(int bits) const {
  if (bits < 0 || bits > (v6 ? 128 : 32)) return std::nullopt;
  IpNetwork n = *this;
  if (bits < n.prefix) n.prefix = bits;
  n.clear_host_bits();
  return n;
}

std::string IpNetwork::address_text() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
  return buf;
}

}  // namespace logpipe
