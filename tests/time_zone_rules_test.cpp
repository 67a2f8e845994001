// TimeZoneRules, shared by the date filter and the syslog input: zone names,
// offsets, DST gaps and overlaps both ways (Joda's refusal and the syslog
// input's shift), and DST rules after the last transition of the zone files.
#include "engine/text/time_zone_rules.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "engine/codecs/iso8601.h"

namespace logpipe {
namespace {

// Seconds of an ISO 8601 time; "2026-03-29T02:30:00Z" doubles as the wall
// time 02:30 counted as if it were UTC.
int64_t secs(const char* iso) {
  Timestamp t;
  EXPECT_TRUE(parse_iso8601(iso, &t)) << iso;
  return t.seconds();
}

TimeZoneRules zone(const char* name) {
  auto z = TimeZoneRules::lookup(name);
  EXPECT_TRUE(z.has_value()) << name;
  return z ? *z : TimeZoneRules();
}

TEST(TimeZoneRules, UtcAliasesAndFixedOffsets) {
  struct {
    const char* name;
    int32_t offset;
  } ok[] = {{"UTC", 0},
            {"GMT", 0},
            {"Etc/UTC", 0},
            {"Etc/GMT", 0},
            {"UCT", 0},
            {"Zulu", 0},
            {"Universal", 0},
            {"Greenwich", 0},
            {"Etc/Zulu", 0},
            {"GMT0", 0},
            {"+02", 7200},
            {"+02:00", 7200},
            {"+0200", 7200},
            {"-0530", -(5 * 3600 + 30 * 60)},
            {"-05:30", -(5 * 3600 + 30 * 60)},
            {"+05:45:30", 5 * 3600 + 45 * 60 + 30}};
  for (auto& c : ok) {
    auto z = TimeZoneRules::lookup(c.name);
    ASSERT_TRUE(z.has_value()) << c.name;
    EXPECT_EQ(z->offset_at(0), c.offset) << c.name;
    EXPECT_EQ(z->offset_at(secs("2040-07-01T00:00:00Z")), c.offset) << c.name;
    int64_t utc = 0;
    ASSERT_TRUE(z->local_to_utc(100000, &utc)) << c.name;
    EXPECT_EQ(utc, 100000 - c.offset) << c.name;
    EXPECT_EQ(z->local_to_utc_shifting_gaps(100000), 100000 - c.offset) << c.name;
  }
}

TEST(TimeZoneRules, RefusesWhatIsNoZone) {
  // "Z" is no Joda zone id (the syslog input accepts it on its own); names
  // are case-sensitive as in Joda; no name reaches outside the tz database.
  for (const char* bad : {"", "Z", "utc", "europe/paris", "+2:00", "+02:", "+25:00", "+02:60",
                          "02:00", "Mars/Olympus", "../etc/passwd", "/etc/localtime",
                          "Europe/../../etc/passwd", "Europe/Paris/", "posixrules"})
    EXPECT_FALSE(TimeZoneRules::lookup(bad).has_value()) << '"' << bad << '"';
}

TEST(TimeZoneRules, OffsetAtFollowsDaylightSavingTime) {
  const TimeZoneRules ny = zone("America/New_York");
  // 2026-11-01 06:30 UTC is 01:30 EST, after the switch back from EDT.
  EXPECT_EQ(ny.offset_at(secs("2026-11-01T06:30:00Z")), -5 * 3600);
  EXPECT_EQ(ny.offset_at(secs("2026-11-01T00:30:00Z")), -4 * 3600);
  // Past the zone files' last transition (2037) the zone's rule goes on.
  EXPECT_EQ(ny.offset_at(secs("2040-07-01T12:00:00Z")), -4 * 3600);
  EXPECT_EQ(ny.offset_at(secs("2040-12-01T12:00:00Z")), -5 * 3600);
  const TimeZoneRules sydney = zone("Australia/Sydney");  // southern summer
  EXPECT_EQ(sydney.offset_at(secs("2040-01-15T00:00:00Z")), 11 * 3600);
  EXPECT_EQ(sydney.offset_at(secs("2040-07-15T00:00:00Z")), 10 * 3600);
}

struct LocalCase {
  const char* zone;
  const char* wall;    // local wall time, written as if UTC
  const char* joda;    // local_to_utc; nullptr: refused (a gap)
  const char* syslog;  // local_to_utc_shifting_gaps
};

TEST(TimeZoneRules, GapsAreRefusedOrShiftedAndOverlapsTakeTheEarlierInstant) {
  const LocalCase cases[] = {
      // Berlin: 02:00 -> 03:00 on 2026-03-29, 03:00 -> 02:00 on 2026-10-25.
      {"Europe/Berlin", "2026-03-29T01:59:59Z", "2026-03-29T00:59:59Z", "2026-03-29T00:59:59Z"},
      {"Europe/Berlin", "2026-03-29T02:00:00Z", nullptr, "2026-03-29T01:00:00Z"},
      {"Europe/Berlin", "2026-03-29T02:30:00Z", nullptr, "2026-03-29T01:30:00Z"},
      {"Europe/Berlin", "2026-03-29T03:00:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:00:00Z"},
      {"Europe/Berlin", "2026-10-25T02:30:00Z", "2026-10-25T00:30:00Z", "2026-10-25T00:30:00Z"},
      {"Europe/Berlin", "2026-10-25T03:00:00Z", "2026-10-25T02:00:00Z", "2026-10-25T02:00:00Z"},
      // The same after 2037, from the zone's rule.
      {"Europe/Berlin", "2040-03-25T02:30:00Z", nullptr, "2040-03-25T01:30:00Z"},
      {"Europe/Berlin", "2040-10-28T02:30:00Z", "2040-10-28T00:30:00Z", "2040-10-28T00:30:00Z"},
      // New York: 02:00 -> 03:00 on 2026-03-08.
      {"America/New_York", "2026-03-08T02:30:00Z", nullptr, "2026-03-08T07:30:00Z"},
      {"America/New_York", "2026-11-01T01:30:00Z", "2026-11-01T05:30:00Z", "2026-11-01T05:30:00Z"},
      {"America/New_York", "2040-03-11T02:30:00Z", nullptr, "2040-03-11T07:30:00Z"},
      // Sydney springs forward in October: 02:00 -> 03:00 on 2026-10-04.
      {"Australia/Sydney", "2026-10-04T02:30:00Z", nullptr, "2026-10-03T16:30:00Z"},
      {"Australia/Sydney", "2040-10-07T02:30:00Z", nullptr, "2040-10-06T16:30:00Z"},
      // Dublin's winter time is its negative DST: 01:00 -> 02:00 on 2026-03-29.
      {"Europe/Dublin", "2026-03-29T01:30:00Z", nullptr, "2026-03-29T01:30:00Z"},
      {"Europe/Dublin", "2040-03-25T01:30:00Z", nullptr, "2040-03-25T01:30:00Z"},
      {"Europe/Dublin", "2040-10-28T01:30:00Z", "2040-10-28T00:30:00Z", "2040-10-28T00:30:00Z"},
  };
  for (const auto& c : cases) {
    const TimeZoneRules z = zone(c.zone);  // fresh: no remembered period
    const int64_t wall = secs(c.wall);
    int64_t utc = 0;
    const bool ok = z.local_to_utc(wall, &utc);
    EXPECT_EQ(ok, c.joda != nullptr) << c.zone << " " << c.wall;
    if (ok && c.joda) {
      EXPECT_EQ(utc, secs(c.joda)) << c.zone << " " << c.wall;
    }
    EXPECT_EQ(z.local_to_utc_shifting_gaps(wall), secs(c.syslog)) << c.zone << " " << c.wall;
  }
}

// One value walking half-hourly across years (the remembered period moving
// along, through the zone file's last transition into the zone's rule) agrees
// with a fresh value everywhere, and the two conversions differ only in gaps,
// where the shifted one uses the offset from before the gap.
TEST(TimeZoneRules, ConversionsAgreeOutsideGapsWhileWalkingAcrossTransitions) {
  for (const char* name : {"Europe/Berlin", "America/Santiago", "Australia/Lord_Howe"}) {
    const TimeZoneRules walker = zone(name);
    for (const char* start : {"2026-01-01T00:00:00Z", "2036-06-01T00:00:00Z"}) {
      int gaps = 0;
      int64_t offset_before = 0;  // of the last wall time that exists
      for (int64_t wall = secs(start), end = wall + 5 * 366 * 86400; wall < end; wall += 1800) {
        const TimeZoneRules fresh = zone(name);
        int64_t walked = 0, direct = 0;
        const bool walked_ok = walker.local_to_utc(wall, &walked);
        const bool direct_ok = fresh.local_to_utc(wall, &direct);
        ASSERT_EQ(walked_ok, direct_ok) << name << " " << wall;
        const int64_t shifted = walker.local_to_utc_shifting_gaps(wall);
        if (walked_ok) {
          ASSERT_EQ(walked, direct) << name << " " << wall;
          ASSERT_EQ(shifted, walked) << name << " " << wall;
          offset_before = wall - walked;
        } else {
          ++gaps;
          ASSERT_EQ(shifted, wall - offset_before) << name << " " << wall;
        }
      }
      EXPECT_GE(gaps, 5) << name << " from " << start;
    }
  }
}

}  // namespace
}  // namespace logpipe
