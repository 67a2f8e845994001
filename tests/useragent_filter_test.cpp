// useragent filter: Logstash's field names in both modes (values from the
// plugin's own spec samples), prefix, target, bad input left alone, config
// errors; and UaParser's replacement rules on a small regexes file of our
// own. uap-core's full suites are in useragent_conformance_test.cpp.
#include "filters/useragent/useragent_filter.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "filters/useragent/ua_parser.h"
#include "tests/json_lines_events.h"
#include "tests/logpipe_process.h"
#include "tests/plugin_test_support.h"

namespace logpipe {
namespace {

using testing::opts;

const char kChrome26[] =
    "Mozilla/5.0 (X11; Linux i686) AppleWebKit/537.31 (KHTML, like Gecko) Chrome/26.0.1410.63 "
    "Safari/537.31";
// Logstash's spec expects OS 10.14.4 here, from the older regexes it bundles;
// uap-core 0.16's `Mac OS X\s.{1,50}\s(\d+).(\d+).(\d+)` takes "18E226" as
// 18.2.6 (Python's re, uap-core's reference, gives the same).
const char kOutlook[] = "MacOutlook/16.24.0.190414 (Intelx64 Mac OS X Version 10.14.4 (Build 18E226))";
const char kSafari12[] =
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/12.0 Safari/605.1.15";
const char kIe7Vista[] = "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.0)";
const char kEdge12[] =
    "Mozilla/5.0 (Windows NT 6.3; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/42.0.2311.135 Safari/537.36 Edge/12.246";

std::unique_ptr<Filter> make(Object settings) {
  if (!settings.find("source")) settings.set("source", Value("message"));
  return testing::make_test_filter(useragent_filter_info(), settings);
}

Event run(Filter& f, const char* field, Value v) {
  Event e;
  e.set(FieldRef::must(field), std::move(v));
  testing::NullFilterContext ctx;
  f.filter(e, ctx);
  return e;
}

std::string json_of(const Value* v) {
  if (!v) return "(none)";
  std::string out;
  append_json(*v, out);
  return out;
}

TEST(UseragentFilterTest, LegacyFieldsAsLogstashSpecSamples) {
  struct Case {
    const char* ua;
    const char* expected;  // [ua]
  };
  const Case cases[] = {
      {kChrome26,
       R"({"name":"Chrome","device":"Other","major":"26","minor":"0","patch":"1410","version":"26.0.1410.63",)"
       R"("os_name":"Linux","os":"Linux","os_full":"Linux"})"},
      {kOutlook,
       R"({"name":"MacOutlook","device":"Mac","major":"16","minor":"24","patch":"0","version":"16.24.0.190414",)"
       R"("os_major":"18","os_minor":"2","os_patch":"6","os_version":"18.2.6","os_name":"Mac OS X",)"
       R"("os":"Mac OS X","os_full":"Mac OS X 18.2.6"})"},
      {kSafari12,
       R"({"name":"Safari","device":"Mac","major":"12","minor":"0","version":"12.0","os_major":"10",)"
       R"("os_minor":"14","os_version":"10.14","os_name":"Mac OS X","os":"Mac OS X","os_full":"Mac OS X 10.14"})"},
      {kIe7Vista,
       R"({"name":"IE","device":"Other","major":"7","minor":"0","version":"7.0","os_major":"Vista",)"
       R"("os_version":"Vista","os_name":"Windows","os":"Windows","os_full":"Windows Vista"})"},
      {kEdge12,
       R"({"name":"Edge","device":"Other","major":"12","minor":"246","version":"12.246","os_major":"8",)"
       R"("os_minor":"1","os_version":"8.1","os_name":"Windows","os":"Windows","os_full":"Windows 8.1"})"},
      {"curl/7.88.1",
       R"({"name":"curl","device":"Other","major":"7","minor":"88","patch":"1","version":"7.88.1",)"
       R"("os_name":"Other","os":"Other","os_full":"Other"})"},
      {"something nobody knows", R"({"name":"Other","device":"Other","os_name":"Other","os":"Other","os_full":"Other"})"},
  };
  auto f = make(opts({{"target", Value("ua")}}));
  for (const auto& c : cases) {
    SCOPED_TRACE(c.ua);
    Event e = run(*f, "message", Value(c.ua));
    EXPECT_EQ(json_of(e.get(FieldRef::must("ua"))), c.expected);
    EXPECT_EQ(e.metadata().size(), 0u);
  }
}

TEST(UseragentFilterTest, EcsFieldsAndMetadataVersionParts) {
  auto f = make(opts({{"source", Value("[user_agent][original]")}, {"ecs_compatibility", Value("v8")}}));
  Event e = run(*f, "[user_agent][original]", Value(kOutlook));
  EXPECT_EQ(json_of(e.get(FieldRef::must("user_agent"))),
            std::string(R"({"original":")") + kOutlook +
                R"(","name":"MacOutlook","device":{"name":"Mac"},"version":"16.24.0.190414",)"
                R"("os":{"version":"18.2.6","name":"Mac OS X","full":"Mac OS X 18.2.6"}})");
  EXPECT_EQ(json_of(e.get(FieldRef::must("[@metadata][filter][user_agent]"))),
            R"({"version":{"major":"16","minor":"24","patch":"0"},"os":{"version":{"major":"18","minor":"2","patch":"6"}}})");

  auto with_target = make(opts({{"target", Value("ua")}, {"ecs_compatibility", Value("v1")},
                                {"prefix", Value("ignored_")}}));
  Event v = run(*with_target, "message", Value(kIe7Vista));
  EXPECT_EQ(json_of(v.get(FieldRef::must("ua"))),
            R"({"name":"IE","device":{"name":"Other"},"version":"7.0","os":{"version":"Vista","name":"Windows",)"
            R"("full":"Windows Vista"}})");
}

TEST(UseragentFilterTest, LegacyAtTheRootWithPrefix) {
  auto f = make(opts({{"prefix", Value("ua_")}}));
  Event e = run(*f, "message", Value("curl/7.88.1"));
  EXPECT_EQ(testing::fields_json_without(e, {"@timestamp", "@version", "message"}),
            R"({"ua_name":"curl","ua_device":"Other","ua_major":"7","ua_minor":"88","ua_patch":"1",)"
            R"("ua_version":"7.88.1","ua_os_name":"Other","ua_os":"Other","ua_os_full":"Other"})");
}

TEST(UseragentFilterTest, APrefixThatMakesAnInvalidFieldNameIsRefusedNamingItOnce) {
  std::string option, error;
  try {
    make(opts({{"prefix", Value("ua[")}}));
  } catch (const OptionError& e) {
    option = e.option;
    error = e.what();
  }
  EXPECT_EQ(option, "prefix");
  const std::string ref = "'[ua[name]'";
  const size_t at = error.find(ref);
  ASSERT_NE(at, std::string::npos) << error;
  EXPECT_EQ(error.find(ref, at + ref.size()), std::string::npos) << "named twice: " << error;
}

TEST(UseragentFilterTest, MissingEmptyOrNonStringSourceChangesNothing) {
  auto f = make(opts({{"target", Value("ua")}, {"add_tag", Value(Array{Value("parsed")})}}));
  for (Value v : {Value(""), Value(int64_t{5}), Value(Array{}), Value()}) {
    SCOPED_TRACE(v.to_string());
    Event e = run(*f, "message", v);
    EXPECT_FALSE(e.get(FieldRef::must("ua")));
    EXPECT_FALSE(e.has_tag("parsed"));
  }
  Event arr = run(*f, "message", Value(Array{Value("curl/8.0.1"), Value(kChrome26)}));
  EXPECT_EQ(json_of(arr.get(FieldRef::must("[ua][name]"))), R"("curl")");
  EXPECT_TRUE(arr.has_tag("parsed"));
}

TEST(UseragentFilterTest, TargetEqualToSourceReplacesIt) {
  auto f = make(opts({{"source", Value("agent")}, {"target", Value("agent")}}));
  Event e = run(*f, "agent", Value("curl/7.88.1"));
  EXPECT_EQ(json_of(e.get(FieldRef::must("[agent][name]"))), R"("curl")");
  EXPECT_EQ(json_of(e.get(FieldRef::must("[agent][version]"))), R"("7.88.1")");
}

TEST(UseragentFilterTest, CacheIsBoundedAndGivesTheSameResults) {
  auto f = make(opts({{"target", Value("ua")}, {"lru_cache_size", Value(2)}}));
  auto& u = static_cast<UseragentFilter&>(*f);
  std::string first;
  for (const char* ua : {kChrome26, kSafari12, kChrome26, kIe7Vista, kEdge12, kChrome26}) {
    Event e = run(*f, "message", Value(ua));
    if (ua == kChrome26) {
      if (first.empty()) first = json_of(e.get(FieldRef::must("ua")));
      EXPECT_EQ(json_of(e.get(FieldRef::must("ua"))), first);
    }
    EXPECT_LE(u.cache_entries(), 2u);
  }
  auto uncached = make(opts({{"target", Value("ua")}, {"lru_cache_size", Value(0)}}));
  EXPECT_EQ(json_of(run(*uncached, "message", Value(kChrome26)).get(FieldRef::must("ua"))), first);
}

class UseragentRegexesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("logpipe-ua-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const char* name, const std::string& text) {
    std::string path = (dir_ / name).string();
    FILE* fp = std::fopen(path.c_str(), "w");
    std::fputs(text.c_str(), fp);
    std::fclose(fp);
    return path;
  }
  std::filesystem::path dir_;
};

// The uap-core rules: groups in order, replacements with $N, first match
// wins, an empty family moves on, "Other" when nothing matches, device
// values trimmed, regex_flag 'i', PCRE2 for what RE2 refuses.
TEST_F(UseragentRegexesTest, ReplacementRulesOfTheSpecification) {
  auto p = UaParser::from_yaml(R"(
user_agent_parsers:
  - regex: '(Namoroka|Shiretoko|Minefield)/(\d+)\.(\d+)\.(\d+(?:pre)?)'
    family_replacement: 'Firefox ($1)'
  - regex: 'Empty()/(\d+)'
  - regex: '(Bot)(?=/)/(\d+)'
    v1_replacement: 'v$2x'
  - regex: '(\w+)/(\d+)(?:\.(\d+))?'
os_parsers:
  - regex: 'Win(95|98|NT)'
    os_replacement: 'Windows $1'
  - regex: '(Plan9) (\d+)\.(\d+)\.(\d+)\.(\d+)'
device_parsers:
  - regex: '; *(PEDI)_(PLUS)_(W) Build'
    device_replacement: 'Odys $1 $2 $3'
    brand_replacement: 'Odys'
    model_replacement: '$1 $2 $3'
  - regex: 'phone ([a-z]+)( )?'
    regex_flag: 'i'
    device_replacement: ' $1$2 $9 '
  - regex: '(Tablet)'
)", "test.yaml");
  EXPECT_GE(p->pcre2_count(), 1u);  // the lookahead

  UaVersion ua = p->parse_ua("Mozilla/5.0 (Windows; rv:2.0b3pre) Gecko/20100727 Minefield/4.0.1pre");
  EXPECT_EQ(ua.family, "Firefox (Minefield)");
  EXPECT_EQ(ua.major, "4");
  EXPECT_EQ(ua.minor, "0");
  EXPECT_EQ(ua.patch, "1pre");
  EXPECT_EQ(ua.patch_minor, std::nullopt);
  ua = p->parse_ua("Empty/3 Other/5");  // empty family: the next regex gets it
  EXPECT_EQ(ua.family, "Empty");
  EXPECT_EQ(ua.major, "3");
  ua = p->parse_ua("Bot/12");
  EXPECT_EQ(ua.family, "Bot");
  EXPECT_EQ(ua.major, "v12x");
  ua = p->parse_ua("Tool/7");
  EXPECT_EQ(ua.family, "Tool");
  EXPECT_EQ(ua.minor, std::nullopt);  // optional group that did not take part
  EXPECT_EQ(p->parse_ua("no version here").family, "Other");
  EXPECT_EQ(p->parse_ua("no version here").major, std::nullopt);

  EXPECT_EQ(p->parse_os("Mozilla/4.0 (Windows; U; Win95; en-US)").family, "Windows 95");
  UaVersion os = p->parse_os("Plan9 4.1.2.3");
  EXPECT_EQ(os.family, "Plan9");
  EXPECT_EQ(os.patch_minor, "3");
  EXPECT_EQ(p->parse_os("BeOS").family, "Other");

  UaDevice d = p->parse_device("Mozilla/5.0 (Linux; U; Android 4.2.2; de-de; PEDI_PLUS_W Build/JDQ39)");
  EXPECT_EQ(d.family, "Odys PEDI PLUS W");
  EXPECT_EQ(d.brand, "Odys");
  EXPECT_EQ(d.model, "PEDI PLUS W");
  d = p->parse_device("a PHONE Nokia");
  EXPECT_EQ(d.family, "Nokia");  // case insensitive, $2 and $9 empty, trimmed
  EXPECT_EQ(d.brand, std::nullopt);
  EXPECT_EQ(d.model, "Nokia");
  d = p->parse_device("Tablet");
  EXPECT_EQ(d.family, "Tablet");
  EXPECT_EQ(d.model, "Tablet");
  EXPECT_EQ(p->parse_device("toaster").family, "Other");
  EXPECT_EQ(p->parse_device("toaster").model, std::nullopt);
  // Invalid UTF-8 is repaired, not a reason to fail.
  EXPECT_EQ(p->parse_ua("Tool/7 \xff\xfe").family, "Tool");
}

TEST_F(UseragentRegexesTest, ConfigErrorsSayWhy) {
  auto error_of = [](const std::string& regexes) -> std::string {
    try {
      make(opts({{"regexes", Value(regexes)}}));
    } catch (const OptionError& e) {
      return e.what();
    }
    return "";
  };
  std::string missing = (dir_ / "none.yaml").string();
  EXPECT_NE(error_of(missing).find("cannot read " + missing), std::string::npos);
  std::string no_os = write("no_os.yaml", "user_agent_parsers:\n  - regex: 'x'\n");
  EXPECT_NE(error_of(no_os).find("`os_parsers` is missing"), std::string::npos) << error_of(no_os);
  std::string bad = write("bad.yaml",
                          "user_agent_parsers:\n  - regex: '(unclosed'\nos_parsers: []\ndevice_parsers: []\n");
  EXPECT_NE(error_of(bad).find("user_agent_parsers[0]: regex '(unclosed' does not compile"), std::string::npos)
      << error_of(bad);
  std::string not_yaml = write("not.yaml", "user_agent_parsers: [\n");
  EXPECT_NE(error_of(not_yaml).find(not_yaml), std::string::npos);
}

using testing::Logpipe;
using testing::read_text_file;

// Two User-Agents, twice each (the second time from the cache), through the
// real binary: a legacy useragent into [ua] and an ECS one into
// [user_agent], written as JSON lines.
class UseragentBinary : public testing::TempDirTest {
 public:
  UseragentBinary() : TempDirTest("useragent_binary") {}
};

TEST_F(UseragentBinary, LegacyAndEcsFieldsInTheOutput) {
  std::string out = path("out.json");
  Logpipe lp(dir_, "lp",
             std::string("input { generator { count => 2 lines => [\"") + kChrome26 +
                 "\", \"curl/7.88.1\"] } }\n"
                 "filter {\n"
                 "  useragent { source => \"message\" target => \"ua\" }\n"
                 "  useragent { source => \"message\" ecs_compatibility => \"v8\" }\n"
                 "}\n"
                 "output { file { path => \"" + out + "\" codec => json_lines } }\n");
  ASSERT_EQ(lp.wait(60), 0) << lp.log();
  std::map<std::string, int> seen;  // "[ua] [user_agent]" as JSON -> count
  for (const Event& e : testing::read_json_lines_events(out)) {
    EXPECT_FALSE(e.fields().find("@metadata"));
    ++seen[json_of(e.get(FieldRef::must("ua"))) + " " + json_of(e.get(FieldRef::must("user_agent")))];
  }
  std::map<std::string, int> expected = {
      {R"({"name":"Chrome","device":"Other","major":"26","minor":"0","patch":"1410","version":"26.0.1410.63",)"
       R"("os_name":"Linux","os":"Linux","os_full":"Linux"} )"
       R"({"name":"Chrome","device":{"name":"Other"},"version":"26.0.1410.63","os":{"name":"Linux","full":"Linux"}})",
       2},
      {R"({"name":"curl","device":"Other","major":"7","minor":"88","patch":"1","version":"7.88.1",)"
       R"("os_name":"Other","os":"Other","os_full":"Other"} )"
       R"({"name":"curl","device":{"name":"Other"},"version":"7.88.1","os":{"name":"Other","full":"Other"}})",
       2},
  };
  EXPECT_EQ(seen, expected) << read_text_file(out);
}

}  // namespace
}  // namespace logpipe
