#include "engine/config/config_printer.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "engine/config/compiler.h"
#include "engine/config/parser.h"

namespace logpipe::config {
namespace {

EnvLookup fake_env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string printed(const std::vector<SourceFile>& files, const EnvLookup& env) {
  return print_config(parse_configs(files), env);
}

TEST(ConfigPrinter, MasksEverySecretAndResolvesTheRest) {
  const std::vector<SourceFile> files = {
      {"cluster/input.conf",
       "input { kafka { bootstrap_servers => \"${BROKERS}\" topics => [\"app\"] "
       "sasl_jaas_config => \"org.apache.kafka.common.security.plain.PlainLoginModule required "
       "username='u' password='kafka-secret';\" } }\n"},
      {"team/filter.conf",
       "filter {\n  if [type] == \"web\" and [status] =~ /^5/ {\n    mutate { add_tag => [\"err\"] }\n"
       "  } else {\n    grok { match => { \"message\" => \"%{WORD:w}\" } }\n  }\n}\n"},
      {"cluster/output.conf",
       "output { elasticsearch { hosts => [\"https://elastic:es-url-secret@es1:9200\"] "
       "user => \"elastic\" password => \"${ES_PASSWORD}\" api_key => \"id:key-secret\" "
       "custom_headers => { \"Authorization\" => \"Bearer header-secret\" } } }\n"},
  };
  std::string text = printed(files, fake_env({{"BROKERS", "k1:9092"}, {"ES_PASSWORD", "env-secret"}}));
  for (const char* secret : {"kafka-secret", "es-url-secret", "env-secret", "key-secret", "header-secret"})
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in:\n" << text;
  EXPECT_NE(text.find("bootstrap_servers => \"k1:9092\""), std::string::npos) << text;
  EXPECT_NE(text.find("password => \"<masked>\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"https://elastic:<masked>@es1:9200\""), std::string::npos) << text;
  EXPECT_NE(text.find("user => \"elastic\""), std::string::npos) << text;
  // In the order the pipeline runs them, each block saying where it came from.
  size_t input = text.find("# cluster/input.conf:1");
  size_t filter = text.find("# team/filter.conf:3");
  size_t output = text.find("# cluster/output.conf:1");
  ASSERT_NE(input, std::string::npos) << text;
  ASSERT_NE(filter, std::string::npos) << text;
  ASSERT_NE(output, std::string::npos) << text;
  EXPECT_LT(input, filter);
  EXPECT_LT(filter, output);
  EXPECT_NE(text.find("if ([type] == \"web\" and [status] =~ /^5/) {"), std::string::npos) << text;
  EXPECT_NE(text.find("} else {"), std::string::npos) << text;
}

TEST(ConfigPrinter, TheOutputIsAConfigThatCompilesLikeTheOriginal) {
  const std::vector<SourceFile> files = {
      {"a.conf",
       "input { generator { count => 3 lines => [\"a \\\"q\\\"\", \"b\"] codec => json { charset => \"UTF-8\" } } }\n"
       "filter { if \"x\" in [tags] or ![y] { drop { } } else if [n] >= 2 { mutate { add_field => { \"k\" => \"v\" } } } }\n"
       "output { stdout { codec => rubydebug } }\n"},
  };
  std::string once = printed(files, fake_env({}));
  std::string twice = printed({{"printed.conf", once}}, fake_env({}));
  // Printing the printed config again gives the same text but for the file names.
  auto without_locations = [](std::string s) {
    std::string out;
    size_t start = 0;
    for (size_t nl; (nl = s.find('\n', start)) != std::string::npos; start = nl + 1) {
      std::string line = s.substr(start, nl - start);
      if (line.find("# ") == std::string::npos) out += line + "\n";
    }
    return out;
  };
  EXPECT_EQ(without_locations(once), without_locations(twice)) << once << "\n---\n" << twice;
  CompileOptions opts;
  opts.env = fake_env({});
  EXPECT_NO_THROW(compile(parse_configs({{"printed.conf", once}}), opts)) << once;
}

TEST(ConfigPrinter, UrlPasswordsAndSecretNames) {
  EXPECT_EQ(mask_url_passwords("http://u:p@h:9200/x and https://h2/ and ftp://a:b@c"),
            "http://u:<masked>@h:9200/x and https://h2/ and ftp://a:<masked>@c");
  EXPECT_EQ(mask_url_passwords("no url here, user@host"), "no url here, user@host");
  EXPECT_EQ(mask_url_passwords("https://user@host/"), "https://user@host/");
  for (const char* name : {"password", "ssl_keystore_password", "ssl_key_passphrase", "api_key",
                           "cloud_auth", "sasl_jaas_config", "client_secret", "Authorization"})
    EXPECT_TRUE(secret_option_name(name)) << name;
  for (const char* name : {"user", "hosts", "index", "path", "ssl_certificate_authorities"})
    EXPECT_FALSE(secret_option_name(name)) << name;
}

}  // namespace
}  // namespace logpipe::config
