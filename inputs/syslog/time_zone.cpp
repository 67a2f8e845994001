#include "inputs/syslog/time_zone.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace logpipe {

namespace {

bool digits2(std::string_view s, size_t i, int* out) {
  if (i + 2 > s.size() || s[i] < '0' || s[i] > '9' || s[i + 1] < '0' || s[i + 1] > '9')
    return false;
  *out = (s[i] - '0') * 10 + (s[i + 1] - '0');
  return true;
}

// "+HH", "+HHMM", "+HH:MM" (or '-').
bool parse_offset(std::string_view s, int32_t* out) {
  if (s.size() < 3 || (s[0] != '+' && s[0] != '-')) return false;
  int hh = 0, mm = 0;
  if (!digits2(s, 1, &hh)) return false;
  size_t i = 3;
  if (i < s.size() && s[i] == ':') ++i;
  if (i < s.size()) {
    if (!digits2(s, i, &mm) || i + 2 != s.size()) return false;
  } else if (i != 3) {
    return false;  // "+02:" with nothing after
  }
  if (hh > 23 || mm > 59) return false;
  *out = (hh * 3600 + mm * 60) * (s[0] == '-' ? -1 : 1);
  return true;
}

int64_t be(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  if (n == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
  return static_cast<int64_t>(v);
}

}  // namespace

TimeZone TimeZone::fixed(int32_t offset_seconds) {
  TimeZone z;
  z.initial_offset_ = offset_seconds;
  return z;
}

std::optional<TimeZone> TimeZone::load(std::string_view name, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<TimeZone> {
    if (error) *error = why;
    return std::nullopt;
  };
  static const char* const kUtcNames[] = {
      "UTC",     "Z",       "GMT",      "UCT",           "Zulu",      "Universal",    "Etc/UTC",
      "Etc/GMT", "Etc/UCT", "Etc/Zulu", "Etc/Universal", "Greenwich", "Etc/Greenwich"};
  for (const char* n : kUtcNames)
    if (name == n) return utc();
  int32_t offset;
  if (parse_offset(name, &offset)) return fixed(offset);
  if (name.empty() || name.front() == '/' || name.find("..") != std::string_view::npos)
    return fail("not a time zone name: \"" + std::string(name) + "\"");
  const char* dir = std::getenv("TZDIR");
  std::string path =
      std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("unknown time zone \"" + std::string(name) + "\" (no " + path + ")");
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string data = ss.str();
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t size = data.size();
  if (size < 44 || data.compare(0, 4, "TZif") != 0) return fail(path + " is not a TZif file");

  // Reads one header + data block; time_size 4 (v1) or 8 (v2+).
  TimeZone z;
  auto block = [&](size_t at, int time_size, size_t* end) -> bool {
    if (at + 44 > size) return false;
    const unsigned char* h = p + at + 20;
    int64_t isutcnt = be(h, 4), isstdcnt = be(h + 4, 4), leapcnt = be(h + 8, 4),
            timecnt = be(h + 12, 4), typecnt = be(h + 16, 4), charcnt = be(h + 20, 4);
    if (isutcnt < 0 || isstdcnt < 0 || leapcnt < 0 || timecnt < 0 || typecnt <= 0 || charcnt < 0 ||
        typecnt > 256)
      return false;
    size_t pos = at + 44;
    size_t need = timecnt * time_size + timecnt + typecnt * 6 + charcnt +
                  leapcnt * (time_size + 4) + isstdcnt + isutcnt;
    if (pos + need > size) return false;
    const unsigned char* times = p + pos;
    const unsigned char* idx = times + timecnt * time_size;
    const unsigned char* types = idx + timecnt;
    std::vector<int32_t> type_offsets(typecnt);
    std::vector<bool> type_dst(typecnt);
    for (int64_t t = 0; t < typecnt; ++t) {
      type_offsets[t] = static_cast<int32_t>(be(types + t * 6, 4));
      type_dst[t] = types[t * 6 + 4] != 0;
    }
    z.transitions_.clear();
    z.offsets_.clear();
    for (int64_t t = 0; t < timecnt; ++t) {
      unsigned type = idx[t];
      if (type >= static_cast<unsigned>(typecnt)) return false;
      z.transitions_.push_back(be(times + t * time_size, time_size));
      z.offsets_.push_back(type_offsets[type]);
    }
    // Before the first transition: the first standard-time type (RFC 8536 §3.2).
    z.initial_offset_ = type_offsets[0];
    for (int64_t t = 0; t < typecnt; ++t)
      if (!type_dst[t]) {
        z.initial_offset_ = type_offsets[t];
        break;
      }
    *end = pos + need;
    return true;
  };
  size_t end = 0;
  if (!block(0, 4, &end)) return fail(path + " is damaged");
  if (data[4] >= '2') {
    TimeZone v1 = z;
    size_t end2;
    if (!block(end, 8, &end2)) z = v1;
  }
  if (!std::is_sorted(z.transitions_.begin(), z.transitions_.end()))
    return fail(path + " is damaged");
  return z;
}

int32_t TimeZone::offset_at(int64_t utc_seconds) const {
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc_seconds);
  if (it == transitions_.begin()) return initial_offset_;
  return offsets_[static_cast<size_t>(it - transitions_.begin()) - 1];
}

}  // namespace logpipe
