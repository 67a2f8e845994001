#include "filters/geoip_filter.h"

#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <optional>

#include "engine/config/typed_options.h"
#include "engine/system/log.h"
#include "engine/config/field_option.h"
#include "filters/shared_by_path.h"

namespace logpipe {

namespace {

// Logstash's Field enum, in its order (the order results are written in):
// the ECS path below target ("" = no ECS name, skipped) and the legacy one.
enum GeoField {
  kAsn, kAsOrg, kCityName, kCountryName, kContinentCode, kContinentName, kCountryCode2,
  kCountryCode3, kDomain, kIp, kIsp, kPostalCode, kDmaCode, kRegionName, kRegionCode,
  kRegionIsoCode, kTimezone, kLocation, kLatitude, kLongitude, kOrganization, kNetwork,
  kHostingProvider, kTorExitNode, kAnonymousVpn, kAnonymous, kPublicProxy, kResidentialProxy,
  kFieldCount
};

struct FieldNames {
  const char* option;  // as written in `fields` (any case)
  const char* ecs;
  const char* legacy;
};

constexpr std::array<FieldNames, kFieldCount> kFieldNames = {{
    {"AUTONOMOUS_SYSTEM_NUMBER", "[as][number]", "[asn]"},
    {"AUTONOMOUS_SYSTEM_ORGANIZATION", "[as][organization][name]", "[as_org]"},
    {"CITY_NAME", "[geo][city_name]", "[city_name]"},
    {"COUNTRY_NAME", "[geo][country_name]", "[country_name]"},
    {"CONTINENT_CODE", "[geo][continent_code]", "[continent_code]"},
    {"CONTINENT_NAME", "[geo][continent_name]", "[continent_name]"},
    {"COUNTRY_CODE2", "[geo][country_iso_code]", "[country_code2]"},
    {"COUNTRY_CODE3", "", "[country_code3]"},
    {"DOMAIN", "[domain]", "[domain]"},
    {"IP", "[ip]", "[ip]"},
    {"ISP", "[mmdb][isp]", "[isp]"},
    {"POSTAL_CODE", "[geo][postal_code]", "[postal_code]"},
    {"DMA_CODE", "[mmdb][dma_code]", "[dma_code]"},
    {"REGION_NAME", "[geo][region_name]", "[region_name]"},
    {"REGION_CODE", "[geo][region_code]", "[region_code]"},
    {"REGION_ISO_CODE", "[geo][region_iso_code]", "[region_iso_code]"},
    {"TIMEZONE", "[geo][timezone]", "[timezone]"},
    {"LOCATION", "[geo][location]", "[location]"},
    {"LATITUDE", "[geo][location][lat]", "[latitude]"},
    {"LONGITUDE", "[geo][location][lon]", "[longitude]"},
    {"ORGANIZATION", "[mmdb][organization]", "[organization]"},
    {"NETWORK", "[ip_traits][network]", "[network]"},
    {"HOSTING_PROVIDER", "[ip_traits][hosting_provider]", "[hosting_provider]"},
    {"TOR_EXIT_NODE", "[ip_traits][tor_exit_node]", "[tor_exit_node]"},
    {"ANONYMOUS_VPN", "[ip_traits][anonymous_vpn]", "[anonymous_vpn]"},
    {"ANONYMOUS", "[ip_traits][anonymous]", "[anonymous]"},
    {"PUBLIC_PROXY", "[ip_traits][public_proxy]", "[public_proxy]"},
    {"RESIDENTIAL_PROXY", "[ip_traits][residential_proxy]", "[residential_proxy]"},
}};

// The database kinds Logstash tells apart by the metadata's database_type,
// with the fields each lookup can fill and those it fills by default.
enum class DbKind { City, Country, Asn, Isp, Domain, Enterprise, AnonymousIp };

struct KindInfo {
  DbKind kind;
  const char* type_contains;  // tested in this order, as Logstash does
  std::vector<int> supported;
  std::vector<int> defaults;
};

const std::vector<KindInfo>& kinds() {
  static const std::vector<KindInfo> k = {
      {DbKind::City, "City",
       {kCityName, kContinentCode, kContinentName, kCountryName, kCountryCode2, kCountryCode3, kIp,
        kPostalCode, kDmaCode, kRegionName, kRegionCode, kRegionIsoCode, kTimezone, kLocation,
        kLatitude, kLongitude},
       {kIp, kCityName, kContinentCode, kCountryName, kCountryCode2, kCountryCode3, kPostalCode,
        kDmaCode, kRegionName, kRegionIsoCode, kTimezone, kLocation, kLatitude, kLongitude}},
      {DbKind::Country, "Country",
       {kIp, kCountryCode2, kCountryName, kContinentName},
       {kIp, kCountryCode2, kCountryName, kContinentName}},
      {DbKind::Domain, "GeoIP2-Domain", {kDomain}, {kDomain}},
      {DbKind::Asn, "GeoLite2-ASN", {kIp, kAsn, kAsOrg, kNetwork}, {kIp, kAsn, kAsOrg}},
      {DbKind::Isp, "GeoIP2-ISP",
       {kIp, kAsn, kAsOrg, kIsp, kOrganization},
       {kIp, kAsn, kAsOrg, kIsp, kOrganization}},
      {DbKind::Enterprise, "Enterprise",
       {kIp, kCountryCode2, kCountryName, kContinentName, kRegionIsoCode, kRegionName, kCityName,
        kTimezone, kLocation, kAsn, kAsOrg, kNetwork, kHostingProvider, kTorExitNode,
        kAnonymousVpn, kAnonymous, kPublicProxy, kResidentialProxy},
       {kIp, kCountryCode2, kCountryName, kContinentName, kRegionIsoCode, kRegionName, kCityName,
        kLocation}},
      {DbKind::AnonymousIp, "GeoIP2-Anonymous-IP",
       {kIp, kHostingProvider, kTorExitNode, kAnonymousVpn, kAnonymous, kPublicProxy,
        kResidentialProxy},
       {kHostingProvider, kTorExitNode, kAnonymousVpn, kAnonymous, kPublicProxy,
        kResidentialProxy}},
  };
  return k;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// An address as Java's InetAddress prints it: dotted IPv4 (also for an
// IPv4-mapped IPv6 address), IPv6 as eight uncompressed hex groups.
struct ParsedIp {
  bool v4 = false;
  unsigned char bytes[16] = {};
  std::string text;
};

std::string address_text(bool v4, const unsigned char* bytes) {
  char text[64];
  if (v4) {
    std::snprintf(text, sizeof text, "%u.%u.%u.%u", bytes[0], bytes[1], bytes[2], bytes[3]);
  } else {
    int n = 0;
    for (int g = 0; g < 8; ++g)
      n += std::snprintf(text + n, sizeof text - n, g ? ":%x" : "%x",
                         (bytes[2 * g] << 8) | bytes[2 * g + 1]);
  }
  return text;
}

bool parse_ip(std::string_view input, ParsedIp* out) {
  if (input.size() >= 2 && input.front() == '[' && input.back() == ']')
    input = input.substr(1, input.size() - 2);
  if (input.empty() || input.size() > 45) return false;
  char buf[64];
  std::memcpy(buf, input.data(), input.size());
  buf[input.size()] = 0;
  if (inet_pton(AF_INET, buf, out->bytes) == 1) {
    out->v4 = true;
  } else if (inet_pton(AF_INET6, buf, out->bytes) == 1) {
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(out->bytes, mapped, 12) == 0) {
      std::memmove(out->bytes, out->bytes + 12, 4);
      out->v4 = true;
    }
  } else {
    return false;
  }
  out->text = address_text(out->v4, out->bytes);
  return true;
}

// The network an address was found in, as "address/prefix".
std::string network_text(const ParsedIp& ip, int prefix) {
  ParsedIp net = ip;
  int len = ip.v4 ? 4 : 16;
  for (int i = 0; i < len; ++i) {
    int bits = prefix - 8 * i;
    unsigned char mask = bits >= 8 ? 0xff : bits <= 0 ? 0 : static_cast<unsigned char>(0xff << (8 - bits));
    net.bytes[i] &= mask;
  }
  return address_text(ip.v4, net.bytes) + "/" + std::to_string(prefix);
}

const char* const kDatabaseDirs[] = {"/var/lib/GeoIP", "/usr/share/GeoIP", "/usr/local/share/GeoIP"};

std::string default_database(const std::string& type) {
  std::string searched;
  for (const char* dir : kDatabaseDirs) {
    std::string path = std::string(dir) + "/GeoLite2-" + type + ".mmdb";
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return path;
    searched += (searched.empty() ? "" : ", ") + path;
  }
  throw OptionError("database", "no database given and none found (looked for " + searched +
                                    "); install one with geoipupdate or set `database`");
}

const char* const kEcsTargets[] = {"client", "destination", "host", "observer", "server", "source"};

struct GeoipOptions {
  std::string source;
  std::optional<std::string> target;
  std::optional<std::string> database;
  std::string default_database_type;
  std::vector<std::string> fields;
  int64_t cache_size = 1000;
  std::vector<std::string> tag_on_failure;
  std::string ecs_compatibility;
};

const OptionSchema<GeoipOptions>& geoip_schema() {
  static const OptionSchema<GeoipOptions> schema = [] {
    OptionSchema<GeoipOptions> s;
    s.string("source", &GeoipOptions::source, "Field holding the IP address to look up.").required();
    s.string("target", &GeoipOptions::target,
             "Field the results go under; default geoip (legacy), or the parent of a [...][ip] "
             "source in ECS mode.");
    s.path("database", &GeoipOptions::database,
           "MaxMind .mmdb database (City, Country, ASN, ISP, Domain, Enterprise or Anonymous-IP); "
           "default: "
           "GeoLite2-<default_database_type>.mmdb in /var/lib/GeoIP, /usr/share/GeoIP or "
           "/usr/local/share/GeoIP.");
    s.string("default_database_type", &GeoipOptions::default_database_type,
             "Which database to look for when `database` is not given.")
        .fallback("City")
        .one_of({"City", "ASN"});
    s.strings("fields", &GeoipOptions::fields,
              "Fields to write (Logstash's names, e.g. city_name, country_code2, location); "
              "default: all of the database kind's usual fields.");
    s.integer("cache_size", &GeoipOptions::cache_size,
              "Lookup results cached per worker (least recently used go first).")
        .fallback(1000)
        .at_least(0);
    s.strings("tag_on_failure", &GeoipOptions::tag_on_failure,
              "Tags added when the address is missing, invalid or not in the database.")
        .fallback(Value(Array{Value("_geoip_lookup_failure")}));
    s.string("ecs_compatibility", &GeoipOptions::ecs_compatibility,
             "Field names: disabled (legacy, [geoip][country_code2]) or v1/v8 (ECS, "
             "[client][geo][country_iso_code]).")
        .fallback("disabled")
        .one_of({"disabled", "v1", "v8"});
    return s;
  }();
  return schema;
}

// The reference's text in bracket form, so that a sub-path can follow it.
std::string bracketed(const FieldRef& ref) {
  std::string s = ref.metadata() ? "[@metadata]" : "";
  for (auto& p : ref.path()) s += "[" + p + "]";
  return s;
}

}  // namespace

// ---------------------------------------------------------------- database

// One open database, shared by every worker's filter copy.
class GeoipDatabase {
 public:
  static std::shared_ptr<const GeoipDatabase> open(const std::string& path) {
    return shared_by_path<GeoipDatabase>(path, [](const std::string& p) {
      return std::shared_ptr<const GeoipDatabase>(new GeoipDatabase(p));
    });
  }
  ~GeoipDatabase() { MMDB_close(&mmdb_); }
  GeoipDatabase(const GeoipDatabase&) = delete;
  GeoipDatabase& operator=(const GeoipDatabase&) = delete;

  const KindInfo& kind() const { return *kind_; }
  const std::string& type() const { return type_; }

  // Looks ip up; false when the database has no record for it.
  bool lookup(const ParsedIp& ip, MMDB_entry_s* entry, int* prefix) const {
    sockaddr_storage ss{};
    if (ip.v4) {
      auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
      sin->sin_family = AF_INET;
      std::memcpy(&sin->sin_addr, ip.bytes, 4);
    } else {
      auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
      sin6->sin6_family = AF_INET6;
      std::memcpy(&sin6->sin6_addr, ip.bytes, 16);
    }
    int error = 0;
    MMDB_lookup_result_s r =
        MMDB_lookup_sockaddr(&mmdb_, reinterpret_cast<const sockaddr*>(&ss), &error);
    if (error != MMDB_SUCCESS || !r.found_entry) return false;
    *entry = r.entry;
    // In an IPv6 tree an IPv4 address sits below ::/96.
    *prefix = ip.v4 && mmdb_.metadata.ip_version == 6 ? r.netmask - 96 : r.netmask;
    return true;
  }

 private:
  explicit GeoipDatabase(const std::string& path) {
    int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &mmdb_);
    if (status != MMDB_SUCCESS) {
      std::string why = MMDB_strerror(status);
      if (status == MMDB_IO_ERROR) why += std::string(": ") + std::strerror(errno);
      throw OptionError("database", "cannot open " + path + ": " + why);
    }
    type_ = mmdb_.metadata.database_type ? mmdb_.metadata.database_type : "";
    for (auto& k : kinds())
      if (type_.find(k.type_contains) != std::string::npos) {
        kind_ = &k;
        break;
      }
    if (!kind_) {
      MMDB_close(&mmdb_);
      throw OptionError("database", path + ": database type '" + type_ +
                                        "' is not supported (City, Country, ASN, ISP, Domain, Enterprise or Anonymous-IP)");
    }
  }

  MMDB_s mmdb_{};
  std::string type_;
  const KindInfo* kind_ = nullptr;
};

namespace {

// Reads one value at a path below entry; null Value when absent.
template <class... Path>
Value mmdb_value(MMDB_entry_s entry, Path... path) {
  MMDB_entry_data_s d;
  if (MMDB_get_value(&entry, &d, path..., nullptr) != MMDB_SUCCESS || !d.has_data) return Value();
  switch (d.type) {
    case MMDB_DATA_TYPE_UTF8_STRING: return Value(std::string(d.utf8_string, d.data_size));
    case MMDB_DATA_TYPE_DOUBLE: return Value(d.double_value);
    case MMDB_DATA_TYPE_FLOAT: return Value(static_cast<double>(d.float_value));
    case MMDB_DATA_TYPE_UINT16: return Value(int64_t{d.uint16});
    case MMDB_DATA_TYPE_UINT32: return Value(int64_t{d.uint32});
    case MMDB_DATA_TYPE_INT32: return Value(int64_t{d.int32});
    case MMDB_DATA_TYPE_UINT64: return Value(static_cast<int64_t>(d.uint64));
    case MMDB_DATA_TYPE_BOOLEAN: return Value(d.boolean);
    default: return Value();
  }
}

// The record's subdivisions array length (the most specific is the last).
int subdivision_count(MMDB_entry_s entry) {
  MMDB_entry_data_s d;
  if (MMDB_get_value(&entry, &d, "subdivisions", nullptr) != MMDB_SUCCESS || !d.has_data ||
      d.type != MMDB_DATA_TYPE_ARRAY)
    return 0;
  return static_cast<int>(d.data_size);
}

}  // namespace

// ---------------------------------------------------------------- filter

GeoipFilter::GeoipFilter(const PluginArgs& args)
    : Filter(args), cache_(0) {
  GeoipOptions o = geoip_schema().bind(args.settings);
  bool ecs = o.ecs_compatibility != "disabled";
  source_ = field_option("source", o.source);
  std::string target;
  if (o.target) {
    target = *o.target;
  } else if (!ecs) {
    target = "geoip";
  } else if (o.source.size() > 4 && o.source.compare(o.source.size() - 4, 4, "[ip]") == 0) {
    target = o.source.substr(0, o.source.size() - 4);
  } else {
    throw OptionError("target", "in ECS compatibility mode a target is required when source is "
                                "not an `ip` sub-field such as [client][ip]");
  }
  target_ = field_option("target", target);
  if (ecs && args.env.validating) {
    bool known = false;
    if (target_.path().size() == 1 && !target_.metadata())
      for (const char* t : kEcsTargets) known = known || target_.path()[0] == t;
    if (!known)
      log_warn("geoip {}: ECS expects target to be one of client, destination, host, observer, "
               "server, source (is {})", id(), target);
  }

  db_ = GeoipDatabase::open(o.database ? *o.database : default_database(o.default_database_type));
  const KindInfo& kind = db_->kind();

  std::vector<bool> wanted(kFieldCount, false);
  if (!o.fields.empty()) {
    for (auto& name : o.fields) {
      std::string u = upper(name);
      int f = 0;
      while (f < kFieldCount && u != kFieldNames[f].option) ++f;
      if (f == kFieldCount) {
        std::string valid;
        for (auto& n : kFieldNames) valid += (valid.empty() ? "" : ", ") + std::string(n.option);
        throw OptionError("fields", "illegal field value " + name + ". valid values are [" + valid + "]");
      }
      wanted[f] = true;
    }
  } else {
    for (int f : kind.defaults) wanted[f] = true;
    if (kind.kind == DbKind::City && !ecs) {  // legacy City keeps region_code
      wanted[kRegionIsoCode] = false;
      wanted[kRegionCode] = true;
    }
  }
  std::string base = bracketed(target_);
  field_refs_.resize(kFieldCount);
  for (int f = 0; f < kFieldCount; ++f) {
    const char* sub = ecs ? kFieldNames[f].ecs : kFieldNames[f].legacy;
    if (!wanted[f] || !*sub) continue;  // country_code3 has no ECS name
    bool supported = false;
    for (int s : kind.supported) supported = supported || s == f;
    if (!supported) continue;  // Logstash's lookup of that kind ignores it
    fields_.push_back(f);
    field_refs_[f] = FieldRef::must(base + sub);
  }
  tag_on_failure_ = std::move(o.tag_on_failure);
  cache_ = LruCache<Result>(static_cast<size_t>(o.cache_size));
}

GeoipFilter::~GeoipFilter() = default;

GeoipFilter::Result GeoipFilter::resolve(std::string_view text) const {
  Result r;
  ParsedIp ip;
  MMDB_entry_s entry;
  int prefix = 0;
  if (!parse_ip(text, &ip) || !db_->lookup(ip, &entry, &prefix)) return r;
  DbKind kind = db_->kind().kind;
  if (kind == DbKind::City) {  // no location: Logstash takes the record as empty
    if (mmdb_value(entry, "location", "latitude").is_null() &&
        mmdb_value(entry, "location", "longitude").is_null())
      return r;
  }
  int subdivisions = -1;
  std::string last_subdivision;
  auto subdivision = [&](const char* key, const char* key2) {
    if (subdivisions < 0) {
      subdivisions = subdivision_count(entry);
      last_subdivision = std::to_string(subdivisions - 1);
    }
    if (subdivisions == 0) return Value();
    return key2 ? mmdb_value(entry, "subdivisions", last_subdivision.c_str(), key, key2)
                : mmdb_value(entry, "subdivisions", last_subdivision.c_str(), key);
  };
  // Enterprise records keep AS and anonymity data under traits; a flag
  // that is absent is false, as Logstash reports it.
  bool traits = kind == DbKind::Enterprise;
  auto flag = [&](const char* key) {
    Value b = traits ? mmdb_value(entry, "traits", key) : mmdb_value(entry, key);
    return b.is_bool() ? b : Value(false);
  };
  for (int f : fields_) {
    Value v;
    switch (f) {
      case kIp: v = Value(ip.text); break;
      case kCityName: v = mmdb_value(entry, "city", "names", "en"); break;
      case kContinentCode: v = mmdb_value(entry, "continent", "code"); break;
      case kContinentName: v = mmdb_value(entry, "continent", "names", "en"); break;
      case kCountryName: v = mmdb_value(entry, "country", "names", "en"); break;
      case kCountryCode2:
      case kCountryCode3: v = mmdb_value(entry, "country", "iso_code"); break;
      case kPostalCode: v = mmdb_value(entry, "postal", "code"); break;
      case kDmaCode: v = mmdb_value(entry, "location", "metro_code"); break;
      case kRegionName: v = subdivision("names", "en"); break;
      case kRegionCode: v = subdivision("iso_code", nullptr); break;
      case kRegionIsoCode: {
        Value country = mmdb_value(entry, "country", "iso_code");
        Value region = subdivision("iso_code", nullptr);
        if (country.is_string() && region.is_string())
          v = Value(country.as_string() + "-" + region.as_string());
        break;
      }
      case kTimezone: v = mmdb_value(entry, "location", "time_zone"); break;
      case kLocation: {
        Value lat = mmdb_value(entry, "location", "latitude");
        Value lon = mmdb_value(entry, "location", "longitude");
        if (!lat.is_null() && !lon.is_null()) {
          Object loc;
          loc.set("lat", std::move(lat));
          loc.set("lon", std::move(lon));
          v = Value(std::move(loc));
        }
        break;
      }
      case kLatitude: v = mmdb_value(entry, "location", "latitude"); break;
      case kLongitude: v = mmdb_value(entry, "location", "longitude"); break;
      case kAsn:
        v = traits ? mmdb_value(entry, "traits", "autonomous_system_number")
                   : mmdb_value(entry, "autonomous_system_number");
        break;
      case kAsOrg:
        v = traits ? mmdb_value(entry, "traits", "autonomous_system_organization")
                   : mmdb_value(entry, "autonomous_system_organization");
        break;
      case kHostingProvider: v = flag("is_hosting_provider"); break;
      case kTorExitNode: v = flag("is_tor_exit_node"); break;
      case kAnonymousVpn: v = flag("is_anonymous_vpn"); break;
      case kAnonymous: v = flag("is_anonymous"); break;
      case kPublicProxy: v = flag("is_public_proxy"); break;
      case kResidentialProxy: v = flag("is_residential_proxy"); break;
      case kIsp: v = mmdb_value(entry, "isp"); break;
      case kOrganization: v = mmdb_value(entry, "organization"); break;
      case kNetwork: v = Value(network_text(ip, prefix)); break;
      case kDomain:  // Logstash sets it even when the record has none
        r.values.emplace_back(&field_refs_[f], mmdb_value(entry, "domain"));
        continue;
      default: break;
    }
    if (!v.is_null()) r.values.emplace_back(&field_refs_[f], std::move(v));
  }
  r.found = !r.values.empty();
  return r;
}

const GeoipFilter::Result& GeoipFilter::lookup(std::string_view ip) {
  if (const Result* hit = cache_.find(ip)) return *hit;
  return cache_.put(ip, resolve(ip));
}

void GeoipFilter::fail(Event& e) const {
  for (const auto& tag : tag_on_failure_) e.add_tag(tag);
}

void GeoipFilter::filter(Event& e, FilterContext& ctx) {
  (void)ctx;
  const Value* src = e.get(source_);
  if (src && src->is_array()) src = src->as_array().empty() ? nullptr : &src->as_array()[0];
  if (!src || src->is_null()) return fail(e);
  if (!src->is_string()) {
    log_debug("geoip {}: field {} is not a string", id(), source_.text());
    return fail(e);
  }
  const std::string& text = src->as_string();
  bool blank = true;
  for (char c : text) blank = blank && std::isspace(static_cast<unsigned char>(c));
  if (blank) return fail(e);
  const Result& r = lookup(text);
  if (!e.get(target_)) e.set(target_, Value(Object{}));
  if (!r.found) return fail(e);
  for (auto& [ref, value] : r.values) e.set(*ref, value);
  filter_matched(e);
}

PluginInfo geoip_filter_info() {
  PluginInfo info;
  info.name = "geoip";
  info.kind = PluginKind::Filter;
  info.description =
      "Adds the location (or AS, ISP, domain) of an IP address from a MaxMind database.";
  info.options = geoip_schema().specs();
  info.make_filter = [](const PluginArgs& args) -> std::unique_ptr<Filter> {
    return std::make_unique<GeoipFilter>(args);
  };
  return info;
}

}  // namespace logpipe
