// geoip filter: City, Country and ASN lookups (IPv4 and IPv6) in both field
// naming modes, the fields option, and every kind of bad input tagged as
// Logstash does. The databases are written at set-up by
// tests/tools/make_test_mmdb.pl (MaxMind::DB::Writer), so results are exact.
#include "filters/geoip_filter.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "engine/text/json_writer.h"
#include "tests/geoip_test_databases.h"
#include "tests/json_lines_events.h"
#include "tests/logpipe_process.h"
#include "tests/plugin_test_support.h"

namespace logpipe {
namespace {

using testing::opts;

class GeoipFilterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { dir_ = testing::write_geoip_test_databases("geoip_filter"); }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  // "City" for GeoLite2-City; GeoIP2 databases by their whole name.
  static std::string db(const std::string& type) {
    return dir_ + "/" + (type.rfind("GeoIP2-", 0) == 0 ? "" : "GeoLite2-") + type + ".mmdb";
  }

  static std::unique_ptr<Filter> make(const std::string& type, Object settings) {
    if (!settings.find("source")) settings.set("source", Value("message"));
    settings.set("database", Value(db(type)));
    return testing::make_test_filter(geoip_filter_info(), settings);
  }

  // Runs one event whose `field` holds `ip`; returns the event.
  static Event run(Filter& f, const char* field, Value ip) {
    Event e;
    e.set(FieldRef::must(field), std::move(ip));
    testing::NullFilterContext ctx;
    f.filter(e, ctx);
    return e;
  }

  static std::string json(const Event& e) { return testing::fields_json_without(e, {"@timestamp", "@version"}); }

  static std::string dir_;
};

std::string GeoipFilterTest::dir_;

TEST_F(GeoipFilterTest, CityLookupsGiveLogstashFieldsInBothModes) {
  struct Case {
    const char* name;
    Object settings;
    const char* field;
    const char* ip;
    const char* expected;
  };
  const Case cases[] = {
      {"legacy IPv4", {}, "message", "81.2.69.161",
       R"({"message":"81.2.69.161","geoip":{"city_name":"London","country_name":"United Kingdom",)"
       R"("continent_code":"EU","country_code2":"GB","country_code3":"GB","ip":"81.2.69.161",)"
       R"("postal_code":"EC1A","region_name":"England","region_code":"ENG","timezone":"Europe/London",)"
       R"("location":{"lat":51.5142,"lon":-0.0931},"latitude":51.5142,"longitude":-0.0931}})"},
      {"legacy with dma_code", {}, "message", "216.160.83.60",
       R"({"message":"216.160.83.60","geoip":{"city_name":"Milton","country_name":"United States",)"
       R"("continent_code":"NA","country_code2":"US","country_code3":"US","ip":"216.160.83.60",)"
       R"("postal_code":"98354","dma_code":819,"region_name":"Washington","region_code":"WA",)"
       R"("timezone":"America/Los_Angeles","location":{"lat":47.2513,"lon":-122.3149},)"
       R"("latitude":47.2513,"longitude":-122.3149}})"},
      {"legacy IPv6, most specific subdivision, uncompressed ip", {}, "message", "2a02:2770::21a",
       R"({"message":"2a02:2770::21a","geoip":{"city_name":"Nuremberg","country_name":"Germany",)"
       R"("continent_code":"EU","country_code2":"DE","country_code3":"DE","ip":"2a02:2770:0:0:0:0:0:21a",)"
       R"("postal_code":"90403","region_name":"Middle Franconia","region_code":"MFR",)"
       R"("timezone":"Europe/Berlin","location":{"lat":49.4478,"lon":11.0683},"latitude":49.4478,)"
       R"("longitude":11.0683}})"},
      {"legacy record without city", opts({{"target", Value("[src][geo]")}}), "message", "2.125.160.217",
       R"({"message":"2.125.160.217","src":{"geo":{"country_name":"United Kingdom","continent_code":"EU",)"
       R"("country_code2":"GB","country_code3":"GB","ip":"2.125.160.217","location":{"lat":51.5,"lon":-0.13},)"
       R"("latitude":51.5,"longitude":-0.13}}})"},
      {"ECS target from [client][ip]", opts({{"source", Value("[client][ip]")}, {"ecs_compatibility", Value("v8")}}),
       "[client][ip]", "216.160.83.60",
       R"({"client":{"ip":"216.160.83.60","geo":{"city_name":"Milton","country_name":"United States",)"
       R"("continent_code":"NA","country_iso_code":"US","postal_code":"98354","region_name":"Washington",)"
       R"("region_iso_code":"US-WA","timezone":"America/Los_Angeles","location":{"lat":47.2513,"lon":-122.3149}},)"
       R"("mmdb":{"dma_code":819}}})"},
      {"ECS IPv4-mapped IPv6 normalised", opts({{"source", Value("[source][address]")}, {"target", Value("source")},
                                                 {"ecs_compatibility", Value("v1")}}),
       "[source][address]", "::ffff:81.2.69.170",
       R"({"source":{"address":"::ffff:81.2.69.170","geo":{"city_name":"London","country_name":"United Kingdom",)"
       R"("continent_code":"EU","country_iso_code":"GB","postal_code":"EC1A","region_name":"England",)"
       R"("region_iso_code":"GB-ENG","timezone":"Europe/London","location":{"lat":51.5142,"lon":-0.0931}},)"
       R"("ip":"81.2.69.170"}})"},
      {"fields, any case, in Logstash's order not the option's",
       opts({{"fields", Value(Array{Value("location"), Value("CITY_NAME"), Value("Region_Iso_Code"),
                                    Value("autonomous_system_number")})}}),
       "message", "81.2.69.161",
       R"({"message":"81.2.69.161","geoip":{"city_name":"London","region_iso_code":"GB-ENG",)"
       R"("location":{"lat":51.5142,"lon":-0.0931}}})"},
      {"array source: first element", {}, "message", "",  // set below
       R"({"message":["81.2.69.161","216.160.83.60"],"geoip":{"city_name":"London"}})"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Object settings = c.settings;
    Value ip(c.ip);
    if (std::string(c.name).rfind("array", 0) == 0) {
      settings.set("fields", Value(Array{Value("city_name")}));
      ip = Value(Array{Value("81.2.69.161"), Value("216.160.83.60")});
    }
    auto f = make("City", settings);
    Event e = run(*f, c.field, ip);
    EXPECT_EQ(json(e), c.expected);
    EXPECT_FALSE(e.has_tag("_geoip_lookup_failure"));
  }
}

// postal_code is not a field Logstash's Enterprise lookup fills: ignored.
TEST_F(GeoipFilterTest, CountryAsnAnonymousAndEnterpriseDatabases) {
  struct Case {
    const char* type;
    Object settings;
    const char* ip;
    const char* expected;
  };
  const Case cases[] = {
      {"Country", {}, "81.2.69.161",
       R"({"geoip":{"country_name":"United Kingdom","continent_name":"Europe","country_code2":"GB",)"
       R"("ip":"81.2.69.161"}})"},
      {"Country", opts({{"target", Value("client")}, {"ecs_compatibility", Value("v8")}}), "2a02:2770:1::",
       R"({"client":{"geo":{"country_name":"Germany","continent_name":"Europe","country_iso_code":"DE"},)"
       R"("ip":"2a02:2770:1:0:0:0:0:0"}})"},
      {"ASN", {}, "1.128.0.1", R"({"geoip":{"asn":1221,"as_org":"Telstra Pty Ltd","ip":"1.128.0.1"}})"},
      {"ASN", opts({{"target", Value("destination")}, {"ecs_compatibility", Value("v1")}}), "2600:6000::1",
       R"({"destination":{"as":{"number":237,"organization":{"name":"Merit Network Inc."}},)"
       R"("ip":"2600:6000:0:0:0:0:0:1"}})"},
      {"ASN", {}, "12.81.92.7", R"({"geoip":{"asn":7018,"ip":"12.81.92.7"}})"},
      {"ASN", opts({{"fields", Value(Array{Value("network"), Value("autonomous_system_number")})}}),
       "1.159.255.255", R"({"geoip":{"asn":1221,"network":"1.128.0.0/11"}})"},
      {"ASN", opts({{"fields", Value(Array{Value("network")})}}), "2600:6fff::1",
       R"({"geoip":{"network":"2600:6000:0:0:0:0:0:0/20"}})"},
      {"GeoIP2-Anonymous-IP", {}, "81.2.69.161",
       R"({"geoip":{"hosting_provider":true,"tor_exit_node":false,"anonymous_vpn":true,"anonymous":true,)"
       R"("public_proxy":false,"residential_proxy":false}})"},
      {"GeoIP2-Anonymous-IP", opts({{"target", Value("client")}, {"ecs_compatibility", Value("v8")},
                                   {"fields", Value(Array{Value("tor_exit_node"), Value("ip")})}}),
       "2a02:2770::5", R"({"client":{"ip":"2a02:2770:0:0:0:0:0:5","ip_traits":{"tor_exit_node":true}}})"},
      {"GeoIP2-Enterprise", {}, "81.2.69.161",
       R"({"geoip":{"city_name":"London","country_name":"United Kingdom","continent_name":"Europe",)"
       R"("country_code2":"GB","ip":"81.2.69.161","region_name":"England","region_iso_code":"GB-ENG",)"
       R"("location":{"lat":51.5142,"lon":-0.0931}}})"},
      {"GeoIP2-Enterprise",
       opts({{"target", Value("client")}, {"ecs_compatibility", Value("v8")},
             {"fields", Value(Array{Value("public_proxy"), Value("network"), Value("autonomous_system_number"),
                                    Value("autonomous_system_organization"), Value("postal_code")})}}),
       "81.2.69.161",
       R"({"client":{"as":{"number":20712,"organization":{"name":"Andrews & Arnold Ltd"}},)"
       R"("ip_traits":{"network":"81.2.69.160/27","public_proxy":true}}})"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.type) + " " + c.ip);
    ASSERT_TRUE(std::filesystem::exists(db(c.type)));
    auto f = make(c.type, c.settings);
    Event e = run(*f, "message", Value(c.ip));
    EXPECT_EQ(testing::fields_json_without(e, {"@timestamp", "@version", "message"}), c.expected);
    EXPECT_FALSE(e.has_tag("_geoip_lookup_failure"));
  }
}

TEST_F(GeoipFilterTest, BadOrUnknownAddressesAreTaggedAsLogstashDoes) {
  struct Case {
    Value ip;
    bool empty_target;  // Logstash sets target to {} once it tried a lookup
  };
  const Case cases[] = {
      {Value(""), false},
      {Value("      "), false},
      {Value(Array{}), false},
      {Value("-"), true},
      {Value("N/A"), true},
      {Value("123.45.67.89,61.160.232.222"), true},
      {Value("127.0.0.1"), true},  // private and reserved networks are in no database
      {Value("10.1.2.3"), true},
      {Value("::1"), true},
      {Value("0.0.0.0"), true},
      {Value("8.8.8.8"), true},          // not in the test database
      {Value("89.160.20.113"), true},    // a City record without location
      {Value(" 81.2.69.161"), true},     // not trimmed (Logstash would try DNS)
      {Value("example.com"), true},      // host names are not resolved
      {Value(int64_t{42}), false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.ip.to_string());
    auto f = make("City", opts({{"target", Value("server")}}));
    Event e = run(*f, "message", c.ip);
    EXPECT_TRUE(e.has_tag("_geoip_lookup_failure"));
    const Value* target = e.get(FieldRef::must("server"));
    if (c.empty_target) {
      ASSERT_TRUE(target);
      EXPECT_EQ(target->to_string(), "{}");
    } else {
      EXPECT_FALSE(target);
    }
  }
  // A missing source is tagged; an existing target is left as it was.
  auto f = make("City", opts({{"tag_on_failure", Value(Array{Value("no_geo"), Value("x")})}}));
  Event missing;
  testing::NullFilterContext ctx;
  f->filter(missing, ctx);
  EXPECT_TRUE(missing.has_tag("no_geo") && missing.has_tag("x"));
  EXPECT_FALSE(missing.get(FieldRef::must("geoip")));
  Event kept;
  kept.set(FieldRef::must("[geoip][old]"), Value(1));
  kept.set(FieldRef::must("message"), Value("127.0.0.1"));
  f->filter(kept, ctx);
  EXPECT_EQ(testing::fields_json_without(kept, {"@timestamp", "@version", "message", "tags"}),
            R"({"geoip":{"old":1}})");
}

TEST_F(GeoipFilterTest, CommonOptionsApplyOnlyOnSuccess) {
  auto f = make("ASN", opts({{"add_tag", Value(Array{Value("geo_ok")})}}));
  EXPECT_TRUE(run(*f, "message", Value("1.128.0.1")).has_tag("geo_ok"));
  EXPECT_FALSE(run(*f, "message", Value("127.0.0.1")).has_tag("geo_ok"));
}

TEST_F(GeoipFilterTest, CacheIsBoundedAndGivesTheSameResults) {
  auto f = make("City", opts({{"cache_size", Value(2)}}));
  auto& g = static_cast<GeoipFilter&>(*f);
  const char* ips[] = {"81.2.69.161", "216.160.83.60", "81.2.69.161", "2a02:2770::1", "127.0.0.1", "81.2.69.161"};
  std::string first;
  for (const char* ip : ips) {
    Event e = run(*f, "message", Value(ip));
    if (std::string(ip) == "81.2.69.161") {
      if (first.empty()) first = json(e);
      EXPECT_EQ(json(e), first);
    }
    EXPECT_LE(g.cache_entries(), 2u);
  }
  auto uncached = make("City", opts({{"cache_size", Value(0)}}));
  EXPECT_EQ(json(run(*uncached, "message", Value("81.2.69.161"))), first);
  EXPECT_EQ(static_cast<GeoipFilter&>(*uncached).cache_entries(), 0u);
}

TEST_F(GeoipFilterTest, ConfigErrorsSayWhy) {
  auto error_of = [](const Object& settings) -> std::string {
    try {
      testing::make_test_filter(geoip_filter_info(), settings);
    } catch (const OptionError& e) {
      return e.what();
    }
    return "";
  };
  std::string city = db("City");
  EXPECT_NE(error_of(opts({{"source", Value("ip")}, {"database", Value(city)}, {"ecs_compatibility", Value("v8")}}))
                .find("a target is required when source is not an `ip` sub-field"),
            std::string::npos);
  EXPECT_NE(error_of(opts({{"source", Value("ip")}, {"database", Value(city)}, {"fields", Value(Array{Value("planet")})}}))
                .find("illegal field value planet. valid values are [AUTONOMOUS_SYSTEM_NUMBER"),
            std::string::npos);
  EXPECT_NE(error_of(opts({{"source", Value("ip")}, {"database", Value(dir_ + "/none.mmdb")}}))
                .find("cannot open " + dir_ + "/none.mmdb"),
            std::string::npos);
  std::string not_a_db = dir_ + "/not.mmdb";
  FILE* fp = std::fopen(not_a_db.c_str(), "w");
  std::fputs("not a database\n", fp);
  std::fclose(fp);
  EXPECT_NE(error_of(opts({{"source", Value("ip")}, {"database", Value(not_a_db)}})).find("cannot open"),
            std::string::npos);
  EXPECT_NE(error_of(opts({{"source", Value("ip")}, {"database", Value(db("GeoIP2-Connection-Type"))}}))
                .find("database type 'GeoIP2-Connection-Type' is not supported"),
            std::string::npos);
  EXPECT_NE(error_of(opts({{"source", Value("[a")}, {"database", Value(city)}})).find("invalid field reference"),
            std::string::npos);
  // Without `database` the places geoipupdate writes to are searched.
  if (!std::filesystem::exists("/var/lib/GeoIP/GeoLite2-ASN.mmdb") &&
      !std::filesystem::exists("/usr/share/GeoIP/GeoLite2-ASN.mmdb") &&
      !std::filesystem::exists("/usr/local/share/GeoIP/GeoLite2-ASN.mmdb")) {
    std::string e = error_of(opts({{"source", Value("ip")}, {"default_database_type", Value("ASN")}}));
    EXPECT_NE(e.find("/var/lib/GeoIP/GeoLite2-ASN.mmdb, /usr/share/GeoIP/GeoLite2-ASN.mmdb"), std::string::npos) << e;
  }
}

// Access-log lines through the real binary: dissect, then geoip on the
// client address with a City and an ASN database (ECS names), written as
// JSON lines.
using testing::Logpipe;
using testing::read_text_file;

class GeoipBinary : public testing::TempDirTest {
 public:
  GeoipBinary() : TempDirTest("geoip_binary") {}
};

TEST_F(GeoipBinary, AccessLogThroughCityAndAsnLookups) {
  std::string dbs = testing::write_geoip_test_databases("geoip_binary");
  std::string out = path("out.json");
  std::string config =
      "input { generator { count => 1 lines => [\"81.2.69.161 GET /a\", \"1.128.0.1 GET /b\", "
      "\"2600:6000::1 GET /c\", \"10.0.0.1 GET /d\"] } }\n"
      "filter {\n"
      "  dissect { mapping => { \"message\" => \"%{[client][ip]} %{verb} %{path}\" } }\n"
      "  geoip { source => \"[client][ip]\" database => \"" + dbs + "/GeoLite2-City.mmdb\" ecs_compatibility => \"v8\" "
      "fields => [\"city_name\", \"country_iso_code\", \"country_code2\", \"location\"] }\n"
      "  geoip { source => \"[client][ip]\" database => \"" + dbs + "/GeoLite2-ASN.mmdb\" ecs_compatibility => \"v8\" "
      "tag_on_failure => [\"_no_asn\"] }\n"
      "}\n"
      "output { file { path => \"" + out + "\" codec => json_lines } }\n";
  // country_iso_code is not a Logstash field name: the config must be refused first.
  {
    Logpipe bad(dir_, "bad", config);
    EXPECT_NE(bad.wait(60), 0);
    EXPECT_NE(bad.log().find("illegal field value country_iso_code"), std::string::npos) << bad.log();
  }
  std::string fixed = config;
  fixed.erase(fixed.find("\"country_iso_code\", "), std::string("\"country_iso_code\", ").size());
  Logpipe lp(dir_, "lp", fixed);
  ASSERT_EQ(lp.wait(60), 0) << lp.log();
  std::filesystem::remove_all(dbs);

  std::map<std::string, std::string> client_by_path;  // [path] -> [client] and tags as JSON
  for (const Event& e : testing::read_json_lines_events(out)) {
    std::string client, tags;
    append_json(*e.get(FieldRef::must("client")), client);
    if (const Value* t = e.get(FieldRef::must("tags"))) append_json(*t, tags);
    client_by_path[e.get(FieldRef::must("path"))->as_string()] = client + " " + tags;
  }
  ASSERT_EQ(client_by_path.size(), 4u) << read_text_file(out);
  EXPECT_EQ(client_by_path["/a"],
            R"({"ip":"81.2.69.161","geo":{"city_name":"London","country_iso_code":"GB",)"
            R"("location":{"lat":51.5142,"lon":-0.0931}}} ["_no_asn"])");
  EXPECT_EQ(client_by_path["/b"],
            R"({"ip":"1.128.0.1","as":{"number":1221,"organization":{"name":"Telstra Pty Ltd"}}} ["_geoip_lookup_failure"])");
  EXPECT_EQ(client_by_path["/c"],
            R"({"ip":"2600:6000:0:0:0:0:0:1","as":{"number":237,"organization":{"name":"Merit Network Inc."}}} )"
            R"(["_geoip_lookup_failure"])");
  EXPECT_EQ(client_by_path["/d"], R"({"ip":"10.0.0.1"} ["_geoip_lookup_failure","_no_asn"])");
}

}  // namespace
}  // namespace logpipe
