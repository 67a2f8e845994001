// The Debian build of libdate-tz reads the system zoneinfo (USE_OS_TZDB) and
// was compiled with these settings; the header must see the same ones.
#ifndef USE_OS_TZDB
#define USE_OS_TZDB 1
#endif
#ifndef HAS_STRING_VIEW
#define HAS_STRING_VIEW 1
#endif
#ifndef ONLY_C_LOCALE
#define ONLY_C_LOCALE 1
#endif

#include "engine/text/time_zone_rules.h"

#include <date/ptz.h>
#include <date/tz.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace logpipe {

// The POSIX TZ rule at the end of a zone's TZif file (e.g.
// "CET-1CEST,M3.5.0,M10.5.0/3"). The date library only knows the listed
// transitions, which stop in 2037; later times follow this rule.
struct ZoneRuleAfterLastTransition {
  Posix::time_zone rule;
  int64_t from_utc;  // the last listed transition
};

namespace {

constexpr int64_t kDay = 86400;

bool two_digits(std::string_view s, size_t i, int* out) {
  if (i + 2 > s.size() || s[i] < '0' || s[i] > '9' || s[i + 1] < '0' || s[i + 1] > '9')
    return false;
  *out = (s[i] - '0') * 10 + (s[i + 1] - '0');
  return true;
}

const date::time_zone* find_zone(std::string_view id) {
  try {
    const date::tzdb& db = date::get_tzdb();
    // Binary search by name first: locate_zone reports a miss by throwing.
    auto it = std::lower_bound(db.zones.begin(), db.zones.end(), id,
                               [](const date::time_zone& z, std::string_view n) {
                                 return std::string_view(z.name()) < n;
                               });
    if (it != db.zones.end() && it->name() == id) return &*it;
    return date::locate_zone(id);
  } catch (const std::exception&) {
    return nullptr;
  }
}

std::string tzif_footer(const std::string& zone_name) {
  std::ifstream in("/usr/share/zoneinfo/" + zone_name, std::ios::binary);
  if (!in) return {};
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (data.size() < 2 || data.back() != '\n') return {};
  const size_t start = data.rfind('\n', data.size() - 2);
  if (start == std::string::npos) return {};
  return data.substr(start + 1, data.size() - start - 2);
}

// Built once per zone and kept for the life of the process.
const ZoneRuleAfterLastTransition* rule_after_last_transition(const date::time_zone* zone) {
  static std::mutex mutex;
  static auto* built = new std::unordered_map<const date::time_zone*,
                                              std::unique_ptr<ZoneRuleAfterLastTransition>>();
  std::lock_guard<std::mutex> lock(mutex);
  auto it = built->find(zone);
  if (it != built->end()) return it->second.get();
  std::unique_ptr<ZoneRuleAfterLastTransition> result;
  try {
    const std::string footer = tzif_footer(zone->name());
    if (!footer.empty()) {
      const auto far_future = date::sys_days(date::year(2400) / 1 / 1);
      const date::sys_info last = zone->get_info(far_future);
      result.reset(new ZoneRuleAfterLastTransition{Posix::time_zone(footer),
                                                   last.begin.time_since_epoch().count()});
    }
  } catch (const std::exception&) {
    result.reset();  // an unreadable rule: the last listed offset stays in force
  }
  auto* raw = result.get();
  built->emplace(zone, std::move(result));
  return raw;
}

// Joda's tz data has these as links to UTC. Newer Debian and Ubuntu ship most
// of them in the optional tzdata-legacy package; a config must not depend on it.
bool is_utc_alias(std::string_view id) {
  static constexpr std::string_view kNames[] = {
      "UTC",     "GMT",     "UCT",     "Zulu",     "Universal",     "Greenwich",
      "Etc/UTC", "Etc/GMT", "Etc/UCT", "Etc/Zulu", "Etc/Universal", "Etc/Greenwich",
      "GMT0",    "GMT+0",   "GMT-0",   "Etc/GMT0", "Etc/GMT+0",     "Etc/GMT-0"};
  for (std::string_view name : kNames)
    if (id == name) return true;
  return false;
}

}  // namespace

bool parse_utc_offset(std::string_view s, int32_t* offset_seconds) {
  if (s.size() < 3 || (s[0] != '+' && s[0] != '-')) return false;
  int h = 0, m = 0, sec = 0;
  if (!two_digits(s, 1, &h) || h > 23) return false;
  size_t i = 3;
  if (i < s.size()) {
    bool colon = s[i] == ':';
    if (colon) ++i;
    if (!two_digits(s, i, &m) || m > 59) return false;
    i += 2;
    if (i < s.size()) {
      if (colon) {
        if (s[i] != ':') return false;
        ++i;
      }
      if (!two_digits(s, i, &sec) || sec > 59) return false;
      i += 2;
    }
  }
  if (i != s.size()) return false;
  int32_t total = h * 3600 + m * 60 + sec;
  *offset_seconds = s[0] == '-' ? -total : total;
  return true;
}

TimeZoneRules TimeZoneRules::fixed(int32_t offset_seconds) {
  TimeZoneRules z;
  z.fixed_offset_ = offset_seconds;
  return z;
}

std::optional<TimeZoneRules> TimeZoneRules::lookup(std::string_view id) {
  if (is_utc_alias(id)) return TimeZoneRules();
  int32_t offset = 0;
  if (!id.empty() && (id[0] == '+' || id[0] == '-')) {
    if (!parse_utc_offset(id, &offset)) return std::nullopt;
    return fixed(offset);
  }
  if (id.empty() || id.size() > 64) return std::nullopt;
  const date::time_zone* zone = find_zone(id);
  if (zone == nullptr) return std::nullopt;
  TimeZoneRules z;
  z.zone_ = zone;
  z.later_rule_ = rule_after_last_transition(zone);
  return z;
}

bool TimeZoneRules::local_to_utc(int64_t local_seconds, int64_t* utc_seconds) const {
  return convert(local_seconds, false, utc_seconds);
}

int64_t TimeZoneRules::local_to_utc_shifting_gaps(int64_t local_seconds) const {
  int64_t utc = 0;
  if (convert(local_seconds, true, &utc)) return utc;
  return local_seconds - offset_at(local_seconds);  // beyond the tz library's range
}

bool TimeZoneRules::convert(int64_t local_seconds, bool shift_gaps, int64_t* utc_seconds) const {
  if (zone_ == nullptr) {
    *utc_seconds = local_seconds - fixed_offset_;
    return true;
  }
  if (local_seconds >= cached_local_begin_ && local_seconds < cached_local_end_) {
    *utc_seconds = local_seconds - cached_offset_;
    return true;
  }
  // A day past the last transition, no wall time can still belong before it.
  const bool from_rule = later_rule_ != nullptr && local_seconds > later_rule_->from_utc + kDay;
  date::local_info info;
  try {
    const date::local_seconds local{std::chrono::seconds(local_seconds)};
    if (from_rule)
      info = later_rule_->rule.get_info(local);
    else
      info = zone_->get_info(local);
  } catch (const std::exception&) {
    return false;
  }
  if (info.result == date::local_info::nonexistent && !shift_gaps) return false;
  // Ambiguous: Joda takes the earlier instant, which is the first period's.
  // Nonexistent: the first period is the one before the gap.
  const auto offset = static_cast<int32_t>(info.first.offset.count());
  *utc_seconds = local_seconds - offset;
  if (info.result == date::local_info::unique) {
    // Offsets differ by less than a day, so a day inside the period's bounds
    // no wall time can belong to a neighbouring period.
    const int64_t begin = info.first.begin.time_since_epoch().count();
    const int64_t end = info.first.end.time_since_epoch().count();
    const int64_t lo = begin <= INT64_MIN / 2 ? INT64_MIN / 2 : begin + offset + kDay;
    int64_t hi = end >= INT64_MAX / 2 ? INT64_MAX / 2 : end + offset - kDay;
    // The date library stretches the file's last period to forever; where the
    // zone's rule takes over, the remembered range must end.
    if (later_rule_ != nullptr && !from_rule) hi = std::min(hi, later_rule_->from_utc + kDay + 1);
    if (lo < hi) {
      cached_local_begin_ = lo;
      cached_local_end_ = hi;
      cached_offset_ = offset;
    }
  }
  return true;
}

int32_t TimeZoneRules::offset_at(int64_t utc_seconds) const {
  if (zone_ == nullptr) return fixed_offset_;
  try {
    const date::sys_seconds utc{std::chrono::seconds(utc_seconds)};
    auto info = later_rule_ != nullptr && utc_seconds > later_rule_->from_utc
                    ? later_rule_->rule.get_info(utc)
                    : zone_->get_info(utc);
    return static_cast<int32_t>(info.offset.count());
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace logpipe
