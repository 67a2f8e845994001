// cef codec: decoding the CEF spec's and the Logstash plugin spec's examples
// in both field-naming modes, the failure tag, encoding with escapes and
// key mappings, stream splitting, and encode -> decode round trips.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "engine/codecs/codecs.h"
#include "engine/codecs/iso8601.h"
#include "tests/plugin_test_support.h"

namespace logpipe {
namespace {

using testing::make_test_codec;
using testing::opts;

std::unique_ptr<Codec> cef(Object o = {}) { return make_test_codec(cef_codec_info(), o); }

std::vector<Event> decode_all(Codec& c, std::string_view text) {
  std::vector<Event> out;
  EventSink sink = [&](Event&& e) { out.push_back(std::move(e)); };
  c.decode(text, sink);
  c.flush(sink);
  return out;
}

std::string str(const Event& e, const char* ref) {
  const Value* v = e.get(FieldRef::must(ref));
  if (!v) return "<missing>";
  if (v->is_null()) return "<null>";
  return v->to_string();
}

bool tagged_failure(const Event& e) {
  const Value* t = e.get_top("tags");
  if (!t || !t->is_array()) return false;
  for (auto& v : t->as_array())
    if (v.is_string() && v.as_string() == "_cefparsefailure") return true;
  return false;
}

const char* const kTrojan =
    "CEF:0|security|threatmanager|1.0|100|trojan successfully stopped|10|src=10.0.0.192 "
    "dst=12.121.122.82 spt=1232";

struct DecodeCase {
  const char* name;
  const char* ecs;  // ecs_compatibility
  std::string input;
  std::vector<std::pair<const char*, std::string>> expect;  // field reference -> string form
};

class CefDecodeTest : public ::testing::TestWithParam<DecodeCase> {};

TEST_P(CefDecodeTest, FieldsAsLogstash) {
  const DecodeCase& c = GetParam();
  auto codec = cef(opts({{"ecs_compatibility", Value(c.ecs)}}));
  auto events = decode_all(*codec, c.input);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_FALSE(tagged_failure(events[0])) << c.input;
  for (auto& [ref, want] : c.expect) EXPECT_EQ(str(events[0], ref), want) << ref;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CefDecodeTest,
    ::testing::Values(
        DecodeCase{"HeaderAndExtensionsLegacy", "disabled", kTrojan,
                   {{"cefVersion", "0"}, {"deviceVendor", "security"},
                    {"deviceProduct", "threatmanager"}, {"deviceVersion", "1.0"},
                    {"deviceEventClassId", "100"}, {"name", "trojan successfully stopped"},
                    {"severity", "10"}, {"sourceAddress", "10.0.0.192"},
                    {"destinationAddress", "12.121.122.82"}, {"sourcePort", "1232"}}},
        DecodeCase{"HeaderAndExtensionsEcs", "v8", kTrojan,
                   {{"[cef][version]", "0"}, {"[observer][vendor]", "security"},
                    {"[observer][product]", "threatmanager"}, {"[observer][version]", "1.0"},
                    {"[event][code]", "100"}, {"[cef][name]", "trojan successfully stopped"},
                    {"[event][severity]", "10"}, {"[source][ip]", "10.0.0.192"},
                    {"[destination][ip]", "12.121.122.82"}, {"[source][port]", "1232"}}},
        DecodeCase{"SyslogPrefixLegacy", "disabled",
                   std::string("Syslogdate Sysloghost ") + kTrojan,
                   {{"syslog", "Syslogdate Sysloghost"}, {"cefVersion", "0"}}},
        DecodeCase{"SyslogPrefixEcs", "v1", std::string("Syslogdate Sysloghost ") + kTrojan,
                   {{"[log][syslog][header]", "Syslogdate Sysloghost"}, {"[cef][version]", "0"}}},
        DecodeCase{"MissingHeaderValues", "disabled",
                   "CEF:0|||1.0|100|trojan successfully stopped|10|src=10.0.0.192",
                   {{"deviceVendor", ""}, {"deviceProduct", ""}, {"sourceAddress", "10.0.0.192"}}},
        DecodeCase{"EscapedPipesInHeader", "disabled",
                   "CEF:0|secu\\|rity|threatmanager\\||1.\\|0|10\\|0|tro\\|jan successfully "
                   "stopped|\\|10|",
                   {{"deviceVendor", "secu|rity"}, {"deviceProduct", "threatmanager|"},
                    {"deviceVersion", "1.|0"}, {"deviceEventClassId", "10|0"},
                    {"name", "tro|jan successfully stopped"}, {"severity", "|10"}}},
        DecodeCase{"EscapedBackslashesInHeader", "disabled",
                   "CEF:0|secu\\\\rity|threatmanager\\\\|1.0|100|x|10|",
                   {{"deviceVendor", "secu\\rity"}, {"deviceProduct", "threatmanager\\"}}},
        DecodeCase{"BackslashBeforeEscapedPipeEdge", "disabled",
                   "CEF:0|security\\\\\\||threatmanager\\\\|1.0|100|x|10|",
                   {{"deviceVendor", "security\\|"}, {"deviceProduct", "threatmanager\\"}}},
        DecodeCase{"PipesAndEqualsInExtensionValues", "disabled",
                   "CEF:0|security|threatmanager|1.0|100|x|10|moo=this|has an pipe "
                   "cow=this =has = equals\\= pig=this \\has \\ backslashs\\",
                   {{"moo", "this|has an pipe"}, {"cow", "this =has = equals="},
                    {"pig", "this \\has \\ backslashs\\"}}},
        DecodeCase{"EscapedSequencesInValues", "disabled",
                   "CEF:0|security|threatmanager|1.0|100|x|10|foo=bar msg=equals \\= newline "
                   "\\n cr \\r backslash \\\\ end bar=baz",
                   {{"foo", "bar"}, {"message", "equals = newline \n cr \r backslash \\ end"},
                    {"bar", "baz"}}},
        DecodeCase{"SpacesInValuesAndBetweenKeys", "disabled",
                   "CEF:0|security|threatmanager|1.0|100|x|10| src=10.0.0.192  "
                   "dst=12.121.122.82  spt=1232 dproc=InternetExplorer x.x.x.x",
                   {{"sourceAddress", "10.0.0.192"}, {"destinationAddress", "12.121.122.82"},
                    {"sourcePort", "1232"}, {"destinationProcessName", "InternetExplorer x.x.x.x"}}},
        DecodeCase{"DotsAndArrayIndexesInKeys", "disabled",
                   "CEF:0|Vendor|Device|Version|13|my message|5|dvchost=loghost ad.nn=TEST "
                   "ad.Error_,Code=3221225578 ad.field[0]=field0 ad.foo.name[1]=new_name "
                   "new_key_by_device=new_values here",
                   {{"deviceHostName", "loghost"}, {"ad.nn", "TEST"},
                    {"ad.Error_,Code", "3221225578"}, {"[ad.field][0]", "field0"},
                    {"[ad.foo.name][1]", "new_name"}, {"new_key_by_device", "new_values here"}}},
        DecodeCase{"AbbreviatedKeysEcs", "v1",
                   "CEF:0|security|threatmanager|1.0|100|x|10|proto=TCP shost=source.host.name "
                   "dhost=destination.host.name dpt=9200 outcome=Success amac=00:80:48:1c:24:91 "
                   "dvc=1.2.3.4 dvchost=box cs4=silly cs4Label=theory cfp15=3.14 "
                   "destinationDnsDomain=example.com dntdom=NT",
                   {{"[network][transport]", "TCP"}, {"[source][domain]", "source.host.name"},
                    {"[destination][domain]", "destination.host.name"},
                    {"[destination][port]", "9200"}, {"[event][outcome]", "Success"},
                    {"[agent][mac]", "00:80:48:1c:24:91"}, {"[observer][ip]", "1.2.3.4"},
                    {"[observer][hostname]", "box"},
                    {"[cef][device_custom_string_4][value]", "silly"},
                    {"[cef][device_custom_string_4][label]", "theory"},
                    {"[cef][device_custom_floating_point_15][value]", "3.14"},
                    {"[destination][registered_domain]", "NT"}}},
        DecodeCase{"LegacyNamesAccepted", "disabled",
                   "CEF:0|a|b|c|d|e|1|destinationLatitude=1.5 sourceLongitude=2 "
                   "destinationTimeZone=UTC dlat=3",
                   {{"destinationLatitude", "1.5"}, {"sourceLongitude", "2"},
                    {"destinationTimeZone", "UTC"}, {"destinationGeoLatitude", "3"}}},
        DecodeCase{"TimestampsStayTextInLegacyMode", "disabled",
                   "CEF:0|a|b|c|d|e|1|rt=Jul 19 2017 10:50:21.127 dtz=Europe/Moscow start=",
                   {{"deviceReceiptTime", "Jul 19 2017 10:50:21.127"},
                    {"deviceTimeZone", "Europe/Moscow"}, {"startTime", ""}}},
        DecodeCase{"TimestampsInDeviceZoneEcs", "v1",
                   "CEF:0|a|b|c|d|e|1|rt=Jul 19 2017 10:50:21.127 dtz=Europe/Moscow "
                   "art=1500464384997 start=",
                   {{"@timestamp", "2017-07-19T07:50:21.127Z"},
                    {"[event][timezone]", "Europe/Moscow"},
                    {"[event][created]", "2017-07-19T11:39:44.997Z"},
                    {"[event][start]", "<null>"}}},
        DecodeCase{"QuotedMessage", "disabled",
                   std::string("\"") + kTrojan + "\"", {{"sourcePort", "1232"}}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(CefCodec, DeviceHostPutsDeviceFieldsUnderHost) {
  auto codec = cef(opts({{"ecs_compatibility", Value("v1")}, {"device", Value("host")}}));
  auto events = decode_all(*codec, "CEF:0|a|b|c|d|e|1|dvc=1.2.3.4 dvchost=box deviceExternalId=x");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(str(events[0], "[host][ip]"), "1.2.3.4");
  EXPECT_EQ(str(events[0], "[host][name]"), "box");
  EXPECT_EQ(str(events[0], "[host][id]"), "x");
}

TEST(CefCodec, NotCefIsTaggedWithTheTextAsMessage) {
  for (const char* bad :
       {"this is not cef", "a|b|c with several \\| escaped\\| pipes|d|bananas",
        "CEF:0|security|threatmanager|1.0|100|trojan successfully stopped|10|this is in the "
        "extensions space but it is not valid because it is not equals-separated key/value",
        "CEF:0|a|b|c|d|e|1|src=1\nCEF:0|a|b|c|d|e|1|src=2",
        "CEF:0|a|b|c|d|e|1|invalid\xff utf8=x"}) {
    auto codec = cef();
    auto events = decode_all(*codec, bad);
    ASSERT_EQ(events.size(), 1u) << bad;
    EXPECT_TRUE(tagged_failure(events[0])) << bad;
    EXPECT_EQ(str(events[0], "message"), bad);
  }
}

TEST(CefCodec, BadTimestampFailsTheEventInEcsMode) {
  auto codec = cef(opts({{"ecs_compatibility", Value("v1")}}));
  auto events = decode_all(*codec, "CEF:0|a|b|c|d|e|1|rt=not a time");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(tagged_failure(events[0]));
}

TEST(CefCodec, RawDataFieldKeepsTheInput) {
  auto codec = cef(opts({{"raw_data_field", Value("[event][original]")}}));
  auto events = decode_all(*codec, kTrojan);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(str(events[0], "[event][original]"), kTrojan);
}

TEST(CefCodec, DelimiterSplitsAStream) {
  auto codec = cef(opts({{"delimiter", Value("\\r\\n")}}));
  std::vector<Event> events;
  EventSink sink = [&](Event&& e) { events.push_back(std::move(e)); };
  std::string two = std::string(kTrojan) + "\r\n" + kTrojan;
  codec->decode(two.substr(0, 50), sink);
  codec->decode(two.substr(50), sink);
  EXPECT_EQ(events.size(), 1u);
  codec->flush(sink);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(str(events[1], "sourcePort"), "1232");
}

std::string encode(Codec& c, const Event& e) {
  std::string out;
  c.encode(e, out);
  return out;
}

TEST(CefCodec, EncodeDefaultsToLogstashHeader) {
  auto codec = cef();
  EXPECT_EQ(encode(*codec, Event("hi")), "CEF:0|Elasticsearch|Logstash|1.0|Logstash|Logstash|6|");
}

TEST(CefCodec, EncodeHeaderSprintfEscapesAndSeverity) {
  Event e("hi");
  e.set_top("v", Value("ven\ndor"));
  e.set_top("p", Value("pro|duct"));
  struct Sev {
    const char* given;
    const char* written;
  };
  for (Sev s : {Sev{"4", "4"}, Sev{"4.0", "4"}, Sev{"11", "6"}, Sev{"-1", "6"}, Sev{"high", "6"},
                Sev{"%{missing}", "6"}, Sev{" 7 ", "7"}}) {
    auto codec = cef(opts({{"vendor", Value("%{v}")},
                           {"product", Value("%{p}")},
                           {"version", Value("ver\\sion")},
                           {"signature", Value("")},
                           {"name", Value("na me")},
                           {"severity", Value(s.given)}}));
    EXPECT_EQ(encode(*codec, e), std::string("CEF:0|ven dor|pro\\|duct|ver\\\\sion|Logstash|na me|") +
                                     s.written + "|")
        << s.given;
  }
}

TEST(CefCodec, EncodeFieldsWithMappingAndEscapes) {
  Event e("hi");
  e.set_top("foo", Value("foo\\value\n"));
  e.set_top("bar", Value("bar=value\r\n"));
  e.set_top("sourceAddress", Value("10.0.0.1"));
  e.set_top("deviceCustomString1", Value("x"));
  e.set_top("n", Value(int64_t{5}));
  e.set_top("arr", Value(Array{Value("a"), Value(int64_t{1})}));
  Array fields{Value("foo"), Value("bar"), Value("missing"), Value("sourceAddress"),
               Value("deviceCustomString1"), Value("n"), Value("arr")};
  auto plain = cef(opts({{"fields", Value(fields)}}));
  EXPECT_EQ(encode(*plain, e),
            "CEF:0|Elasticsearch|Logstash|1.0|Logstash|Logstash|6|foo=foo\\\\value\\n "
            "bar=bar\\=value\\n sourceAddress=10.0.0.1 deviceCustomString1=x n=5 "
            "arr=[\"a\",1]");
  auto reverse = cef(opts({{"fields", Value(fields)}, {"reverse_mapping", Value(true)}}));
  EXPECT_EQ(encode(*reverse, e),
            "CEF:0|Elasticsearch|Logstash|1.0|Logstash|Logstash|6|foo=foo\\\\value\\n "
            "bar=bar\\=value\\n src=10.0.0.1 cs1=x n=5 arr=[\"a\",1]");
}

TEST(CefCodec, EncodeEcsFieldsAndDelimiter) {
  Event e("hi");
  e.set(FieldRef::must("[source][ip]"), Value("10.0.0.1"));
  e.set(FieldRef::must("[cef][device_custom_string_1][value]"), Value("x"));
  e.set(FieldRef::must("[destination][registered_domain]"), Value("d.example"));
  Array fields{Value("[source][ip]"), Value("[cef][device_custom_string_1][value]"),
               Value("[destination][registered_domain]")};
  auto codec = cef(opts({{"ecs_compatibility", Value("v1")},
                         {"fields", Value(fields)},
                         {"delimiter", Value("\\n")}}));
  EXPECT_EQ(encode(*codec, e),
            "CEF:0|Elasticsearch|Logstash|1.0|Logstash|Logstash|6|sourceAddress=10.0.0.1 "
            "deviceCustomString1=x destinationDnsDomain=d.example\n");
}

TEST(CefCodec, EncodeThenDecodeRoundTrips) {
  for (const char* mode : {"disabled", "v8"}) {
    const bool ecs = std::string(mode) != "disabled";
    Event e("hi");
    const char* src = ecs ? "[source][ip]" : "sourceAddress";
    const char* msg = ecs ? "[message]" : "message";
    const char* custom = "weird";
    e.set(FieldRef::must(src), Value("10.0.0.1"));
    e.set(FieldRef::must(msg), Value("a = b \\ c\nd e=f"));
    e.set_top(custom, Value("x y  z"));
    Array fields{Value(src), Value(msg), Value(custom)};
    for (bool reverse : {false, true}) {
      auto enc = cef(opts({{"ecs_compatibility", Value(mode)},
                           {"fields", Value(fields)},
                           {"reverse_mapping", Value(reverse)},
                           {"vendor", Value("V|v")},
                           {"severity", Value("3")}}));
      auto dec = cef(opts({{"ecs_compatibility", Value(mode)}}));
      auto events = decode_all(*dec, encode(*enc, e));
      ASSERT_EQ(events.size(), 1u);
      EXPECT_FALSE(tagged_failure(events[0]));
      EXPECT_EQ(str(events[0], src), "10.0.0.1") << mode << reverse;
      EXPECT_EQ(str(events[0], msg), "a = b \\ c\nd e=f") << mode << reverse;
      EXPECT_EQ(str(events[0], custom), "x y  z");
      EXPECT_EQ(str(events[0], ecs ? "[observer][vendor]" : "deviceVendor"), "V|v");
      EXPECT_EQ(str(events[0], ecs ? "[event][severity]" : "severity"), "3");
    }
  }
}

TEST(CefCodec, BadSettingsAreOptionErrors) {
  EXPECT_THROW(cef(opts({{"default_timezone", Value("Mars/Olympus")}})), OptionError);
  EXPECT_THROW(cef(opts({{"delimiter", Value("")}})), OptionError);
}

}  // namespace
}  // namespace logpipe
