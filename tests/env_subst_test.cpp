#include "engine/config/env_subst.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace logpipe::config {
namespace {

EnvLookup fake_env() {
  static const std::map<std::string, std::string> vars = {
      {"HOME", "/home/u"}, {"PORT", "5044"},      {"EMPTY", ""},     {"a.b", "dot"},
      {"_U", "u"},         {"DOLLAR", "${PORT}"}, {"QUOTED", "'q'"}, {"LIST", "[a, 'b', \"c\"]"},
      {"X1", "one"},
  };
  return [](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

struct Case {
  const char* text;
  const char* expected;
  bool substituted;
};

void PrintTo(const Case& c, std::ostream* os) { *os << '"' << c.text << '"'; }

class EnvSubstitution : public ::testing::TestWithParam<Case> {};

TEST_P(EnvSubstitution, ReplacesReferences) {
  const Case& c = GetParam();
  std::string out = "stale";
  EnvError err;
  bool substituted = !c.substituted;
  ASSERT_TRUE(substitute_env(c.text, fake_env(), &out, &err, &substituted)) << err.message;
  EXPECT_EQ(out, c.expected);
  EXPECT_EQ(substituted, c.substituted);
}

INSTANTIATE_TEST_SUITE_P(
    References, EnvSubstitution,
    ::testing::Values(
        Case{"${HOME}", "/home/u", true}, Case{"${HOME}/file.log", "/home/u/file.log", true},
        Case{"a ${HOME} b", "a /home/u b", true}, Case{"${PORT:1}", "5044", true},
        Case{"${UNSET:5044}", "5044", true}, Case{"${UNSET:}", "", true},
        Case{"${EMPTY:x}", "", true},  // set to "" wins over the default
        Case{"${a.b}", "dot", true}, Case{"${_U}", "u", true}, Case{"${.x:d}", "d", true},
        Case{"${X1}", "one", true}, Case{"${HOME}${PORT}", "/home/u5044", true},
        Case{"${UNSET:a:b}", "a:b", true}, Case{"${UNSET:http://x/y}", "http://x/y", true},
        Case{"${UNSET:with space}", "with space", true},
        // The default runs to the first "}".
        Case{"${UNSET:${PORT}", "${PORT", true}, Case{"${UNSET:{x}}", "{x}", true},
        // A value is not scanned again.
        Case{"${DOLLAR}", "${PORT}", true}, Case{"${QUOTED}", "'q'", true},
        Case{"$${HOME}", "$/home/u", true}, Case{"${${HOME}}", "${/home/u}", true},
        Case{"${1X} ${HOME}", "${1X} /home/u", true}));

INSTANTIATE_TEST_SUITE_P(
    NotReferences, EnvSubstitution,
    ::testing::Values(Case{"", "", false}, Case{"plain", "plain", false},
                      Case{"$HOME", "$HOME", false}, Case{"cost: $5", "cost: $5", false},
                      Case{"${", "${", false}, Case{"${HOME", "${HOME", false},
                      Case{"${HOME:x", "${HOME:x", false}, Case{"${}", "${}", false},
                      Case{"${1X}", "${1X}", false}, Case{"${A-B}", "${A-B}", false},
                      Case{"${ HOME}", "${ HOME}", false}, Case{"${HOME }", "${HOME }", false},
                      Case{"{HOME}", "{HOME}", false}, Case{"%{HOME}", "%{HOME}", false}));

TEST(EnvSubstitution, UnsetWithoutDefaultFailsAtTheReference) {
  struct {
    const char* text;
    size_t offset;
    const char* name;
  } cases[] = {
      {"${UNSET}", 0, "UNSET"},
      {"path ${HOME} ${NOPE} x", 13, "NOPE"},
      {"${home}", 0, "home"},  // names are case-sensitive
      {"$${A.B}", 1, "A.B"},
  };
  for (const auto& c : cases) {
    std::string out;
    EnvError err;
    EXPECT_FALSE(substitute_env(c.text, fake_env(), &out, &err)) << c.text;
    EXPECT_EQ(err.offset, c.offset) << c.text;
    EXPECT_EQ(err.message,
              std::string("environment variable ") + c.name + " is not set and has no default");
  }
  std::string out;
  EXPECT_FALSE(substitute_env("${UNSET}", fake_env(), &out, nullptr));
}

TEST(EnvSubstitution, ProcessEnvReadsTheEnvironment) {
  const EnvLookup env = process_env();
  ::setenv("LOGPIPE_ENV_SUBST_TEST_VAR", "from env", 1);
  ::unsetenv("LOGPIPE_ENV_SUBST_TEST_UNSET");
  EXPECT_EQ(env("LOGPIPE_ENV_SUBST_TEST_VAR"), std::optional<std::string>("from env"));
  EXPECT_EQ(env("LOGPIPE_ENV_SUBST_TEST_UNSET"), std::nullopt);
  std::string out;
  EnvError err;
  ASSERT_TRUE(substitute_env("[${LOGPIPE_ENV_SUBST_TEST_VAR}]", env, &out, &err));
  EXPECT_EQ(out, "[from env]");
  ::unsetenv("LOGPIPE_ENV_SUBST_TEST_VAR");
}

TEST(StripEnclosingQuotes, StripsOnePairOfEach) {
  struct {
    const char* in;
    const char* out;
  } cases[] = {
      {"'x'", "x"},
      {"\"x\"", "x"},
      {"'\"x\"'", "x"},
      {"\"'x'\"", "'x'"},
      {"''x''", "'x'"},
      {"'x", "'x"},
      {"x'", "x'"},
      {"'", ""},
      {"\"", ""},
      {"''", ""},
      {"", ""},
      {"x", "x"},
      {"'a' and 'b'", "a' and 'b"},
  };
  for (const auto& c : cases) EXPECT_EQ(strip_enclosing_quotes(c.in), c.out) << c.in;
}

TEST(EnvResultAsList, TurnsBracketedTextIntoAList) {
  using List = std::vector<std::string>;
  struct {
    const char* in;
    List expected;
  } cases[] = {
      {"[a, b, c]", {"a", "b", "c"}},
      {"['a', \"b\"]", {"a", "b"}},
      {"'[a,b]'", {"a", "b"}},
      {"\"[a,b]\"", {"a", "b"}},
      {"[]", {}},
      {"[single]", {"single"}},
      {"[a,]", {"a"}},
      {"[a,,]", {"a"}},
      {"[,a]", {"", "a"}},
      {"[ a , , b ]", {"a", "", "b"}},
      {"[a, ]", {"a", ""}},  // " " is not empty when Ruby's split looks at it
      {"[\t'x y' ,z\n]", {"x y", "z"}},
      {"[http://h:9200, http://g:9200]", {"http://h:9200", "http://g:9200"}},
  };
  for (const auto& c : cases) {
    List list = {"stale"};
    EXPECT_TRUE(env_result_as_list(c.in, &list)) << c.in;
    EXPECT_EQ(list, c.expected) << c.in;
  }
  for (const char* not_list : {"", "[", "]", "a,b", "[a", "a]", "x[a]", "[a]x", "'[a]", "plain"}) {
    List list;
    EXPECT_FALSE(env_result_as_list(not_list, &list)) << not_list;
  }
}

TEST(EnvResultAsList, AfterSubstitution) {
  std::string out;
  EnvError err;
  bool substituted = false;
  ASSERT_TRUE(substitute_env("${LIST}", fake_env(), &out, &err, &substituted));
  ASSERT_TRUE(substituted);
  std::vector<std::string> list;
  ASSERT_TRUE(env_result_as_list(out, &list));
  EXPECT_EQ(list, (std::vector<std::string>{"a", "b", "c"}));

  ASSERT_TRUE(substitute_env("${QUOTED}", fake_env(), &out, &err, &substituted));
  EXPECT_FALSE(env_result_as_list(out, &list));
  EXPECT_EQ(strip_enclosing_quotes(out), "q");
}

}  // namespace
}  // namespace logpipe::config
