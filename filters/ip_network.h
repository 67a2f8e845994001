// IpNetwork: an IPv4 or IPv6 network parsed the way Ruby's IPAddr.new reads
// one (cidr and fingerprint's IPV4_NETWORK use it). A host is a network with
// the full prefix; the address bits below the prefix are cleared, as
// IPAddr#mask does. Plain value type, thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace logpipe {

struct IpNetwork {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4 uses the first 4
  int prefix = 0;

  // "10.0.0.0/8", "10.0.0.0/255.0.0.0", "192.168.1.1", "2001:db8::/32",
  // "[::1]"; nullopt for anything else (leading zeros in IPv4 included).
  static std::optional<IpNetwork> parse(std::string_view text);
  bool contains(const IpNetwork& address) const;
  // The same network cut to a shorter prefix; nullopt past the family's bits.
  std::optional<IpNetwork> masked(int prefix) const;
  // The address part as IPAddr#to_s writes it (IPv6 compressed).
  std::string address_text() const;

 private:
  void clear_host_bits();
};

}  // namespace logpipe
