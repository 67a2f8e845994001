// fingerprint filter: every method against the values Logstash's own spec
// expects, MurmurHash3 against published vectors, the |name|value|
// serializations, both ECS targets and the config errors.
#include "filters/fingerprint_filter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/codecs/iso8601.h"
#include "filters/murmur3.h"
#include "tests/plugin_test_support.h"

namespace logpipe {
namespace {

using testing::opts;

Value run(Object settings, Event& e, const char* target = "fingerprint") {
  auto filter = testing::make_test_filter(fingerprint_filter_info(), settings);
  testing::NullFilterContext ctx;
  filter->filter(e, ctx);
  const Value* v = e.get(FieldRef::must(target));
  return v ? *v : Value();
}

Value run_on(Object settings, const char* field, Value value) {
  Event e;
  e.set_top(field, std::move(value));
  return run(std::move(settings), e);
}

std::string hex(const std::array<uint8_t, 16>& b) {
  static const char d[] = "0123456789abcdef";
  std::string out;
  for (uint8_t x : b) {
    out += d[x >> 4];
    out += d[x & 15];
  }
  return out;
}

TEST(Murmur3Test, PublishedVectors) {
  EXPECT_EQ(murmur3_32("", 0), 0u);
  EXPECT_EQ(murmur3_32("", 1), 0x514E28B7u);
  EXPECT_EQ(murmur3_32("", 0xffffffff), 0x81F16F39u);
  EXPECT_EQ(murmur3_32(std::string("\0\0\0\0", 4), 0), 0x2362F9DEu);
  EXPECT_EQ(murmur3_32("aaaa", 0x9747b28c), 0x5A97808Au);
  EXPECT_EQ(murmur3_32("aaa", 0x9747b28c), 0x283E0130u);
  EXPECT_EQ(murmur3_32("aa", 0x9747b28c), 0x5D211726u);
  EXPECT_EQ(murmur3_32("a", 0x9747b28c), 0x7FA09EA6u);
  EXPECT_EQ(murmur3_32("Hello, world!", 0x9747b28c), 0x24884CBAu);
  EXPECT_EQ(murmur3_32("The quick brown fox jumps over the lazy dog", 0x9747b28c), 0x2FA826CDu);
  EXPECT_EQ(hex(murmur3_128("", 0)), "00000000000000000000000000000000");
  EXPECT_EQ(hex(murmur3_128("The quick brown fox jumps over the lazy dog", 0)),
            "6c1b07bc7bbc4be347939ac4a93c437a");
}

struct Case {
  const char* name;
  Object settings;
  Value input;
  Value expected;
};

// Logstash's spec: clientip => "123.123.123.123" (or a number).
TEST(FingerprintFilterTest, LogstashSpecValues) {
  Value ip("123.123.123.123");
  Value key("longencryptionkey");
  std::vector<Case> cases = {
      {"ipv4_network", opts({{"method", Value("IPV4_NETWORK")}, {"key", Value("24")}}), ip, Value("123.123.123.0")},
      {"murmur3 string", opts({{"method", Value("MURMUR3")}}), ip, Value(int64_t{4013733395})},
      {"murmur3 number", opts({{"method", Value("MURMUR3")}}), Value(123), Value(int64_t{823512154})},
      {"murmur3_128 hex", opts({{"method", Value("MURMUR3_128")}}), ip, Value("41cbc4056eed401d091dfbeabf7ea9e0")},
      {"murmur3_128 b64", opts({{"method", Value("MURMUR3_128")}, {"base64encode", Value(true)}}), ip,
       Value("QcvEBW7tQB0JHfvqv36p4A==")},
      {"murmur3_128 int32", opts({{"method", Value("MURMUR3_128")}}), Value(123),
       Value("286816c693ac410ed63e1430dcd6f6fe")},
      {"murmur3_128 int32 b64", opts({{"method", Value("MURMUR3_128")}, {"base64encode", Value(true)}}), Value(123),
       Value("KGgWxpOsQQ7WPhQw3Nb2/g==")},
      {"murmur3_128 int64", opts({{"method", Value("MURMUR3_128")}}), Value(int64_t{2148483647}),
       Value("fdc7699a82556c8c584131f0133ee989")},
      {"murmur3_128 int64 b64", opts({{"method", Value("MURMUR3_128")}, {"base64encode", Value(true)}}),
       Value(int64_t{2148483647}), Value("/cdpmoJVbIxYQTHwEz7piQ==")},
      {"sha1", opts({}), ip, Value("3a5076c520b4b463f43806896ea0b3978d09dcae")},
      {"sha1 hmac", opts({{"key", key}}), ip, Value("fdc60acc4773dc5ac569ffb78fcb93c9630797f4")},
      {"sha1 hmac b64", opts({{"key", key}, {"base64encode", Value(true)}}), ip, Value("/cYKzEdz3FrFaf+3j8uTyWMHl/Q=")},
      {"sha1 b64", opts({{"base64encode", Value(true)}}), ip, Value("OlB2xSC0tGP0OAaJbqCzl40J3K4=")},
      {"sha256", opts({{"method", Value("SHA256")}}), ip,
       Value("4dabcab210766e35f03e77120e6986d6e6d4752b2a9ff22980b9253d026080d8")},
      {"sha256 hmac", opts({{"method", Value("SHA256")}, {"key", key}}), ip,
       Value("345bec3eff242d53b568916c2610b3e393d885d6b96d643f38494fd74bf4a9ca")},
      {"sha256 hmac b64", opts({{"method", Value("SHA256")}, {"key", key}, {"base64encode", Value(true)}}), ip,
       Value("NFvsPv8kLVO1aJFsJhCz45PYhda5bWQ/OElP10v0qco=")},
      {"sha384", opts({{"method", Value("SHA384")}}), ip,
       Value("fd605b0a3af3e04ce0d7a0b0d9c48d67a12dab811f60072e6eae84e35d567793ffb68a1807536f11c90874065c2a4392")},
      {"sha384 hmac", opts({{"method", Value("SHA384")}, {"key", key}}), ip,
       Value("22d4c0e8c4fbcdc4887d2038fca7650f0e2e0e2457ff41c06eb2a980dded6749561c814fe182aff93e2538d18593947a")},
      {"sha384 hmac b64", opts({{"method", Value("SHA384")}, {"key", key}, {"base64encode", Value(true)}}), ip,
       Value("ItTA6MT7zcSIfSA4/KdlDw4uDiRX/0HAbrKpgN3tZ0lWHIFP4YKv+T4lONGFk5R6")},
      {"sha512", opts({{"method", Value("SHA512")}}), ip,
       Value("5468e2dc64ea92b617782aae884b35af60041ac9e168a283615b6a462c54c13d42fa9542cce9b7d76a8124ac661681890"
             "5e3e5dd35d6e519f77c3b517558639a")},
      {"sha512 hmac", opts({{"method", Value("SHA512")}, {"key", key}}), ip,
       Value("11c19b326936c08d6c50a3c847d883e5a1362e6a64dd55201a25f2c1ac1b673f7d8bf15b8f112a4978276d573275e3b"
             "14166e17246f670c2a539401c5bfdace8")},
      {"sha512 hmac b64", opts({{"method", Value("SHA512")}, {"key", key}, {"base64encode", Value(true)}}), ip,
       Value("EcGbMmk2wI1sUKPIR9iD5aE2Lmpk3VUgGiXywawbZz99i/FbjxEqSXgnbVcydeOxQWbhckb2cMKlOUAcW/2s6A==")},
      {"md5", opts({{"method", Value("MD5")}}), ip, Value("ccdd8d3d940a01b2fb3258c059924c0d")},
      {"md5 hmac", opts({{"method", Value("MD5")}, {"key", key}}), ip, Value("9336c879e305c9604a3843fc3e75948f")},
      {"md5 hmac b64", opts({{"method", Value("MD5")}, {"key", key}, {"base64encode", Value(true)}}), ip,
       Value("kzbIeeMFyWBKOEP8PnWUjw==")},
      {"array of values", opts({}), Value(Array{Value("123.123.123.123"), Value("223.223.223.223")}),
       Value(Array{Value("3a5076c520b4b463f43806896ea0b3978d09dcae"),
                   Value("47bbc4e06edebbace047fed35abeceec64968b81")})},
      {"ipv6 network", opts({{"method", Value("IPV4_NETWORK")}, {"key", Value("32")}}), Value("2001:db8:1:2::7"),
       Value("2001:db8::")},
      {"punctuation",
       opts({{"method", Value("PUNCTUATION")}}),
       Value("PHP Warning:  json_encode() [<a href='function.json-encode'>function.json-encode</a>]: Invalid "
             "UTF-8 sequence in argument in /var/www/htdocs/test.php on line 233"),
       Value(":_()[<='.-'>.-</>]:-////.")},
      {"punctuation unicode", opts({{"method", Value("PUNCTUATION")}}), Value("¿Qué? «sí» — €5"), Value("¿?«»—€")},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(c.name);
    Object settings = c.settings;
    settings.set("source", Value(Array{Value("clientip")}));
    Value got = run_on(settings, "clientip", c.input);
    EXPECT_TRUE(testing::same_value(got, c.expected)) << got.to_string();
  }
}

Timestamp at(const char* iso) {
  Timestamp t;
  EXPECT_TRUE(parse_iso8601(iso, &t)) << iso;
  return t;
}

TEST(FingerprintFilterTest, TimestampsAsLogstash8WritesThem) {
  auto src = Value(Array{Value("@timestamp")});
  EXPECT_EQ(run_on(opts({{"source", src}, {"key", Value("0123")}}), "@timestamp", Value(Timestamp{0})).to_string(),
            "1d5379ec92d86a67cfc642d55aa050ca312d3b9a");
  EXPECT_EQ(run_on(opts({{"source", src}, {"method", Value("MURMUR3")}}), "@timestamp", Value(Timestamp{0})).as_int(),
            743372282);
  EXPECT_EQ(run_on(opts({{"source", src}, {"method", Value("MURMUR3_128")}}), "@timestamp", Value(Timestamp{0}))
                .to_string(),
            "37785b62a8cae473acc315d39b66d86e");
  struct {
    const char* iso;
    int64_t expected;
  } fractions[] = {{"2000-01-01T05:00:00.12Z", 4263087275},
                   {"2000-01-01T05:00:00.123456Z", 4188855160},
                   {"2000-01-01T05:00:00.123456789Z", 3520111535}};
  for (auto& f : fractions) {
    SCOPED_TRACE(f.iso);
    EXPECT_EQ(run_on(opts({{"source", src}, {"method", Value("MURMUR3")}}), "@timestamp", Value(at(f.iso))).as_int(),
              f.expected);
  }
}

TEST(FingerprintFilterTest, ConcatenationSerialization) {
  // Logstash's spec event (Event.new adds @version "1").
  Event all;
  all.set_top("@timestamp", Value(at("2017-07-26T14:44:27.064Z")));
  all.set_top("@version", Value("1"));
  all.set_top("clientip", Value("123.123.123.123"));
  all.set_top("message", Value("This is a test message"));
  all.set_top("log_level", Value("INFO"));
  all.set_top("offset", Value(123456789));
  all.set_top("type", Value("test"));
  all.metadata().set("ignored", Value("not hashed"));
  EXPECT_EQ(run(opts({{"concatenate_all_fields", Value(true)}}), all).to_string(),
            "cbf022518e97860403160ed8a41847c0db104e63");

  auto two = Value(Array{Value("field2"), Value("field1")});
  Event e;
  e.set_top("field1", Value("test1"));
  e.set_top("field2", Value("test2"));
  Event plain = e;
  // without concatenation the last source wins
  EXPECT_EQ(run(opts({{"source", Value(Array{Value("field1"), Value("field2")})}}), plain).to_string(),
            "109f4b3c50d7b0df729d299bc6f8e9ef9066971f");
  EXPECT_EQ(run(opts({{"source", two}, {"concatenate_sources", Value(true)}}), e).to_string(),
            "e3b6b71eedc656f1d29408264e8a75535db985cb");

  Event utf8;
  Object inner1, inner2;
  inner1.set("inner_key", Value("🂡"));
  inner2.set("1", Value("2"));
  utf8.set_top("field1", Value(Array{Value(inner1), Value(inner2)}));
  utf8.set_top("field2", Value("🂡"));
  Event utf8_concat = utf8;
  // without concatenation the last source (field2) wins
  EXPECT_EQ(run(opts({{"source", Value(Array{Value("field1"), Value("field2")})}}), utf8).to_string(),
            "58fa9e0e60c9f0d24b51d84cddb26732a39eeb3d");
  EXPECT_EQ(run(opts({{"source", two}, {"concatenate_sources", Value(true)}}), utf8_concat).to_string(),
            "d2a1c14e0c9ef137d67114db23b3f2fdbcc90d08");

  std::string canonical;
  Object nested;
  nested.set("b", Value(Array{Value(1), Value(2.5), Value(true), Value()}));
  nested.set("a", Value("x"));
  FingerprintFilter::append_canonical(Value(nested), canonical);
  EXPECT_EQ(canonical, "a|x|b|1|2.5|true|");
}

TEST(FingerprintFilterTest, HashOrderDoesNotMatter) {
  auto make = [](bool reversed) {
    Event e;
    Object a;
    if (reversed) {
      a.set("a1", Value(1));
      a.set("a0", Value(0));
    } else {
      a.set("a0", Value(0));
      a.set("a1", Value(1));
    }
    e.set_top(reversed ? "b" : "a", reversed ? Value(2) : Value(a));
    e.set_top(reversed ? "a" : "b", reversed ? Value(a) : Value(2));
    return e;
  };
  for (auto settings : {opts({{"source", Value(Array{Value("a")})}}),
                        opts({{"source", Value(Array{Value("a"), Value("b")})}, {"concatenate_sources", Value(true)}}),
                        opts({{"concatenate_all_fields", Value(true)}})}) {
    Event e1 = make(false), e2 = make(true);
    EXPECT_EQ(run(settings, e1).to_string(), run(settings, e2).to_string());
  }
}

TEST(FingerprintFilterTest, TargetsUuidAndCommonOptions) {
  Event ecs("hello");
  EXPECT_EQ(run(opts({{"ecs_compatibility", Value("v8")}}), ecs, "[event][hash]").to_string(),
            "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");
  EXPECT_FALSE(ecs.get_top("fingerprint"));
  Event custom("hello");
  EXPECT_EQ(run(opts({{"target", Value("[@metadata][fp]")}, {"ecs_compatibility", Value("v1")}}), custom,
                "[@metadata][fp]").to_string(),
            "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");

  Event u1("x"), u2("x");
  std::string a = run(opts({{"method", Value("UUID")}}), u1).to_string();
  std::string b = run(opts({{"method", Value("UUID")}}), u2).to_string();
  EXPECT_NE(a, b);
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '4');
  EXPECT_TRUE(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b') << a;

  Event tagged;
  tagged.set_top("field1", Value("Hello, World!"));
  Value p = run(opts({{"method", Value("PUNCTUATION")}, {"source", Value(Array{Value("field1")})},
                      {"add_field", Value(opts({{"myfield", Value("myvalue")}}))},
                      {"add_tag", Value(Array{Value("mytag")})}}),
                tagged);
  EXPECT_EQ(p.to_string(), ",!");
  EXPECT_EQ(tagged.get_top("myfield")->to_string(), "myvalue");
  EXPECT_TRUE(tagged.has_tag("mytag"));

  Event missing;  // no message: nothing stored, but filter_matched still runs
  EXPECT_TRUE(run(opts({{"add_tag", Value(Array{Value("seen")})}}), missing).is_null());
  EXPECT_TRUE(missing.has_tag("seen"));
}

TEST(FingerprintFilterTest, BadInputAndConfigErrors) {
  EXPECT_THROW(testing::make_test_filter(fingerprint_filter_info(), opts({{"method", Value("IPV4_NETWORK")}})),
               OptionError);
  EXPECT_THROW(testing::make_test_filter(fingerprint_filter_info(),
                                         opts({{"method", Value("IPV4_NETWORK")}, {"key", Value("x")}})),
               OptionError);
  EXPECT_THROW(testing::make_test_filter(fingerprint_filter_info(), opts({{"source", Value(Array{Value("[a")})}})),
               OptionError);
  // an address that does not parse: the filter raises (tagged _filter_error by the engine)
  auto filter = testing::make_test_filter(fingerprint_filter_info(),
                                          opts({{"method", Value("IPV4_NETWORK")}, {"key", Value("24")}}));
  testing::NullFilterContext ctx;
  Event e("not an ip");
  std::vector<Event*> batch{&e};
  filter->process(batch, ctx);
  EXPECT_TRUE(e.has_tag("_filter_error"));
  EXPECT_FALSE(e.get_top("fingerprint"));
}

}  // namespace
}  // namespace logpipe
