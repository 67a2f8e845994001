// cef: ArcSight Common Event Format, as Logstash's cef codec reads and writes it.
//
//   CEF:Version|Device Vendor|Device Product|Device Version|Signature ID|Name|Severity|Extension
//
// Decode: the seven pipe-terminated header fields (`\|` and `\\` escaped),
// then `key=value` extensions separated by spaces, where a value runs until
// the next ` key=` and `\=`, `\\`, `\n`, `\r` are escapes. Text before
// "CEF:" in the version field (a syslog header) goes to `syslog` /
// [log][syslog][header]. Keys are renamed by the plugin's table: short keys
// (src) and full names (sourceAddress) both become the full name in legacy
// mode (ecs_compatibility => disabled) or the ECS field ([source][ip]) in
// v1/v8, where timestamp fields (rt, art, end, start, mrt ...) become
// timestamps. With `delimiter` the input is a stream cut at it; without,
// each decode() is one CEF message. Text that is not CEF gives an event whose
// message is that text, tagged _cefparsefailure.
//
// Encode: "CEF:0|vendor|product|version|signature|name|severity|" (sprintf
// templates, header escaping, severity 0-10 or 6) then the `fields` as
// key=value, keys renamed back (full names, or the short keys with
// reverse_mapping), then `delimiter` if set.
//
// One instance per stream; not thread-safe.
#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <unordered_map>

#include "engine/codecs/codec_options.h"
#include "engine/codecs/codecs.h"
#include "engine/codecs/line_splitter.h"
#include "engine/config/field_option.h"
#include "engine/event/sprintf.h"
#include "engine/text/civil_time.h"
#include "engine/text/json_writer.h"
#include "engine/text/time_zone_rules.h"
#include "engine/text/utf8.h"
#include "filters/date/joda_date_parser.h"

namespace logpipe {

namespace {

// ------------------------------------------------------------ the key table

// One CEF extension: its full name, its short key (the name when it has
// none), its ECS field ("[DEVICE]" is [observer] or [host], after `device`),
// an older full name still accepted, and whether ECS mode makes it a
// timestamp. Priority 10 entries win an ECS field shared with another.
struct CefKey {
  const char* name;
  const char* key;
  const char* ecs;
  const char* legacy = nullptr;
  int priority = 0;
  bool timestamp = false;
  const char* ecs_host = nullptr;  // the ECS field when device => host, if not [DEVICE]
};

const std::vector<CefKey>& cef_keys() {
  static const std::vector<CefKey> keys = [] {
    std::vector<CefKey> k = {
        {"agentAddress", "agt", "[agent][ip]"},
        {"agentDnsDomain", nullptr, "[cef][agent][registered_domain]", nullptr, 10},
        {"agentHostName", "ahost", "[agent][name]"},
        {"agentId", "aid", "[agent][id]"},
        {"agentMacAddress", "amac", "[agent][mac]"},
        {"agentNtDomain", nullptr, "[cef][agent][registered_domain]"},
        {"agentReceiptTime", "art", "[event][created]", nullptr, 0, true},
        {"agentTimeZone", "atz", "[cef][agent][timezone]"},
        {"agentTranslatedAddress", nullptr, "[cef][agent][nat][ip]"},
        {"agentTranslatedZoneExternalID", nullptr, "[cef][agent][translated_zone][external_id]"},
        {"agentTranslatedZoneURI", nullptr, "[cef][agent][translated_zone][uri]"},
        {"agentType", "at", "[agent][type]"},
        {"agentVersion", "av", "[agent][version]"},
        {"agentZoneExternalID", nullptr, "[cef][agent][zone][external_id]"},
        {"agentZoneURI", nullptr, "[cef][agent][zone][uri]"},
        {"applicationProtocol", "app", "[network][protocol]"},
        {"baseEventCount", "cnt", "[cef][base_event_count]"},
        {"bytesIn", "in", "[source][bytes]"},
        {"bytesOut", "out", "[destination][bytes]"},
        {"categoryDeviceType", "catdt", "[cef][device_type]"},
        {"customerExternalID", nullptr, "[organization][id]"},
        {"customerURI", nullptr, "[organization][name]"},
        {"destinationAddress", "dst", "[destination][ip]"},
        {"destinationDnsDomain", nullptr, "[destination][registered_domain]", nullptr, 10},
        {"destinationGeoLatitude", "dlat", "[destination][geo][location][lat]", "destinationLatitude"},
        {"destinationGeoLongitude", "dlong", "[destination][geo][location][lon]", "destinationLongitude"},
        {"destinationHostName", "dhost", "[destination][domain]"},
        {"destinationMacAddress", "dmac", "[destination][mac]"},
        {"destinationNtDomain", "dntdom", "[destination][registered_domain]"},
        {"destinationPort", "dpt", "[destination][port]"},
        {"destinationProcessId", "dpid", "[destination][process][pid]"},
        {"destinationProcessName", "dproc", "[destination][process][name]"},
        {"destinationServiceName", nullptr, "[destination][service][name]"},
        {"destinationTranslatedAddress", nullptr, "[destination][nat][ip]"},
        {"destinationTranslatedPort", nullptr, "[destination][nat][port]"},
        {"destinationTranslatedZoneExternalID", nullptr, "[cef][destination][translated_zone][external_id]"},
        {"destinationTranslatedZoneURI", nullptr, "[cef][destination][translated_zone][uri]"},
        {"destinationUserId", "duid", "[destination][user][id]"},
        {"destinationUserName", "duser", "[destination][user][name]"},
        {"destinationUserPrivileges", "dpriv", "[destination][user][group][name]"},
        {"destinationZoneExternalID", nullptr, "[cef][destination][zone][external_id]"},
        {"destinationZoneURI", nullptr, "[cef][destination][zone][uri]"},
        {"deviceAction", "act", "[event][action]"},
        {"deviceAddress", "dvc", "[DEVICE][ip]"},
        {"deviceDirection", nullptr, "[network][direction]"},
        {"deviceDnsDomain", nullptr, "[DEVICE][registered_domain]", nullptr, 10},
        {"deviceEventCategory", "cat", "[cef][category]"},
        {"deviceExternalId", nullptr, "[observer][name]", nullptr, 0, false, "[host][id]"},
        {"deviceFacility", nullptr, "[log][syslog][facility][code]"},
        {"deviceHostName", "dvchost", "[observer][hostname]", nullptr, 0, false, "[host][name]"},
        {"deviceInboundInterface", nullptr, "[observer][ingress][interface][name]"},
        {"deviceMacAddress", "dvcmac", "[DEVICE][mac]"},
        {"deviceNtDomain", nullptr, "[cef][nt_domain]"},
        {"deviceOutboundInterface", nullptr, "[observer][egress][interface][name]"},
        {"devicePayloadId", nullptr, "[cef][payload_id]"},
        {"deviceProcessId", "dvcpid", "[process][pid]"},
        {"deviceProcessName", nullptr, "[process][name]"},
        {"deviceReceiptTime", "rt", "@timestamp", nullptr, 0, true},
        {"deviceTimeZone", "dtz", "[event][timezone]", "destinationTimeZone"},
        {"deviceTranslatedAddress", nullptr, "[host][nat][ip]"},
        {"deviceTranslatedZoneExternalID", nullptr, "[cef][translated_zone][external_id]"},
        {"deviceTranslatedZoneURI", nullptr, "[cef][translated_zone][uri]"},
        {"deviceVersion", nullptr, "[observer][version]"},
        {"deviceZoneExternalID", nullptr, "[cef][zone][external_id]"},
        {"deviceZoneURI", nullptr, "[cef][zone][uri]"},
        {"endTime", "end", "[event][end]", nullptr, 0, true},
        {"eventId", nullptr, "[event][id]"},
        {"eventOutcome", "outcome", "[event][outcome]"},
        {"externalId", nullptr, "[cef][external_id]"},
        {"fileCreateTime", nullptr, "[file][created]"},
        {"fileHash", nullptr, "[file][hash]"},
        {"fileId", nullptr, "[file][inode]"},
        {"fileModificationTime", nullptr, "[file][mtime]", nullptr, 0, true},
        {"fileName", "fname", "[file][name]"},
        {"filePath", nullptr, "[file][path]"},
        {"filePermission", nullptr, "[file][group]"},
        {"fileSize", "fsize", "[file][size]"},
        {"fileType", nullptr, "[file][extension]"},
        {"managerReceiptTime", "mrt", "[event][ingested]", nullptr, 0, true},
        {"message", "msg", "[message]"},
        {"oldFileCreateTime", nullptr, "[cef][old_file][created]", nullptr, 0, true},
        {"oldFileHash", nullptr, "[cef][old_file][hash]"},
        {"oldFileId", nullptr, "[cef][old_file][inode]"},
        {"oldFileModificationTime", nullptr, "[cef][old_file][mtime]", nullptr, 0, true},
        {"oldFileName", nullptr, "[cef][old_file][name]"},
        {"oldFilePath", nullptr, "[cef][old_file][path]"},
        {"oldFilePermission", nullptr, "[cef][old_file][group]"},
        {"oldFileSize", nullptr, "[cef][old_file][size]"},
        {"oldFileType", nullptr, "[cef][old_file][extension]"},
        {"rawEvent", nullptr, "[event][original]"},
        {"Reason", "reason", "[event][reason]"},
        {"requestClientApplication", nullptr, "[user_agent][original]"},
        {"requestContext", nullptr, "[http][request][referrer]"},
        {"requestCookies", nullptr, "[cef][request][cookies]"},
        {"requestMethod", nullptr, "[http][request][method]"},
        {"requestUrl", "request", "[url][original]"},
        {"sourceAddress", "src", "[source][ip]"},
        {"sourceDnsDomain", nullptr, "[source][registered_domain]", nullptr, 10},
        {"sourceGeoLatitude", "slat", "[source][geo][location][lat]", "sourceLatitude"},
        {"sourceGeoLongitude", "slong", "[source][geo][location][lon]", "sourceLongitude"},
        {"sourceHostName", "shost", "[source][domain]"},
        {"sourceMacAddress", "smac", "[source][mac]"},
        {"sourceNtDomain", "sntdom", "[source][registered_domain]"},
        {"sourcePort", "spt", "[source][port]"},
        {"sourceProcessId", "spid", "[source][process][pid]"},
        {"sourceProcessName", "sproc", "[source][process][name]"},
        {"sourceServiceName", nullptr, "[source][service][name]"},
        {"sourceTranslatedAddress", nullptr, "[source][nat][ip]"},
        {"sourceTranslatedPort", nullptr, "[source][nat][port]"},
        {"sourceTranslatedZoneExternalID", nullptr, "[cef][source][translated_zone][external_id]"},
        {"sourceTranslatedZoneURI", nullptr, "[cef][source][translated_zone][uri]"},
        {"sourceUserId", "suid", "[source][user][id]"},
        {"sourceUserName", "suser", "[source][user][name]"},
        {"sourceUserPrivileges", "spriv", "[source][user][group][name]"},
        {"sourceZoneExternalID", nullptr, "[cef][source][zone][external_id]"},
        {"sourceZoneURI", nullptr, "[cef][source][zone][uri]"},
        {"startTime", "start", "[event][start]", nullptr, 0, true},
        {"transportProtocol", "proto", "[network][transport]"},
        {"type", nullptr, "[cef][type]"},
    };
    return k;
  }();
  return keys;
}

// The device custom keys: cfp1, cfp1Label ... cs15Label.
struct CustomKey {
  const char* name;  // deviceCustomString
  const char* key;   // cs
  const char* ecs;   // device_custom_string
};
constexpr CustomKey kCustomKeys[] = {
    {"deviceCustomFloatingPoint", "cfp", "device_custom_floating_point"},
    {"deviceCustomIPv6Address", "c6a", "device_custom_ipv6_address"},
    {"deviceCustomNumber", "cn", "device_custom_number"},
    {"deviceCustomString", "cs", "device_custom_string"},
};

// The renaming both ways, for one (ecs_compatibility, device, reverse_mapping).
struct CefMappings {
  std::unordered_map<std::string, std::string> decode;  // CEF key or name -> field
  std::unordered_map<std::string, std::string> encode;  // field or name -> CEF key
  std::unordered_map<std::string, bool> timestamps;     // ECS fields read as timestamps
};

CefMappings make_mappings(bool ecs, bool device_host, bool reverse) {
  struct Entry {
    std::string name, key, ecs, legacy;
    bool timestamp;
  };
  std::vector<Entry> low, high;
  for (const CefKey& k : cef_keys()) {
    std::string field = device_host && k.ecs_host ? k.ecs_host : k.ecs;
    if (auto at = field.find("[DEVICE]"); at != std::string::npos)
      field.replace(at, 8, device_host ? "[host]" : "[observer]");
    Entry e{k.name, k.key ? k.key : k.name, field, k.legacy ? k.legacy : "", k.timestamp};
    (k.priority ? high : low).push_back(std::move(e));
  }
  for (int i = 1; i <= 15; ++i) {
    for (const CustomKey& c : kCustomKeys) {
      const std::string n = std::to_string(i);
      std::string base = std::string("[cef][") + c.ecs + "_" + n + "]";
      low.push_back({c.name + n, c.key + n, base + "[value]", "", false});
      low.push_back({c.name + n + "Label", c.key + n + "Label", base + "[label]", "", false});
    }
  }
  CefMappings m;
  auto add = [&](const Entry& e) {
    const std::string field = ecs ? e.ecs : e.name;
    m.decode[e.key] = field;
    m.decode[e.name] = field;
    const std::string target = reverse ? e.key : e.name;
    m.encode[field] = target;
    if (e.name != field) m.encode[e.name] = target;
    if (!e.legacy.empty()) {
      m.decode[e.legacy] = ecs ? e.ecs : e.legacy;
      m.encode[e.legacy] = reverse ? e.key : e.legacy;
    }
    if (ecs && e.timestamp) m.timestamps[field] = true;
  };
  for (const Entry& e : low) add(e);
  for (const Entry& e : high) add(e);
  return m;
}

// ------------------------------------------------------------ text rules

// One header field from the start of `rest`: up to the first '|' that is not
// escaped, or, when only escaped pipes follow, up to the last of those (the
// regex Logstash uses backtracks that way). Returns false without any '|'.
bool next_header_field(std::string_view rest, std::string_view* field, size_t* consumed) {
  size_t last_escaped_pipe = std::string_view::npos;
  for (size_t i = 0; i < rest.size();) {
    char c = rest[i];
    if (c == '|') {
      *field = rest.substr(0, i);
      *consumed = i + 1;
      return true;
    }
    if (c == '\\' && i + 1 < rest.size() && (rest[i + 1] == '|' || rest[i + 1] == '\\')) {
      if (rest[i + 1] == '|') last_escaped_pipe = i + 1;
      i += 2;
      continue;
    }
    ++i;
  }
  if (last_escaped_pipe == std::string_view::npos) return false;
  *field = rest.substr(0, last_escaped_pipe);
  *consumed = last_escaped_pipe + 1;
  return true;
}

std::string unescape_header(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == '\\' || s[i + 1] == '|')) ++i;
    out += s[i];
  }
  return out;
}

bool is_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Length of the extension key starting at `pos` when "key=" starts there:
// \w+ (.segment)* ([digits])? followed by '='. npos otherwise.
size_t key_at(std::string_view s, size_t pos) {
  size_t i = pos;
  while (i < s.size() && is_word(s[i])) ++i;
  if (i == pos) return std::string_view::npos;
  while (i < s.size() && s[i] == '.') {
    size_t j = i + 1;
    while (j < s.size() && !is_space(s[j]) &&
           std::string_view(".=|\\[]").find(s[j]) == std::string_view::npos)
      ++j;
    if (j == i + 1) break;
    i = j;
  }
  if (i < s.size() && s[i] == '[') {
    size_t j = i + 1;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
    if (j > i + 1 && j < s.size() && s[j] == ']') i = j + 1;
  }
  if (i < s.size() && s[i] == '=') return i - pos;
  return std::string_view::npos;
}

std::string unescape_extension_value(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      char n = s[i + 1];
      if (n == '\\' || n == '=') { out += n; ++i; continue; }
      if (n == 'n') { out += '\n'; ++i; continue; }
      if (n == 'r') { out += '\r'; ++i; continue; }
    }
    out += s[i];
  }
  return out;
}

std::string_view strip(std::string_view s) {
  while (!s.empty() && (is_space(s.front()) || s.front() == '\0')) s.remove_prefix(1);
  while (!s.empty() && (is_space(s.back()) || s.back() == '\0')) s.remove_suffix(1);
  return s;
}

// "\r\n" counts as one line break; then each special character is replaced.
template <class Replace>
void sanitize(std::string_view s, std::string& out, Replace&& replace) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
    replace(s[i], out);
  }
}

void sanitize_header(std::string_view s, std::string& out) {
  sanitize(s, out, [](char c, std::string& o) {
    if (c == '\\') o += "\\\\";
    else if (c == '|') o += "\\|";
    else if (c == '\n' || c == '\r') o += ' ';
    else o += c;
  });
}

void sanitize_extension_value(std::string_view s, std::string& out) {
  sanitize(s, out, [](char c, std::string& o) {
    if (c == '\\') o += "\\\\";
    else if (c == '=') o += "\\=";
    else if (c == '\n' || c == '\r') o += "\\n";
    else o += c;
  });
}

// ------------------------------------------------------------ timestamps

// CEF timestamps in ECS mode: milliseconds since the epoch, or
// "MMM dd[ yyyy] HH:mm:ss[.SSS][ zzz]" in the device's zone (dtz), else
// default_timezone.
class CefTimestamps {
 public:
  explicit CefTimestamps(TimeZoneRules zone) : zone_(std::move(zone)) {
    std::string error;
    for (const char* year : {" yyyy", ""})
      for (const char* fraction : {".SSS", ""})
        for (const char* tz : {" z", " ZZZ", " Z", ""}) {
          std::string pattern = std::string("MMM dd") + year + " HH:mm:ss" + fraction + tz;
          if (auto p = JodaDateParser::compile(pattern, current_year(), &error))
            parsers_.push_back(std::move(*p));
        }
  }

  bool parse(std::string_view text, const std::string* device_zone, Timestamp* out) const {
    text = strip(text);
    if (epoch_millis(text, out)) return true;
    const TimeZoneRules* zone = &zone_;
    std::optional<TimeZoneRules> device;
    if (device_zone) {
      device = TimeZoneRules::lookup(*device_zone);
      if (!device) return false;
      zone = &*device;
    }
    YearContext now = year_context();
    for (const JodaDateParser& p : parsers_) {
      int64_t millis = 0;
      if (p.parse(text, *zone, now, &millis)) {
        *out = Timestamp{millis * 1000000};
        return true;
      }
    }
    return false;
  }

 private:
  // [1-9][0-9]*(.[0-9]+)? : milliseconds since the epoch.
  static bool epoch_millis(std::string_view s, Timestamp* out) {
    if (s.empty() || s[0] < '1' || s[0] > '9') return false;
    size_t dot = s.find('.');
    std::string_view whole = s.substr(0, dot);
    for (char c : whole)
      if (c < '0' || c > '9') return false;
    std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
    if (dot != std::string_view::npos && frac.empty()) return false;
    for (char c : frac)
      if (c < '0' || c > '9') return false;
    int64_t millis = 0;
    if (std::from_chars(whole.data(), whole.data() + whole.size(), millis).ec != std::errc())
      return false;
    int64_t nanos_in_milli = 0;
    for (size_t i = 0; i < 6; ++i) nanos_in_milli = nanos_in_milli * 10 + (i < frac.size() ? frac[i] - '0' : 0);
    if (millis > INT64_MAX / 1000000 - 1) return false;
    *out = Timestamp{millis * 1000000 + nanos_in_milli};
    return true;
  }
  static YearContext year_context() {
    int64_t days = Timestamp::now().seconds() / 86400;
    civil::CivilDate d = civil::civil_from_days(days);
    return YearContext{static_cast<int>(d.year), d.month};
  }
  static int current_year() { return year_context().current_year; }

  TimeZoneRules zone_;
  std::vector<JodaDateParser> parsers_;
};

// ------------------------------------------------------------ the codec

struct CefOptions {
  std::string vendor, product, version, signature, name, severity;
  std::vector<std::string> fields;
  bool reverse_mapping = false;
  std::optional<std::string> delimiter;
  std::optional<std::string> default_timezone;
  std::optional<std::string> locale;
  std::optional<std::string> raw_data_field;
  std::string device;
  std::string ecs_compatibility;
};

const OptionSchema<CefOptions>& cef_schema() {
  static const OptionSchema<CefOptions> schema = [] {
    OptionSchema<CefOptions> s;
    s.string("vendor", &CefOptions::vendor, "Encode: Device Vendor header field (sprintf).")
        .fallback("Elasticsearch");
    s.string("product", &CefOptions::product, "Encode: Device Product header field (sprintf).")
        .fallback("Logstash");
    s.string("version", &CefOptions::version, "Encode: Device Version header field (sprintf).")
        .fallback("1.0");
    s.string("signature", &CefOptions::signature,
             "Encode: Signature ID (Device Event Class ID) header field (sprintf).")
        .fallback("Logstash");
    s.string("name", &CefOptions::name, "Encode: Name header field (sprintf).")
        .fallback("Logstash");
    s.string("severity", &CefOptions::severity,
             "Encode: Severity header field (sprintf); not a whole number 0-10 gives 6.")
        .fallback("6");
    s.strings("fields", &CefOptions::fields, "Encode: the fields written as extensions, in order.")
        .fallback(Array{});
    s.boolean("reverse_mapping", &CefOptions::reverse_mapping,
              "Encode: write the short CEF keys (src) instead of the full names (sourceAddress).")
        .fallback(false);
    s.string("delimiter", &CefOptions::delimiter,
             "Decode: split the input stream at this text (\"\\n\", \"\\r\\n\" escapes "
             "understood); encode: append it. Default: each input unit is one message.");
    s.string("default_timezone", &CefOptions::default_timezone,
             "ECS mode: zone of timestamps that name none (and have no dtz); default UTC.");
    s.string("locale", &CefOptions::locale,
             "Locale of month names in timestamps; only English names are read.");
    s.string("raw_data_field", &CefOptions::raw_data_field,
             "Field to keep the undecoded CEF text in; default: not kept.");
    s.string("device", &CefOptions::device,
             "ECS mode: whether the device fields (dvc, dvchost ...) describe the observer or "
             "the host.")
        .fallback("observer")
        .one_of({"observer", "host"});
    codec_options::ecs_compatibility(s, &CefOptions::ecs_compatibility);
    return s;
  }();
  return schema;
}

std::string stream_delimiter(std::string d) {
  for (auto [from, to] : {std::pair{"\\r", "\r"}, std::pair{"\\n", "\n"}}) {
    for (size_t at; (at = d.find(from)) != std::string::npos;) d.replace(at, 2, to);
  }
  return codec_options::checked_delimiter(d);
}

TimeZoneRules default_zone(const CefOptions& o) {
  if (!o.default_timezone) return TimeZoneRules();
  auto z = TimeZoneRules::lookup(*o.default_timezone);
  if (!z) throw OptionError("default_timezone", "unknown time zone \"" + *o.default_timezone + "\"");
  return *z;
}

// A key as a field reference: "[foo][0]" for "foo[0]", the ECS names as they are.
FieldRef field_for_key(const std::string& key) {
  std::string text = key;
  if (!key.empty() && key.back() == ']' && key.front() != '[') {
    size_t open = key.find('[');
    text = "[" + key.substr(0, open) + "]" + key.substr(open);
  }
  std::string error;
  if (auto ref = FieldRef::parse(text, &error)) return *ref;
  return FieldRef::must("[" + key + "]");
}

class CefCodec : public Codec {
 public:
  explicit CefCodec(const PluginArgs& args) : CefCodec(cef_schema().bind(args.settings)) {}
  explicit CefCodec(const CefOptions& o)
      : ecs_(o.ecs_compatibility != "disabled"),
        mappings_(make_mappings(ecs_, o.device == "host", o.reverse_mapping)),
        timestamps_(default_zone(o)),
        vendor_(o.vendor),
        product_(o.product),
        version_(o.version),
        signature_(o.signature),
        name_(o.name),
        severity_(o.severity) {
    static const char* const kLegacy[7] = {"cefVersion", "deviceVendor", "deviceProduct",
                                           "deviceVersion", "deviceEventClassId", "name",
                                           "severity"};
    static const char* const kEcs[7] = {"[cef][version]", "[observer][vendor]",
                                        "[observer][product]", "[observer][version]",
                                        "[event][code]", "[cef][name]", "[event][severity]"};
    for (int i = 0; i < 7; ++i) header_fields_.push_back(FieldRef::must(ecs_ ? kEcs[i] : kLegacy[i]));
    syslog_header_ = FieldRef::must(ecs_ ? "[log][syslog][header]" : "syslog");
    if (o.delimiter) {
      delimiter_ = stream_delimiter(*o.delimiter);
      splitter_.emplace(delimiter_);
    }
    if (o.raw_data_field) {
      raw_data_field_ = field_option("raw_data_field", *o.raw_data_field);
    }
    for (const auto& f : o.fields) {
      FieldRef ref = field_option("fields", f);
      auto it = mappings_.encode.find(f);
      std::string key;
      for (char c : it == mappings_.encode.end() ? f : it->second)
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) key += c;
      fields_.push_back({ref, std::move(key)});
    }
  }

  void decode(std::string_view data, const EventSink& sink) override {
    if (!splitter_) {
      handle(data, sink);
      return;
    }
    splitter_->split(data, [&](std::string_view line) { handle(line, sink); });
  }

  void flush(const EventSink& sink) override {
    if (!splitter_ || !splitter_->has_rest()) return;
    std::string rest = splitter_->take_rest();
    if (!rest.empty()) handle(rest, sink);
  }

  void encode(const Event& e, std::string& out) override {
    out += "CEF:0|";
    header(e, vendor_, "Elasticsearch", out);
    header(e, product_, "Logstash", out);
    header(e, version_, "1.0", out);
    header(e, signature_, "Logstash", out);
    header(e, name_, "Logstash", out);
    out += severity(e);
    out += '|';
    bool first = true;
    for (const auto& [ref, key] : fields_) {
      const Value* v = e.get(ref);
      if (!v || v->is_null()) continue;
      if (!first) out += ' ';
      first = false;
      out += key;
      out += '=';
      if (v->is_array() || v->is_object()) {
        sanitize_extension_value(to_json(*v), out);
      } else if (v->is_timestamp()) {
        v->append_string(out);
      } else {
        sanitize_extension_value(v->to_string(), out);
      }
    }
    out += delimiter_;
  }

 private:
  // Parses one CEF message; anything wrong gives a _cefparsefailure event.
  void handle(std::string_view data, const EventSink& sink) {
    Event e;
    e.set_timestamp(Timestamp::now());
    e.set_top("@version", Value("1"));
    std::string_view text = data;
    if (!text.empty() && text[0] == '"') text = text.size() >= 2 ? text.substr(1, text.size() - 2) : std::string_view();
    if (!parse(text, data, e)) {
      Event failed{std::string(text)};
      failed.add_tag("_cefparsefailure");
      sink(std::move(failed));
      return;
    }
    sink(std::move(e));
  }

  // Field references of the keys seen so far: parsed once, not per event.
  const FieldRef& ref_for(const std::string& key) {
    auto it = refs_.find(key);
    if (it == refs_.end()) {
      if (refs_.size() > 4096) refs_.clear();  // keys are sender-chosen: bound the cache
      it = refs_.emplace(key, field_for_key(key)).first;
    }
    return it->second;
  }

  bool parse(std::string_view text, std::string_view raw, Event& e) {
    if (raw_data_field_) e.set(*raw_data_field_, Value(std::string(raw)));
    if (!valid_utf8(text)) return false;
    // chomp: one trailing line break.
    if (text.size() >= 2 && text.substr(text.size() - 2) == "\r\n") text.remove_suffix(2);
    else if (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    if (text.find('\n') != std::string_view::npos) return false;

    std::string version;
    for (size_t i = 0; i < header_fields_.size(); ++i) {
      std::string_view field;
      size_t used = 0;
      if (!next_header_field(text, &field, &used)) return false;
      std::string value = unescape_header(field);
      if (i == 0) version = value;
      else e.set(header_fields_[i], Value(std::move(value)));
      text.remove_prefix(used);
    }
    if (size_t sp = version.rfind(' '); sp != std::string::npos) {
      e.set(syslog_header_, Value(version.substr(0, sp)));
      version.erase(0, sp + 1);
    }
    if (version.rfind("CEF:", 0) == 0) version.erase(0, 4);
    e.set(header_fields_[0], Value(std::move(version)));

    std::string_view rest = strip(text);
    std::vector<std::pair<std::string, std::string>> extensions;
    while (!rest.empty()) {
      size_t key_len = key_at(rest, 0);
      if (key_len == std::string_view::npos) return false;  // a value without a key
      std::string key(rest.substr(0, key_len));
      size_t v = key_len + 1, end = v;
      // The value runs to the end or to whitespace followed by the next key=.
      while (end < rest.size()) {
        if (!is_space(rest[end])) { ++end; continue; }
        size_t ws = end;
        while (ws < rest.size() && is_space(rest[ws])) ++ws;
        if (ws < rest.size() && key_at(rest, ws) != std::string_view::npos) break;
        end = ws;
      }
      std::string value = unescape_extension_value(rest.substr(v, end - v));
      while (end < rest.size() && is_space(rest[end])) ++end;
      rest.remove_prefix(end);
      auto m = mappings_.decode.find(key);
      if (m != mappings_.decode.end()) key = m->second;
      auto same = std::find_if(extensions.begin(), extensions.end(),
                               [&](auto& kv) { return kv.first == key; });
      if (same != extensions.end()) same->second = std::move(value);
      else extensions.emplace_back(std::move(key), std::move(value));
    }
    if (ecs_) {
      const std::string* device_zone = nullptr;
      for (auto& [k, v] : extensions)
        if (k == "[event][timezone]") device_zone = &v;
      std::vector<std::pair<FieldRef, Value>> stamps;  // an empty timestamp is null
      for (auto& [k, v] : extensions) {
        if (!mappings_.timestamps.count(k)) continue;
        Timestamp ts;
        if (strip(v).empty()) {
          stamps.emplace_back(ref_for(k), Value());
        } else if (timestamps_.parse(v, device_zone, &ts)) {
          stamps.emplace_back(ref_for(k), Value(ts));
        } else {
          return false;  // Logstash: InvalidTimestamp, the whole event fails
        }
      }
      for (auto& [k, v] : extensions) {
        if (mappings_.timestamps.count(k)) continue;
        e.set(ref_for(k), Value(std::move(v)));
      }
      for (auto& [ref, ts] : stamps) e.set(ref, std::move(ts));
      return true;
    }
    for (auto& [k, v] : extensions) e.set(ref_for(k), Value(std::move(v)));
    return true;
  }

  static void header(const Event& e, const SprintfTemplate& t, const char* fallback, std::string& out) {
    const size_t before = out.size();
    sanitize_header(t.format(e), out);
    if (out.size() == before) out += fallback;
    out += '|';
  }

  // A whole number 0-10 (as Ruby's Float() reads it), else 6; written as to_i.
  std::string severity(const Event& e) const {
    std::string s;
    sanitize_header(severity_.format(e), s);
    std::string_view v = strip(s);
    std::string text(v);
    char* end = nullptr;
    double f = text.empty() ? 0 : std::strtod(text.c_str(), &end);
    bool valid = !text.empty() && end == text.c_str() + text.size() && f == static_cast<int64_t>(f) &&
                 f >= 0 && f <= 10 && text.find_first_of("xXnN") == std::string::npos;
    if (!valid) return "6";
    int64_t n = 0;  // String#to_i: the leading digits
    size_t i = text[0] == '+' || text[0] == '-' ? 1 : 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) n = n * 10 + (text[i] - '0');
    return std::to_string(text[0] == '-' ? -n : n);
  }

  bool ecs_;
  CefMappings mappings_;
  CefTimestamps timestamps_;
  SprintfTemplate vendor_, product_, version_, signature_, name_, severity_;
  std::vector<FieldRef> header_fields_;
  FieldRef syslog_header_;
  std::string delimiter_;
  std::optional<LineSplitter> splitter_;
  std::optional<FieldRef> raw_data_field_;
  std::vector<std::pair<FieldRef, std::string>> fields_;  // field, the CEF key written for it
  std::unordered_map<std::string, FieldRef> refs_;
};

}  // namespace

PluginInfo cef_codec_info() {
  PluginInfo info;
  info.name = "cef";
  info.kind = PluginKind::Codec;
  info.description = "ArcSight Common Event Format (CEF): decode and encode.";
  info.options = cef_schema().specs();
  info.make_codec = [](const PluginArgs& args) -> std::unique_ptr<Codec> {
    return std::make_unique<CefCodec>(args);
  };
  return info;
}

}  // namespace logpipe
