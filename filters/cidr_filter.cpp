#include "filters/cidr_filter.h"

#include <sys/stat.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "engine/config/typed_options.h"
#include "engine/system/log.h"
#include "engine/config/field_option.h"

namespace logpipe {

namespace {

struct CidrOptions {
  std::vector<std::string> address, network;
  std::optional<std::string> address_field, network_path;
  double refresh_interval = 600;
  std::string separator;
};

const OptionSchema<CidrOptions>& cidr_schema() {
  static const OptionSchema<CidrOptions> schema = [] {
    OptionSchema<CidrOptions> s;
    s.strings("address", &CidrOptions::address, "IP addresses to check (%{field} allowed).");
    s.string("address_field", &CidrOptions::address_field,
             "Field holding the address(es) to check; instead of address.");
    s.strings("network", &CidrOptions::network,
              "Networks to check against, e.g. 10.0.0.0/8 or 2001:db8::/32 (%{field} allowed; "
              "an entry may list several, comma-separated).");
    s.path("network_path", &CidrOptions::network_path,
           "File listing the networks, one per separator; instead of network.");
    s.number("refresh_interval", &CidrOptions::refresh_interval,
             "Seconds between checks of network_path for changes.")
        .fallback(600)
        .at_least(0);
    s.string("separator", &CidrOptions::separator, "Separator between networks in network_path.")
        .fallback("\n");
    return s;
  }();
  return schema;
}

std::string_view strip(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == '\0'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

void split_networks(std::string_view text, std::string_view separator, bool strip_entries,
                    std::vector<IpNetwork>& out, std::vector<std::string>* bad) {
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = separator.empty() ? std::string_view::npos : text.find(separator, start);
    std::string_view entry = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (strip_entries) entry = strip(entry);
    if (!entry.empty()) {  // Ruby drops trailing empty entries; a blank one parses as nothing
      if (auto n = IpNetwork::parse(entry)) {
        out.push_back(*n);
      } else if (bad) {
        bad->emplace_back(entry);
      }
    }
    if (end == std::string_view::npos) break;
    start = end + separator.size();
  }
}

}  // namespace

CidrFilter::CidrFilter(const PluginArgs& args) : Filter(args) {
  CidrOptions o = cidr_schema().bind(args.settings);
  if (o.network_path && !o.network.empty())
    throw OptionError("network_path", "network and network_path are mutually exclusive");
  if (o.address_field && !o.address.empty())
    throw OptionError("address_field", "address and address_field are mutually exclusive");
  for (auto& a : o.address) address_.emplace_back(a);
  if (o.address_field) address_field_ = field_option("address_field", *o.address_field);

  if (o.network_path) {
    network_path_ = *o.network_path;
    separator_ = o.separator;
    std::string error;
    warn_skipped_ = args.env.validating;  // the first read warns once, not once per worker
    if (!load_file(&error)) throw OptionError("network_path", error);
    warn_skipped_ = true;
    refresh_interval_ = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(o.refresh_interval));
    next_refresh_ = std::chrono::steady_clock::now() + refresh_interval_;
    return;
  }
  bool dynamic = false;
  for (auto& n : o.network) dynamic = dynamic || !SprintfTemplate(n).constant();
  if (dynamic) {
    for (auto& n : o.network) network_templates_.emplace_back(n);
    return;
  }
  std::vector<std::string> bad;
  for (auto& n : o.network) split_networks(n, ",", true, networks_, &bad);
  if (!bad.empty()) throw OptionError("network", "not an IP network: '" + bad.front() + "'");
}

bool CidrFilter::load_file(std::string* error) {
  struct stat st {};
  std::ifstream in(network_path_, std::ios::binary);
  if (!in || ::stat(network_path_.c_str(), &st) != 0) {
    *error = "cannot read " + network_path_ + ": " + std::strerror(errno);
    return false;
  }
  std::stringstream text;
  text << in.rdbuf();
  std::vector<IpNetwork> networks;
  std::vector<std::string> bad;
  split_networks(text.str(), separator_, false, networks, &bad);
  file_state_ = FileState{st.st_size, int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec, st.st_ino};
  if (networks.empty() && bad.empty()) {
    *error = network_path_ + " lists no network (check separator)";
    return false;
  }
  if (!bad.empty() && warn_skipped_)
    log_warn("cidr {}: {} entries of {} are not IP networks, skipped (first: '{}')", id(), bad.size(),
             network_path_, bad.front());
  networks_ = std::move(networks);
  return true;
}

void CidrFilter::refresh_if_due() {
  auto now = std::chrono::steady_clock::now();
  if (now < next_refresh_) return;
  next_refresh_ = now + refresh_interval_;
  struct stat st {};
  if (::stat(network_path_.c_str(), &st) != 0) {
    log_error("cidr {}: cannot stat {}: {}; keeping the networks read before", id(), network_path_,
              std::strerror(errno));
    return;
  }
  FileState seen{st.st_size, int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec, st.st_ino};
  if (seen.size == file_state_.size && seen.mtime_ns == file_state_.mtime_ns && seen.inode == file_state_.inode)
    return;
  std::string error;
  if (!load_file(&error)) log_error("cidr {}: {}; keeping the networks read before", id(), error);
}

void CidrFilter::addresses_of(const Event& e, std::vector<IpNetwork>& out) const {
  out.clear();
  auto add = [&](std::string_view text) {
    if (auto a = IpNetwork::parse(text)) out.push_back(*a);
  };
  if (address_field_) {
    const Value* v = e.get(*address_field_);
    if (!v) return;
    if (v->is_string()) add(v->as_string());
    if (v->is_array())
      for (const Value& x : v->as_array())
        if (x.is_string()) add(x.as_string());
    return;
  }
  std::string text;
  for (const SprintfTemplate& t : address_) {
    text.clear();
    t.append(e, text);
    add(text);
  }
}

const std::vector<IpNetwork>& CidrFilter::networks_for(const Event& e) {
  if (network_templates_.empty()) return networks_;
  event_networks_.clear();
  std::string text;
  for (const SprintfTemplate& t : network_templates_) {
    text.clear();
    t.append(e, text);
    split_networks(text, ",", true, event_networks_, nullptr);
  }
  return event_networks_;
}

void CidrFilter::filter(Event& e, FilterContext& ctx) {
  (void)ctx;
  if (!network_path_.empty()) refresh_if_due();
  addresses_of(e, addresses_);
  if (addresses_.empty()) return;
  const std::vector<IpNetwork>& networks = networks_for(e);
  for (const IpNetwork& a : addresses_)
    for (const IpNetwork& n : networks)
      if (n.contains(a)) {
        filter_matched(e);
        return;
      }
}

PluginInfo cidr_filter_info() {
  PluginInfo info;
  info.name = "cidr";
  info.kind = PluginKind::Filter;
  info.description = "Checks IP addresses against networks; on a match applies add_field/add_tag.";
  info.options = cidr_schema().specs();
  info.make_filter = [](const PluginArgs& args) -> std::unique_ptr<Filter> {
    return std::make_unique<CidrFilter>(args);
  };
  return info;
}

}  // namespace logpipe
