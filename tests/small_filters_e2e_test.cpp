// csv, cidr, fingerprint, syslog_pri, prune and age through the real
// binary: a generator feeds realistic lines, the filter runs with -w 2 as
// in production, a file output writes json_lines, and the test reads the
// events back (keyed by message: two workers may reorder them).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>

#include "engine/text/json_reader.h"
#include "tests/logpipe_process.h"

namespace logpipe {
namespace {

class SmallFiltersE2ETest : public testing::TempDirTest {
 protected:
  SmallFiltersE2ETest() : TempDirTest("small-filters") {}

  // Runs input -> `filter` -> file and returns the events by message.
  std::map<std::string, Object> run(const std::string& name, const std::string& lines, const std::string& filter) {
    std::string out = path(name + ".jsonl");
    std::string config = "input { generator { count => 1 lines => [" + lines + "] } }\nfilter {\n" + filter +
                         "\n}\noutput { file { path => \"" + out + "\" codec => json_lines } }\n";
    testing::Logpipe lp(dir_, name, config);
    EXPECT_EQ(lp.wait(60), 0) << lp.log();
    std::map<std::string, Object> events;
    for (const std::string& line : testing::split_lines(testing::read_text_file(out))) {
      Value v;
      std::string error;
      EXPECT_TRUE(parse_json(line, &v, &error)) << line << ": " << error;
      if (!v.is_object()) continue;
      const Value* m = v.as_object().find("message");
      events[m ? m->to_string() : ""] = v.as_object();
    }
    return events;
  }
  static std::string field(const Object& o, const char* name) {
    const Value* v = o.find(name);
    return v ? v->to_string() : "<missing>";
  }
  static bool tagged(const Object& o, const char* tag) {
    const Value* t = o.find("tags");
    if (!t || !t->is_array()) return false;
    for (const Value& x : t->as_array())
      if (x.is_string() && x.as_string() == tag) return true;
    return false;
  }
};

TEST_F(SmallFiltersE2ETest, CsvAccessLogExport) {
  auto events = run("csv",
                    "'time,client,status,bytes,path', '2026-12-02 10:00:01,10.0.0.1,200,5120,\"/a,b\"', "
                    "'2026-12-02 10:00:02,10.0.0.2,404,0,/missing', 'broken,\"quote'",
                    "csv { columns => [time, client, status, bytes, path] skip_header => true "
                    "convert => { status => integer bytes => integer time => date_time } target => http }");
  ASSERT_EQ(events.size(), 3u);  // the header is dropped
  const Object& ok = events.at("2026-12-02 10:00:01,10.0.0.1,200,5120,\"/a,b\"");
  const Value* http = ok.find("http");
  ASSERT_TRUE(http && http->is_object());
  EXPECT_EQ(field(http->as_object(), "path"), "/a,b");
  EXPECT_EQ(field(http->as_object(), "time"), "2026-12-02T10:00:01.000Z");
  ASSERT_TRUE(http->as_object().find("status")->is_int());
  EXPECT_EQ(http->as_object().find("status")->as_int(), 200);
  EXPECT_EQ(http->as_object().find("bytes")->as_int(), 5120);
  EXPECT_TRUE(tagged(events.at("broken,\"quote"), "_csvparsefailure"));
}

TEST_F(SmallFiltersE2ETest, CsvAutodetectNeedsOneWorker) {
  testing::Logpipe lp(dir_, "csv-autodetect",
                      "input { generator { count => 1 } } filter { csv { autodetect_column_names => true } } "
                      "output { file { path => \"" + path("never.jsonl") + "\" } }");
  EXPECT_NE(lp.wait(60), 0);
  EXPECT_NE(lp.log().find("needs pipeline.workers 1"), std::string::npos) << lp.log();
}

TEST_F(SmallFiltersE2ETest, CidrTagsInternalClientsFromAFile) {
  std::ofstream(path("internal.txt")) << "10.0.0.0/8\n192.168.0.0/16\nfd00::/8\n";
  auto events = run("cidr", "'10.20.30.40', '8.8.8.8', 'fd12::1', 'not-an-ip'",
                    "cidr { address => [\"%{message}\"] network_path => \"" + path("internal.txt") +
                        "\" add_tag => [internal] add_field => { zone => lan } }");
  ASSERT_EQ(events.size(), 4u);
  EXPECT_TRUE(tagged(events.at("10.20.30.40"), "internal"));
  EXPECT_EQ(field(events.at("10.20.30.40"), "zone"), "lan");
  EXPECT_TRUE(tagged(events.at("fd12::1"), "internal"));
  EXPECT_FALSE(tagged(events.at("8.8.8.8"), "internal"));
  EXPECT_EQ(field(events.at("8.8.8.8"), "zone"), "<missing>");
  EXPECT_FALSE(tagged(events.at("not-an-ip"), "internal"));
}

TEST_F(SmallFiltersE2ETest, FingerprintForDeduplication) {
  auto events = run("fingerprint", "'123.123.123.123', 'other'",
                    "fingerprint { method => SHA256 key => \"longencryptionkey\" target => \"[@metadata][id]\" }\n"
                    "mutate { copy => { \"[@metadata][id]\" => doc_id } }\n"
                    "fingerprint { method => MURMUR3 target => m3 }\n"
                    "fingerprint { method => SHA1 concatenate_sources => true source => [message, host] "
                    "ecs_compatibility => v8 }");
  ASSERT_EQ(events.size(), 2u);
  const Object& e = events.at("123.123.123.123");
  EXPECT_EQ(field(e, "doc_id"), "345bec3eff242d53b568916c2610b3e393d885d6b96d643f38494fd74bf4a9ca");
  EXPECT_EQ(field(e, "m3"), "4013733395");
  const Value* ev = e.find("event");
  ASSERT_TRUE(ev && ev->is_object());
  EXPECT_EQ(ev->as_object().find("hash")->to_string().size(), 40u);
  EXPECT_NE(field(events.at("other"), "doc_id"), field(e, "doc_id"));
}

TEST_F(SmallFiltersE2ETest, SyslogPriFromGrokkedLines) {
  auto events = run("syslog-pri", "'<34>Oct 11 22:14:15 host su: failed', '<165>Aug 24 05:34:00 app: ok', 'no pri'",
                    "grok { match => { message => \"^<%{NONNEGINT:syslog_pri}>\" } }\n"
                    "syslog_pri { }\n"
                    "syslog_pri { ecs_compatibility => v1 syslog_pri_field_name => syslog_pri }");
  ASSERT_EQ(events.size(), 3u);
  const Object& auth = events.at("<34>Oct 11 22:14:15 host su: failed");
  EXPECT_EQ(field(auth, "syslog_facility"), "security/authorization");
  EXPECT_EQ(field(auth, "syslog_severity"), "critical");
  EXPECT_EQ(field(auth, "syslog_facility_code"), "4");
  const Value* log = auth.find("log");
  ASSERT_TRUE(log && log->is_object());
  const Object& syslog = log->as_object().find("syslog")->as_object();
  EXPECT_EQ(field(syslog.find("severity")->as_object(), "name"), "critical");
  EXPECT_EQ(field(syslog.find("facility")->as_object(), "code"), "4");
  EXPECT_EQ(field(events.at("<165>Aug 24 05:34:00 app: ok"), "syslog_facility"), "local4");
  EXPECT_EQ(field(events.at("no pri"), "syslog_severity"), "notice");  // the default 13
}

TEST_F(SmallFiltersE2ETest, PruneKeepsAWhitelist) {
  auto events = run("prune", "'user=joe password=secret action=login'",
                    "kv { }\n"
                    "prune { whitelist_names => [\"^message$\", \"^@timestamp$\", \"^user$\", \"^action$\"] "
                    "blacklist_values => { action => \"^log\" } }");
  ASSERT_EQ(events.size(), 1u);
  const Object& e = events.begin()->second;
  EXPECT_EQ(field(e, "user"), "joe");
  EXPECT_EQ(field(e, "password"), "<missing>");
  EXPECT_EQ(field(e, "action"), "<missing>");
  EXPECT_EQ(field(e, "host"), "<missing>");
  EXPECT_EQ(field(e, "@version"), "<missing>");
  EXPECT_NE(field(e, "@timestamp"), "<missing>");
}

TEST_F(SmallFiltersE2ETest, AgeDropsOldEvents) {
  auto events = run("age", "'fresh', 'stale'",
                    "if [message] == \"stale\" { mutate { add_field => { \"[@metadata][t]\" => "
                    "\"2001-01-01T00:00:00Z\" } } date { match => [\"[@metadata][t]\", ISO8601] } }\n"
                    "age { }\n"
                    "if [@metadata][age] > 86400 { drop { } }\n"
                    "age { target => age }");
  ASSERT_EQ(events.size(), 1u);
  const Object& e = events.at("fresh");
  const Value* age = e.find("age");
  ASSERT_TRUE(age && age->is_float());
  EXPECT_GE(age->as_float(), 0.0);
  EXPECT_LT(age->as_float(), 60.0);
}

}  // namespace
}  // namespace logpipe
