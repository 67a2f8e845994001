// cidr filter: checks IP addresses against networks, as Logstash's cidr
// filter. When any address lies in any network, filter_matched runs
// (add_field, add_tag ...); otherwise the event is left as it was.
//
// Addresses: `address` (each %{field}-formatted) or `address_field` (a
// field holding one address or an array of them). Networks: `network`
// (each formatted, then split on "," and stripped) or `network_path`, a
// file of networks split on `separator` (default "\n"; entries are not
// stripped, as in Logstash). A network is an address with an optional
// /prefix (IPv4 may give a dotted netmask); a bare address is a host.
// IPv4 and IPv6; an address matches only networks of its own family.
//
// Bad input: an address that does not parse matches nothing. A constant
// network that does not parse is a config error (Logstash skips it with a
// warning); one that comes from %{field} or from the file is skipped. The
// file must exist and hold a network at start; afterwards it is checked
// every refresh_interval seconds and re-read when its size, mtime or inode
// changed; a read that fails or finds it empty keeps the old list.
// One instance per filter worker (each reads the file itself): not
// thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event/field_ref.h"
#include "engine/event/sprintf.h"
#include "engine/plugin.h"
#include "filters/ip_network.h"

namespace logpipe {

PluginInfo cidr_filter_info();

class CidrFilter : public Filter {
 public:
  explicit CidrFilter(const PluginArgs& args);
  void filter(Event& e, FilterContext& ctx) override;

 private:
  struct FileState {
    off_t size = -1;
    int64_t mtime_ns = -1;
    ino_t inode = 0;
  };
  void addresses_of(const Event& e, std::vector<IpNetwork>& out) const;
  const std::vector<IpNetwork>& networks_for(const Event& e);
  // Reads network_path; false (and the list unchanged) when it cannot be
  // read or holds no entry.
  bool load_file(std::string* error);
  void refresh_if_due();

  std::vector<SprintfTemplate> address_;
  std::optional<FieldRef> address_field_;
  std::vector<SprintfTemplate> network_templates_;  // only when some use %{field}
  std::vector<IpNetwork> networks_;
  std::vector<IpNetwork> event_networks_;  // per-event scratch for templates
  std::vector<IpNetwork> addresses_;       // per-event scratch
  std::string network_path_, separator_;
  std::chrono::steady_clock::duration refresh_interval_{};
  std::chrono::steady_clock::time_point next_refresh_{};
  FileState file_state_;
  bool warn_skipped_ = true;
};

}  // namespace logpipe
