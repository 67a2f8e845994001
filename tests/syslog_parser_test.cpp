// SyslogParser and SyslogFramer: every byte-exact capture of real senders
// (logger, rsyslog, nc; tests/data/syslog_samples, see its PROVENANCE.md) must
// parse to the fields listed below, UDP captures cut into their datagrams and
// TCP streams through the framer; every capture has an entry; cut and
// corrupted captures never break the parser. Then malformed and edge cases of
// our own.
#include "inputs/syslog/syslog_parser.h"

#include <dirent.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "engine/codecs/iso8601.h"
#include "inputs/syslog/syslog_framer.h"

namespace logpipe {
namespace {

const std::string kSamples = std::string(LOGPIPE_SOURCE_DIR) + "/tests/data/syslog_samples";

Timestamp ts(const char* iso) {
  Timestamp t;
  EXPECT_TRUE(parse_iso8601(iso, &t)) << iso;
  return t;
}

// When the captures were made; year-less RFC 3164 times are read against it.
const Timestamp kReceived = ts("2026-11-26T05:00:00Z");

std::string read_file(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  *ok = static_cast<bool>(in);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The frames of a capture: datagrams for UDP, the framer's output for TCP.
std::vector<std::string> frames_of(const std::string& name) {
  bool ok = false;
  std::string raw = read_file(kSamples + "/" + name + ".raw", &ok);
  EXPECT_TRUE(ok) << "cannot read " << kSamples << "/" << name << ".raw";
  std::vector<std::string> frames;
  bool have_sizes = false;
  std::string sizes = read_file(kSamples + "/" + name + ".raw.datagrams", &have_sizes);
  if (have_sizes) {
    std::istringstream in(sizes);
    size_t off = 0, n;
    while (in >> n) {
      frames.push_back(raw.substr(off, n));
      off += n;
    }
    EXPECT_EQ(off, raw.size()) << name;
    return frames;
  }
  SyslogFramer framer(64 * 1024);
  auto on_frame = [&](std::string_view f, FrameFlags flags) {
    EXPECT_FALSE(flags.truncated || flags.incomplete) << name;
    frames.emplace_back(f);
  };
  framer.feed(raw, on_frame);
  framer.finish(on_frame);
  return frames;
}

std::string xs(size_t n) { return std::string(n, 'x'); }

struct Expected {
  int priority;
  const char* time;       // @timestamp; nullptr: the receive time
  const char* timestamp;  // the `timestamp` field as received; nullptr: absent
  const char* logsource;
  const char* program;
  const char* pid;
  std::string message;
  int version = 0;  // 0: RFC 3164
  const char* msgid = nullptr;
  std::map<std::string, std::string> sd = {};  // "ID/PARAM" -> value
};

const Object* sub(const Value* v, const std::string& key) {
  if (!v || !v->is_object()) return nullptr;
  const Value* c = v->as_object().find(key);
  return c && c->is_object() ? &c->as_object() : nullptr;
}

void expect_string(const Event& e, const char* field, const char* want, const std::string& where) {
  const Value* v = e.get_top(field);
  if (!want) {
    EXPECT_EQ(v, nullptr) << where << ": " << field << " should be absent";
    return;
  }
  ASSERT_NE(v, nullptr) << where << ": no " << field;
  ASSERT_TRUE(v->is_string()) << where << ": " << field;
  EXPECT_EQ(v->as_string(), want) << where << ": " << field;
}

void check(const Event& e, const Expected& x, const std::string& where) {
  EXPECT_EQ(e.get_top("tags"), nullptr) << where << ": tagged";
  ASSERT_NE(e.get_top("priority"), nullptr) << where;
  EXPECT_EQ(e.get_top("priority")->as_int(), x.priority) << where;
  EXPECT_EQ(e.get_top("facility")->as_int(), x.priority >> 3) << where;
  EXPECT_EQ(e.get_top("severity")->as_int(), x.priority & 7) << where;
  EXPECT_EQ(e.get_top("facility_label")->as_string(), default_facility_labels()[x.priority >> 3]);
  EXPECT_EQ(e.get_top("severity_label")->as_string(), default_severity_labels()[x.priority & 7]);
  Timestamp got;
  ASSERT_TRUE(e.timestamp(&got)) << where;
  EXPECT_EQ(got.to_iso8601(), (x.time ? ts(x.time) : kReceived).to_iso8601()) << where;
  expect_string(e, "timestamp", x.timestamp, where);
  expect_string(e, "logsource", x.logsource, where);
  expect_string(e, "program", x.program, where);
  expect_string(e, "pid", x.pid, where);
  expect_string(e, "message", x.message.c_str(), where);
  expect_string(e, "msgid", x.msgid, where);
  if (x.version) {
    ASSERT_NE(e.get_top("version"), nullptr) << where;
    EXPECT_EQ(e.get_top("version")->as_int(), x.version) << where;
  } else {
    EXPECT_EQ(e.get_top("version"), nullptr) << where;
  }
  const Value* sd = e.get_top("sd");
  if (x.sd.empty()) {
    EXPECT_EQ(sd, nullptr) << where;
  }
  size_t params = 0;
  if (sd && sd->is_object())
    for (auto& element : sd->as_object()) params += element.second.as_object().size();
  EXPECT_EQ(params, x.sd.size()) << where << ": number of SD params";
  for (auto& [path, value] : x.sd) {
    std::string id = path.substr(0, path.find('/'));
    std::string param = path.substr(path.find('/') + 1);
    const Object* element = sub(sd ? sd : nullptr, id);
    ASSERT_NE(element, nullptr) << where << ": sd " << id;
    const Value* v = element->find(param);
    ASSERT_NE(v, nullptr) << where << ": sd " << path;
    EXPECT_EQ(v->to_string(), value) << where << ": sd " << path;
  }
}

const std::map<std::string, std::string> kTimeQuality = {{"timeQuality/tzKnown", "1"},
                                                         {"timeQuality/isSynced", "0"}};

std::map<std::string, std::string> with_tq(std::map<std::string, std::string> m) {
  m.insert(kTimeQuality.begin(), kTimeQuality.end());
  return m;
}

std::vector<Expected> logger_multiline(const char* stamps[4]) {
  const char* lines[4] = {"line one", "line two with trailing spaces   ", "",
                          "line four after an empty line"};
  std::vector<Expected> v;
  for (int i = 0; i < 4; ++i)
    v.push_back(
        {13, stamps[i], stamps[i], "vm", "myapp", nullptr, lines[i], 1, nullptr, kTimeQuality});
  return v;
}

std::vector<Expected> rsyslog_5424() {
  return {
      {134, "2026-11-26T04:14:05+00:00", "2026-11-26T04:14:05+00:00", "vm", "myapp", nullptr,
       "via rsyslog: rfc3164 input", 1},
      {134, "2026-11-26T04:14:05.492114+00:00", "2026-11-26T04:14:05.492114+00:00", "vm", "myapp",
       nullptr, "via rsyslog: rfc5424 input with SD", 1, "ID47",
       with_tq({{"exampleSDID@32473/iut", "3"}})},
      {13, "2026-10-11T22:14:15+00:00", "2026-10-11T22:14:15+00:00", "host1", "myapp", "42",
       "first line#012second line after LF#011tab", 1},
      {13, "2026-11-26T04:14:06+00:00", "2026-11-26T04:14:06+00:00", "vm", "myapp", nullptr,
       "via rsyslog: UTF-8 gr\xc3\xbc\xc3\x9f"
       "e \xe2\x9c\x93",
       1},
  };
}

std::map<std::string, std::vector<Expected>> expectations() {
  std::map<std::string, std::vector<Expected>> m;
  m["logger_tcp_rfc3164_lf"] = {{29, "2026-11-26T04:13:54Z", "Nov 26 04:13:54", "vm", "myapp",
                                 nullptr, "hello rfc3164 over tcp"}};
  m["logger_tcp_rfc3164_octet"] = {{13, "2026-11-26T04:13:56Z", "Nov 26 04:13:56", "vm", "myapp",
                                    nullptr, "octet counted rfc3164"}};
  m["logger_tcp_rfc5424_lf"] = {{29, "2026-11-26T04:13:55.502826Z",
                                 "2026-11-26T04:13:55.502826+00:00", "vm", "myapp", nullptr,
                                 "hello rfc5424 over tcp", 1, nullptr, kTimeQuality}};
  m["logger_tcp_rfc5424_octet_long3000"] = {{13, "2026-11-26T04:14:00.462317Z",
                                             "2026-11-26T04:14:00.462317+00:00", "vm", "myapp",
                                             nullptr, xs(3000), 1, nullptr, kTimeQuality}};
  const char* tcp_multi[4] = {
      "2026-11-26T04:13:57.982191+00:00", "2026-11-26T04:13:57.982375+00:00",
      "2026-11-26T04:13:57.982414+00:00", "2026-11-26T04:13:57.982453+00:00"};
  m["logger_tcp_rfc5424_octet_multiline"] = logger_multiline(tcp_multi);
  const char* udp_multi[4] = {
      "2026-11-26T04:13:59.215402+00:00", "2026-11-26T04:13:59.215666+00:00",
      "2026-11-26T04:13:59.215691+00:00", "2026-11-26T04:13:59.215708+00:00"};
  m["logger_udp_rfc5424_multiline"] = logger_multiline(udp_multi);
  m["logger_udp_rfc3164"] = {{134, "2026-11-26T04:13:48Z", "Nov 26 04:13:48", "vm", "myapp",
                              nullptr, "hello rfc3164 over udp"}};
  m["logger_udp_rfc3164_utf8"] = {
      {13, "2026-11-26T04:13:53Z", "Nov 26 04:13:53", "vm", "myapp", nullptr,
       "UTF-8: gr\xc3\xbc\xc3\x9f"
       "e \xe2\x80\x93 \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xe2\x9c\x93"}};
  m["logger_udp_rfc5424"] = {{132, "2026-11-26T04:13:49.282022Z",
                              "2026-11-26T04:13:49.282022+00:00", "vm", "myapp", nullptr,
                              "hello rfc5424 over udp", 1, "ID47", kTimeQuality}};
  m["logger_udp_rfc5424_long_default_size"] = {
      {13, "2026-11-26T04:14:01.701140Z", "2026-11-26T04:14:01.701140+00:00", "vm", "myapp",
       nullptr, xs(1024), 1, nullptr, kTimeQuality},
      {13, "2026-11-26T04:14:01.701384Z", "2026-11-26T04:14:01.701384+00:00", "vm", "myapp",
       nullptr, xs(1024), 1, nullptr, kTimeQuality},
      {13, "2026-11-26T04:14:01.701419Z", "2026-11-26T04:14:01.701419+00:00", "vm", "myapp",
       nullptr, xs(952), 1, nullptr, kTimeQuality}};
  m["logger_udp_rfc5424_notime_nohost"] = {
      {13, nullptr, nullptr, nullptr, "myapp", nullptr, "no time, no host, no timeQuality", 1}};
  m["logger_udp_rfc5424_sd"] = {{35, "2026-11-26T04:13:50.523166Z",
                                 "2026-11-26T04:13:50.523166+00:00", "vm", "myapp", nullptr,
                                 "sd message", 1, "LOGIN",
                                 with_tq({{"exampleSDID@32473/iut", "3"},
                                          {"exampleSDID@32473/eventSource", "Application"},
                                          {"exampleSDID@32473/quoted", "a \"b\" c\\d]"}})}};
  m["nc_udp_rfc5424_handmade"] = {{165,
                                   "2003-10-11T22:14:15.003Z",
                                   "2003-10-11T22:14:15.003Z",
                                   "mymachine.example.com",
                                   "evntslog",
                                   nullptr,
                                   "An application event log entry...",
                                   1,
                                   "ID47",
                                   {{"exampleSDID@32473/iut", "3"},
                                    {"exampleSDID@32473/eventSource", "Application"},
                                    {"exampleSDID@32473/eventID", "1011"}}}};
  m["rsyslog_omfwd_tcp_lf_traditional"] = {
      {134, "2026-11-26T04:14:05Z", "Nov 26 04:14:05", "vm", "myapp", nullptr,
       "via rsyslog: rfc3164 input"},
      {134, "2026-11-26T04:14:05Z", "Nov 26 04:14:05", "vm", "myapp", nullptr,
       "via rsyslog: rfc5424 input with SD"},
      {13, "2026-10-11T22:14:15Z", "Oct 11 22:14:15", "host1", "myapp", "42",
       "first line#012second line after LF#011tab"},
      {13, "2026-11-26T04:14:06Z", "Nov 26 04:14:06", "vm", "myapp", nullptr,
       "via rsyslog: UTF-8 gr\xc3\xbc\xc3\x9f"
       "e \xe2\x9c\x93"}};
  m["rsyslog_omfwd_tcp_octet_forwardformat"] = {
      {134, "2026-11-26T04:14:05Z", "2026-11-26T04:14:05+00:00", "vm", "myapp", nullptr,
       "via rsyslog: rfc3164 input"},
      {134, "2026-11-26T04:14:05.492114Z", "2026-11-26T04:14:05.492114+00:00", "vm", "myapp",
       nullptr, "via rsyslog: rfc5424 input with SD"},
      {13, "2026-10-11T22:14:15Z", "2026-10-11T22:14:15+00:00", "host1", "myapp", "42",
       "first line#012second line after LF#011tab"},
      {13, "2026-11-26T04:14:06Z", "2026-11-26T04:14:06+00:00", "vm", "myapp", nullptr,
       "via rsyslog: UTF-8 gr\xc3\xbc\xc3\x9f"
       "e \xe2\x9c\x93"}};
  m["rsyslog_omfwd_tcp_octet_rfc5424"] = rsyslog_5424();
  m["rsyslog_omfwd_udp_rfc5424"] = rsyslog_5424();
  return m;
}

bool samples_present() {
  DIR* d = opendir(kSamples.c_str());
  if (!d) return false;
  closedir(d);
  return true;
}

TEST(SyslogParserCaptures, EveryCaptureParsesToTheExpectedFields) {
  ASSERT_TRUE(samples_present()) << "no captures at " << kSamples;
  SyslogParser parser;
  auto table = expectations();
  for (auto& [name, events] : table) {
    std::vector<std::string> frames = frames_of(name);
    ASSERT_EQ(frames.size(), events.size()) << name;
    for (size_t i = 0; i < frames.size(); ++i) {
      Event e = parser.parse(frames[i], kReceived);
      check(e, events[i], name + " #" + std::to_string(i));
    }
  }
}

TEST(SyslogParserCaptures, TheTableCoversEveryCapture) {
  ASSERT_TRUE(samples_present()) << "no captures at " << kSamples;
  auto table = expectations();
  DIR* d = opendir(kSamples.c_str());
  std::set<std::string> missing;
  while (dirent* ent = readdir(d)) {
    std::string f = ent->d_name;
    if (f.size() > 4 && f.compare(f.size() - 4, 4, ".raw") == 0) {
      std::string name = f.substr(0, f.size() - 4);
      if (!table.count(name)) missing.insert(name);
    }
  }
  closedir(d);
  EXPECT_TRUE(missing.empty()) << "captures without expectations: " << missing.size() << " e.g. "
                               << (missing.empty() ? "" : *missing.begin());
}

// Every prefix of every capture, and every capture with one byte changed:
// parsing never crashes, and a failure always keeps the exact input.
TEST(SyslogParserCaptures, CutAndCorruptedCapturesNeverBreakTheParser) {
  ASSERT_TRUE(samples_present()) << "no captures at " << kSamples;
  SyslogParser parser;
  size_t parsed = 0, failed = 0;
  auto one = [&](const std::string& frame) {
    Event e = parser.parse(frame, kReceived);
    ASSERT_NE(e.message(), nullptr);
    ASSERT_NE(e.get_top("priority"), nullptr);
    if (e.has_tag("_syslogparsefailure")) {
      ++failed;
      ASSERT_EQ(*e.message(), frame);
    } else {
      ++parsed;
    }
  };
  for (auto& [name, events] : expectations()) {
    for (const std::string& frame : frames_of(name)) {
      const size_t n = std::min<size_t>(frame.size(), 300);
      for (size_t cut = 0; cut <= n; ++cut) one(frame.substr(0, cut));
      for (size_t i = 0; i < n; ++i) {
        for (char c : {'\0', ' ', '[', ']', '"', '\\', '-', '9', '\xff'}) {
          std::string bad = frame;
          bad[i] = c;
          one(bad);
        }
      }
    }
  }
  EXPECT_GT(parsed, 0u);
  EXPECT_GT(failed, 0u);
}

// ------------------------------------------------------------ malformed input

TEST(SyslogParser, WhatIsNotSyslogKeepsItsTextAndIsTagged) {
  SyslogParser parser;
  const std::string cases[] = {
      "",
      "hello world",
      "<>Nov 26 04:13:16 vm app: x",
      "<999>Nov 26 04:13:16 vm app: x",
      "<192>Nov 26 04:13:16 vm app: x",
      "<13>",
      "<13>garbage",
      "<13Nov 26 04:13:16 vm app: x",
      "<13>Feb 30 04:13:16 vm app: x",             // no such day
      "<13>Nov 26 25:13:16 vm app: x",             // no such hour
      "<13>Nov 26 04:13",                          // cut inside the time
      "<13>1 2026-13-01T00:00:00Z h a p m - x",    // month 13
      "<13>1 9026-11-26T04:13:16Z h a p m - x",    // past what a Timestamp holds
      "<13>1 1066-10-14T09:00:00Z h a p m - x",    // before it
      "<13>1 - h a p",                             // header cut short
      "<13>1 - h a p m [unterminated",             // SD without ]
      "<13>1 - h a p m [id a=\"b\"]x",             // no space after SD
      "<13>1 - h a p m [id a=b]",                  // value not quoted
      "<13>1 - h a p m [ ]",                       // empty SD-ID
      "<13>1 - h a p m x",                         // SD neither - nor [
      std::string("\x00\x01\x02\xff\xfe<13>", 9),  // binary
  };
  for (const std::string& c : cases) {
    Event e = parser.parse(c, kReceived);
    ASSERT_NE(e.message(), nullptr) << c;
    EXPECT_EQ(*e.message(), c);
    EXPECT_TRUE(e.has_tag("_syslogparsefailure")) << c;
    EXPECT_EQ(e.get_top("priority")->as_int(), 13) << c;
    EXPECT_EQ(e.get_top("severity_label")->as_string(), "Notice") << c;
    EXPECT_EQ(e.get_top("logsource"), nullptr) << c;
    Timestamp t;
    ASSERT_TRUE(e.timestamp(&t));
    EXPECT_EQ(t, kReceived) << c;
  }
}

struct Case {
  const char* what;
  std::string frame;
  const char* time;
  const char* logsource;
  const char* program;
  const char* pid;
  const char* message;
};

TEST(SyslogParser, Rfc3164Variants) {
  SyslogParser parser;
  const Case cases[] = {
      {"space-padded day", "<13>Nov  6 01:02:03 host prog[12]: msg", "2026-11-06T01:02:03Z", "host",
       "prog", "12", "msg"},
      {"single-digit day", "<13>Nov 6 01:02:03 host prog: msg", "2026-11-06T01:02:03Z", "host",
       "prog", nullptr, "msg"},
      {"no hostname, tag with pid", "<13>Nov 26 04:13:16 myapp[7]: no host", "2026-11-26T04:13:16Z",
       nullptr, "myapp", "7", "no host"},
      {"no hostname, tag", "<13>Nov 26 04:13:16 myapp: no host", "2026-11-26T04:13:16Z", nullptr,
       "myapp", nullptr, "no host"},
      {"tag without colon", "<13>Nov 26 04:13:16 vm myapp via rsyslog", "2026-11-26T04:13:16Z",
       "vm", "myapp", nullptr, "via rsyslog"},
      {"year after the day", "<13>Nov 26 2025 04:13:16 h p: m", "2025-11-26T04:13:16Z", "h", "p",
       nullptr, "m"},
      {"year after the time", "<13>Nov 26 04:13:16 2025 h p: m", "2025-11-26T04:13:16Z", "h", "p",
       nullptr, "m"},
      {"fraction", "<13>Nov 26 04:13:16.250 h p: m", "2026-11-26T04:13:16.250Z", "h", "p", nullptr,
       "m"},
      {"lower-case month", "<13>nov 26 04:13:16 h p: m", "2026-11-26T04:13:16Z", "h", "p", nullptr,
       "m"},
      {"CRLF and NUL at the end", std::string("<13>Nov 26 04:13:16 h p: m\r\n\0", 30),
       "2026-11-26T04:13:16Z", "h", "p", nullptr, "m"},
      {"header only", "<13>Nov 26 04:13:16 vm", "2026-11-26T04:13:16Z", "vm", nullptr, nullptr, ""},
      {"colon inside the message", "<13>Nov 26 04:13:16 h sshd[1]: a: b: c", "2026-11-26T04:13:16Z",
       "h", "sshd", "1", "a: b: c"},
      {"BOM before the message", "<13>Nov 26 04:13:16 h p: \xEF\xBB\xBFhi", "2026-11-26T04:13:16Z",
       "h", "p", nullptr, "hi"},
  };
  for (const Case& c : cases) {
    Event e = parser.parse(c.frame, kReceived);
    EXPECT_FALSE(e.has_tag("_syslogparsefailure")) << c.what;
    Timestamp t;
    ASSERT_TRUE(e.timestamp(&t));
    EXPECT_EQ(t.to_iso8601(), ts(c.time).to_iso8601()) << c.what;
    expect_string(e, "logsource", c.logsource, c.what);
    expect_string(e, "program", c.program, c.what);
    expect_string(e, "pid", c.pid, c.what);
    expect_string(e, "message", c.message, c.what);
  }
}

TEST(SyslogParser, YearlessTimesRollOverAtNewYear) {
  SyslogParser parser;
  Event late = parser.parse("<13>Dec 31 23:59:50 h p: m", ts("2027-01-01T00:00:10Z"));
  Timestamp t;
  ASSERT_TRUE(late.timestamp(&t));
  EXPECT_EQ(t.to_iso8601(), "2026-12-31T23:59:50.000Z");
  Event early = parser.parse("<13>Jan  1 00:00:30 h p: m", ts("2026-12-31T23:59:00Z"));
  ASSERT_TRUE(early.timestamp(&t));
  EXPECT_EQ(t.to_iso8601(), "2027-01-01T00:00:30.000Z");
  Event leap = parser.parse("<13>Feb 29 12:00:00 h p: m", ts("2028-03-01T00:00:00Z"));
  ASSERT_TRUE(leap.timestamp(&t));
  EXPECT_EQ(t.to_iso8601(), "2028-02-29T12:00:00.000Z");
}

TEST(SyslogParser, TimezoneAppliesOnlyToZonelessTimes) {
  SyslogParserSettings s;
  s.zone = *TimeZoneRules::lookup("+02:00");
  SyslogParser parser(s);
  Timestamp t;
  ASSERT_TRUE(parser.parse("<13>Nov 26 06:00:00 h p: m", kReceived).timestamp(&t));
  EXPECT_EQ(t.to_iso8601(), "2026-11-26T04:00:00.000Z");
  ASSERT_TRUE(parser.parse("<13>1 2026-11-26T06:00:00 h a - - - m", kReceived).timestamp(&t));
  EXPECT_EQ(t.to_iso8601(), "2026-11-26T04:00:00.000Z");
  ASSERT_TRUE(parser.parse("<13>1 2026-11-26T06:00:00Z h a - - - m", kReceived).timestamp(&t));
  EXPECT_EQ(t.to_iso8601(), "2026-11-26T06:00:00.000Z");
  ASSERT_TRUE(parser.parse("<13>1 2026-11-26T06:00:00-05:30 h a - - - m", kReceived).timestamp(&t));
  EXPECT_EQ(t.to_iso8601(), "2026-11-26T11:30:00.000Z");
}

// Europe/Paris: UTC+1 in winter, UTC+2 in summer; clocks go forward at 02:00
// on the last Sunday of March and back at 03:00 on the last Sunday of October.
TEST(SyslogParser, RegionZonesFollowDaylightSavingTimeAlsoAfter2037) {
  SyslogParserSettings s;
  auto paris = TimeZoneRules::lookup("Europe/Paris");
  ASSERT_TRUE(paris.has_value());
  s.zone = *paris;
  SyslogParser parser(s);
  struct {
    const char* frame;
    const char* received;
    const char* time;
  } cases[] = {
      // The year comes from the receive time.
      {"<13>Jan 15 12:00:00 h p: m", "2026-01-20T00:00:00Z", "2026-01-15T11:00:00.000Z"},
      {"<13>Jul 15 12:00:00 h p: m", "2026-07-20T00:00:00Z", "2026-07-15T10:00:00.000Z"},
      {"<13>1 2026-07-15T12:00:00 h a - - - m", "2026-11-26T05:00:00Z", "2026-07-15T10:00:00.000Z"},
      // The zone files list transitions up to 2037; the zone's rule goes on.
      {"<13>Jul 15 12:00:00 h p: m", "2041-07-20T00:00:00Z", "2041-07-15T10:00:00.000Z"},
      {"<13>Dec 15 12:00:00 h p: m", "2041-12-20T00:00:00Z", "2041-12-15T11:00:00.000Z"},
      {"<13>Jul 15 2040 12:00:00 h p: m", "2026-11-26T05:00:00Z", "2040-07-15T10:00:00.000Z"},
      {"<13>1 2040-07-15T12:00:00 h a - - - m", "2026-11-26T05:00:00Z", "2040-07-15T10:00:00.000Z"},
      {"<13>1 2040-01-15T12:00:00 h a - - - m", "2026-11-26T05:00:00Z", "2040-01-15T11:00:00.000Z"},
  };
  for (const auto& c : cases) {
    Event e = parser.parse(c.frame, ts(c.received));
    EXPECT_FALSE(e.has_tag(kSyslogParseFailureTag)) << c.frame;
    Timestamp t;
    ASSERT_TRUE(e.timestamp(&t)) << c.frame;
    EXPECT_EQ(t.to_iso8601(), c.time) << c.frame << " received " << c.received;
  }
}

// A wall time in the spring-forward gap does not exist; the date filter
// refuses it, the syslog input must not lose the line: it is read with the
// offset before the gap. A time in the fall-back overlap takes the earlier
// instant (summer time), as the date filter does.
TEST(SyslogParser, DstGapAndOverlapTimesStillGiveTheirEvent) {
  SyslogParserSettings s;
  auto paris = TimeZoneRules::lookup("Europe/Paris");
  ASSERT_TRUE(paris.has_value());
  s.zone = *paris;
  SyslogParser parser(s);
  struct {
    const char* frame;
    const char* time;
  } cases[] = {
      {"<13>Mar 29 2026 01:59:59 h p: m", "2026-03-29T00:59:59.000Z"},
      {"<13>Mar 29 2026 02:00:00 h p: m", "2026-03-29T01:00:00.000Z"},  // gap
      {"<13>Mar 29 2026 02:30:00 h p: m", "2026-03-29T01:30:00.000Z"},  // gap
      {"<13>Mar 29 2026 03:00:00 h p: m", "2026-03-29T01:00:00.000Z"},
      {"<13>1 2026-03-29T02:30:00 h p - - - m", "2026-03-29T01:30:00.000Z"},  // gap
      {"<13>Oct 25 01:59:59 h p: m", "2026-10-24T23:59:59.000Z"},
      {"<13>Oct 25 02:30:00 h p: m", "2026-10-25T00:30:00.000Z"},  // overlap
      {"<13>Oct 25 03:00:00 h p: m", "2026-10-25T02:00:00.000Z"},
      {"<13>Mar 25 2040 02:30:00 h p: m", "2040-03-25T01:30:00.000Z"},  // gap by the rule
      {"<13>Oct 28 2040 02:30:00 h p: m", "2040-10-28T00:30:00.000Z"},  // overlap by the rule
  };
  for (const auto& c : cases) {
    Event e = parser.parse(c.frame, kReceived);
    EXPECT_FALSE(e.has_tag(kSyslogParseFailureTag)) << c.frame;
    EXPECT_EQ(e.get_top("program")->as_string(), "p") << c.frame;
    Timestamp t;
    ASSERT_TRUE(e.timestamp(&t)) << c.frame;
    EXPECT_EQ(t.to_iso8601(), c.time) << c.frame;
  }
}

TEST(SyslogParser, LabelsCanBeTurnedOffOrRenamed) {
  SyslogParserSettings off;
  off.use_labels = false;
  Event e = SyslogParser(off).parse("<134>Nov 26 04:13:48 vm myapp: x", kReceived);
  EXPECT_EQ(e.get_top("facility_label"), nullptr);
  EXPECT_EQ(e.get_top("severity_label"), nullptr);
  EXPECT_EQ(e.get_top("facility")->as_int(), 16);
  SyslogParserSettings renamed;
  renamed.severity_labels = {"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"};
  Event r = SyslogParser(renamed).parse("<134>Nov 26 04:13:48 vm myapp: x", kReceived);
  EXPECT_EQ(r.get_top("severity_label")->as_string(), "info");
  EXPECT_EQ(r.get_top("facility_label")->as_string(), "local0");
  // A facility past the end of a short list gets no label, not a crash.
  SyslogParserSettings shortlist;
  shortlist.facility_labels = {"kernel"};
  Event s = SyslogParser(shortlist).parse("<134>Nov 26 04:13:48 vm myapp: x", kReceived);
  EXPECT_EQ(s.get_top("facility_label"), nullptr);
}

TEST(SyslogParser, Rfc5424StructuredDataEdgeCases) {
  SyslogParser parser;
  Event e =
      parser.parse("<13>1 - h a - - [a@1 x=\"1\" x=\"2\"][b@2][a@1 y=\"\\n\\\\\"] msg", kReceived);
  ASSERT_FALSE(e.has_tag("_syslogparsefailure"));
  const Value* sd = e.get_top("sd");
  ASSERT_NE(sd, nullptr);
  const Object& a = sd->as_object().find("a@1")->as_object();
  ASSERT_TRUE(a.find("x")->is_array());
  EXPECT_EQ(a.find("x")->as_array().size(), 2u);
  EXPECT_EQ(a.find("y")->as_string(), "\\n\\");  // only \" \\ \] are escapes
  EXPECT_TRUE(sd->as_object().find("b@2")->as_object().empty());
  EXPECT_EQ(*e.message(), "msg");
  // No MSG at all.
  Event bare = parser.parse("<13>1 - h a - - -", kReceived);
  ASSERT_FALSE(bare.has_tag("_syslogparsefailure"));
  EXPECT_EQ(*bare.message(), "");
  EXPECT_EQ(bare.get_top("sd"), nullptr);
}

TEST(SyslogParser, ParsesTheMessageOfACodecEvent) {
  SyslogParser parser;
  Event e("<13>Nov 26 04:13:16 h p: inner", kReceived);
  e.set_top("extra", Value("kept"));
  parser.parse_into(e, "<13>Nov 26 04:13:16 h p: inner", kReceived);
  EXPECT_EQ(*e.message(), "inner");
  EXPECT_EQ(e.get_top("program")->as_string(), "p");
  EXPECT_EQ(e.get_top("extra")->as_string(), "kept");
}

// ------------------------------------------------------------ framing

struct Collected {
  std::vector<std::string> frames;
  std::vector<FrameFlags> flags;
  void operator()(std::string_view f, FrameFlags fl) {
    frames.emplace_back(f);
    flags.push_back(fl);
  }
};

Collected frame_all(const std::string& stream, size_t max, size_t chunk) {
  SyslogFramer framer(max);
  Collected c;
  auto sink = [&](std::string_view f, FrameFlags fl) { c(f, fl); };
  for (size_t off = 0; off < stream.size(); off += chunk)
    framer.feed(stream.substr(off, chunk), sink);
  framer.finish(sink);
  return c;
}

TEST(SyslogFramer, OctetCountingAndLinesMixAndSurviveAnyCut) {
  const std::string stream =
      "5 hello3 abc\n<13>line\r\n\n12a not a count\n0 12 with\nnewline<13>last";
  const std::vector<std::string> want = {"hello",           "abc",           "<13>line",
                                         "12a not a count", "with\nnewline", "<13>last"};
  for (size_t chunk : {size_t{1}, size_t{2}, size_t{7}, stream.size()}) {
    Collected c = frame_all(stream, 1024, chunk);
    EXPECT_EQ(c.frames, want) << "chunk " << chunk;
    for (auto& f : c.flags) EXPECT_FALSE(f.truncated || f.incomplete);
  }
}

TEST(SyslogFramer, OversizedFramesAreCutAndTheStreamStaysInStep) {
  const std::string stream = "20 aaaaaaaaaaaaaaaaaaaa5 after" + std::string(30, 'b') + "\nnext\n";
  for (size_t chunk : {size_t{1}, size_t{3}, stream.size()}) {
    Collected c = frame_all(stream, 10, chunk);
    ASSERT_EQ(c.frames.size(), 4u) << chunk;
    EXPECT_EQ(c.frames[0], std::string(10, 'a'));
    EXPECT_TRUE(c.flags[0].truncated);
    EXPECT_EQ(c.frames[1], "after");
    EXPECT_FALSE(c.flags[1].truncated);
    EXPECT_EQ(c.frames[2], std::string(10, 'b'));
    EXPECT_TRUE(c.flags[2].truncated);
    EXPECT_EQ(c.frames[3], "next");
  }
}

// Found by fuzz/syslog_fuzzer: a line of exactly the maximum size ending in
// CRLF was flagged truncated when a read ended between the CR and the LF.
TEST(SyslogFramer, AFullSizeLineEndingInCrlfIsWholeWhereverTheReadEnds) {
  const std::string stream = std::string(10, 'a') + "\r\nnext\n";
  for (size_t chunk : {size_t{1}, size_t{11}, stream.size()}) {
    Collected c = frame_all(stream, 10, chunk);
    ASSERT_EQ(c.frames.size(), 2u) << "chunk " << chunk;
    EXPECT_EQ(c.frames[0], std::string(10, 'a'));
    EXPECT_FALSE(c.flags[0].truncated) << "chunk " << chunk;
    EXPECT_EQ(c.frames[1], "next");
  }
}

TEST(SyslogFramer, MemoryStaysBoundedWithoutDelimiters) {
  SyslogFramer framer(100);
  size_t frames = 0;
  auto sink = [&](std::string_view f, FrameFlags fl) {
    EXPECT_LE(f.size(), 100u);
    EXPECT_TRUE(fl.truncated);
    ++frames;
  };
  const std::string chunk(1000, 'z');
  for (int i = 0; i < 1000; ++i) {
    framer.feed(chunk, sink);
    EXPECT_LE(framer.buffered(), 100u + chunk.size());
  }
  EXPECT_EQ(frames, 1u);  // one cut frame, the rest of that line dropped
  // A huge announced length does not make it wait for (or buffer) gigabytes.
  SyslogFramer big(100);
  Collected c;
  auto csink = [&](std::string_view f, FrameFlags fl) { c(f, fl); };
  big.feed("4000000000 " + std::string(150, 'q'), csink);
  ASSERT_EQ(c.frames.size(), 1u);
  EXPECT_TRUE(c.flags[0].truncated);
  EXPECT_LE(big.buffered(), 100u);
}

TEST(SyslogFramer, EndOfStreamInsideAFrame) {
  Collected octet = frame_all("50 only part", 1024, 1024);
  ASSERT_EQ(octet.frames.size(), 1u);
  EXPECT_EQ(octet.frames[0], "only part");
  EXPECT_TRUE(octet.flags[0].incomplete);
  Collected line = frame_all("<13>no newline", 1024, 1024);
  ASSERT_EQ(line.frames.size(), 1u);
  EXPECT_EQ(line.frames[0], "<13>no newline");
  EXPECT_FALSE(line.flags[0].incomplete);
  EXPECT_TRUE(frame_all("50 ", 1024, 1024).frames.empty());
  Collected digits = frame_all("123", 1024, 1024);
  ASSERT_EQ(digits.frames.size(), 1u);
  EXPECT_EQ(digits.frames[0], "123");
}

}  // namespace
}  // namespace logpipe
