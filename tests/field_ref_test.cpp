#include "engine/event/field_ref.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace logpipe {
namespace {

struct ValidCase {
  const char* text;
  bool metadata;
  std::vector<std::string> path;
};

void PrintTo(const ValidCase& c, std::ostream* os) { *os << '"' << c.text << '"'; }

class FieldRefValid : public ::testing::TestWithParam<ValidCase> {};

TEST_P(FieldRefValid, Parses) {
  const ValidCase& c = GetParam();
  std::string error;
  auto ref = FieldRef::parse(c.text, &error);
  ASSERT_TRUE(ref.has_value()) << error;
  EXPECT_EQ(ref->metadata(), c.metadata);
  EXPECT_EQ(ref->path(), c.path);
  EXPECT_EQ(ref->text(), c.text);
  EXPECT_EQ(ref->is_top_level(), !c.metadata && c.path.size() == 1);
  EXPECT_NO_THROW(FieldRef::must(c.text));
  // Parsing without an error sink gives the same result.
  auto again = FieldRef::parse(c.text);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(*again == *ref);
}

INSTANTIATE_TEST_SUITE_P(
    Section6, FieldRefValid,
    ::testing::Values(
        // No bracket: one top-level name, verbatim.
        ValidCase{"message", false, {"message"}},
        ValidCase{"@timestamp", false, {"@timestamp"}},
        ValidCase{"a.b.c", false, {"a.b.c"}},
        ValidCase{"with space", false, {"with space"}},
        ValidCase{"dash-and_under", false, {"dash-and_under"}},
        ValidCase{"ünïcødé", false, {"ünïcødé"}},
        ValidCase{"a,b", false, {"a,b"}},
        // Bracketed fragments.
        ValidCase{"[message]", false, {"message"}},
        ValidCase{"[a][b]", false, {"a", "b"}},
        ValidCase{"[http][response][code]", false, {"http", "response", "code"}},
        ValidCase{"[a b][c.d]", false, {"a b", "c.d"}},
        ValidCase{"[a][0]", false, {"a", "0"}},
        ValidCase{"[a][-1]", false, {"a", "-1"}},
        // Composite fragments (Event API only): [[a][b]][c] is [a][b][c].
        ValidCase{"[[a][b]][c]", false, {"a", "b", "c"}},
        ValidCase{"[a][[b][c]]", false, {"a", "b", "c"}},
        ValidCase{"[[a]]", false, {"a"}},
        // Metadata.
        ValidCase{"[@metadata]", true, {}},
        ValidCase{"[@metadata][x]", true, {"x"}},
        ValidCase{"[@metadata][kafka][offset]", true, {"kafka", "offset"}},
        ValidCase{"@metadata", true, {}},
        ValidCase{"[a][@metadata]", false, {"a", "@metadata"}}));

struct InvalidCase {
  const char* text;
  const char* why;
};

void PrintTo(const InvalidCase& c, std::ostream* os) { *os << '"' << c.text << "\" (" << c.why << ')'; }

class FieldRefInvalid : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(FieldRefInvalid, IsRefusedWithAReason) {
  const InvalidCase& c = GetParam();
  std::string error;
  EXPECT_FALSE(FieldRef::parse(c.text, &error).has_value());
  EXPECT_FALSE(error.empty());
  EXPECT_FALSE(FieldRef::parse(c.text).has_value()) << "without an error sink";
  EXPECT_THROW(FieldRef::must(c.text), std::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(
    Section6, FieldRefInvalid,
    ::testing::Values(InvalidCase{"", "empty"}, InvalidCase{"[]", "empty fragment"},
                      InvalidCase{"[a][]", "empty fragment after a name"},
                      InvalidCase{"[][a]", "empty fragment first"},
                      InvalidCase{"a[b]", "text before the first bracket"},
                      InvalidCase{"[a]b", "text after a closing bracket"},
                      InvalidCase{"[a] [b]", "space between fragments"},
                      InvalidCase{"[a", "unclosed"}, InvalidCase{"a]", "closing without opening"},
                      InvalidCase{"[a]]", "extra closing bracket"},
                      InvalidCase{"[[a]", "unbalanced composite"},
                      InvalidCase{"[a[b]]", "bracket inside a name"},
                      InvalidCase{"]", "lone closing bracket"}, InvalidCase{"[", "lone opening"},
                      InvalidCase{"[[]]", "empty fragment inside a composite"},
                      InvalidCase{"[[a][b]c]", "text after a composite's fragments"}));

TEST(FieldRef, ErrorNamesTheReference) {
  std::string error;
  ASSERT_FALSE(FieldRef::parse("[a]b", &error));
  EXPECT_NE(error.find("[a]b"), std::string::npos) << error;
}

TEST(FieldRef, EqualityIgnoresSpelling) {
  EXPECT_TRUE(FieldRef::must("message") == FieldRef::must("[message]"));
  EXPECT_TRUE(FieldRef::must("[[a][b]][c]") == FieldRef::must("[a][b][c]"));
  EXPECT_FALSE(FieldRef::must("[a][b]") == FieldRef::must("[a]"));
  EXPECT_FALSE(FieldRef::must("[@metadata][a]") == FieldRef::must("[a]"));
  EXPECT_FALSE(FieldRef::must("a.b") == FieldRef::must("[a][b]"));
}

}  // namespace
}  // namespace logpipe
