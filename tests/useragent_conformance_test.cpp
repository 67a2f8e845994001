// uap-core's own test suites (Debian's uap-core, /usr/share/uap-core/tests:
// test_ua.yaml, test_os.yaml, test_device.yaml) run through UaParser with
// uap-core's regexes.yaml: every case must give the expected family and
// version parts (brand and model for devices).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <optional>
#include <string>

#include "filters/useragent/ua_parser.h"

namespace logpipe {
namespace {

const char kUapDir[] = "/usr/share/uap-core";

const UaParser& uap_parser() {
  static const std::unique_ptr<UaParser> p = UaParser::from_file(std::string(kUapDir) + "/regexes.yaml");
  return *p;
}

std::optional<std::string> expected(const YAML::Node& c, const char* key) {
  if (!c[key] || c[key].IsNull()) return std::nullopt;
  return c[key].as<std::string>();
}

std::string show(const std::optional<std::string>& v) { return v ? "'" + *v + "'" : "null"; }

// Runs every case of one suite; check returns "" or what differs.
template <class Check>
void run_suite(const char* file, Check check) {
  std::string path = std::string(kUapDir) + "/tests/" + file;
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is missing (Debian package uap-core)";
  YAML::Node cases = YAML::LoadFile(path)["test_cases"];
  ASSERT_TRUE(cases && cases.size() > 100) << path;
  size_t failures = 0;
  for (const auto& c : cases) {
    std::string ua = c["user_agent_string"].as<std::string>();
    std::string diff = check(ua, c);
    if (diff.empty()) continue;
    if (++failures <= 20) ADD_FAILURE() << file << ": '" << ua << "': " << diff;
  }
  EXPECT_EQ(failures, 0u) << "of " << cases.size() << " cases in " << file;
}

template <class V>
std::string compare(const char* what, const std::optional<std::string>& got, const YAML::Node& c, const char* key) {
  auto want = expected(c, key);
  if (got == want) return "";
  return std::string(what) + " " + show(got) + ", expected " + show(want) + "; ";
}

TEST(UseragentConformance, UapCoreUserAgentSuite) {
  run_suite("test_ua.yaml", [](const std::string& ua, const YAML::Node& c) {
    UaVersion v = uap_parser().parse_ua(ua);
    return compare<void>("family", v.family, c, "family") + compare<void>("major", v.major, c, "major") +
           compare<void>("minor", v.minor, c, "minor") + compare<void>("patch", v.patch, c, "patch");
  });
}

TEST(UseragentConformance, UapCoreOsSuite) {
  run_suite("test_os.yaml", [](const std::string& ua, const YAML::Node& c) {
    UaVersion v = uap_parser().parse_os(ua);
    return compare<void>("family", v.family, c, "family") + compare<void>("major", v.major, c, "major") +
           compare<void>("minor", v.minor, c, "minor") + compare<void>("patch", v.patch, c, "patch") +
           compare<void>("patch_minor", v.patch_minor, c, "patch_minor");
  });
}

TEST(UseragentConformance, UapCoreDeviceSuite) {
  run_suite("test_device.yaml", [](const std::string& ua, const YAML::Node& c) {
    UaDevice d = uap_parser().parse_device(ua);
    return compare<void>("family", d.family, c, "family") + compare<void>("brand", d.brand, c, "brand") +
           compare<void>("model", d.model, c, "model");
  });
}

TEST(UseragentConformance, MostRegexesRunOnRe2) {
  const UaParser& p = uap_parser();
  EXPECT_GT(p.re2_count(), 10 * p.pcre2_count()) << p.re2_count() << " RE2, " << p.pcre2_count() << " PCRE2";
}

}  // namespace
}  // namespace logpipe
