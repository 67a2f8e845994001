// Grok matching: any line against the shipped patterns teams use most, with
// both engine orders (PCRE2 first, RE2 first).
// Oracle: the two orders must agree on whether the line matches and on every
// group's text (grok_matcher.h: RE2's language is a superset, PCRE2 decides).
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "filters/grok/grok_compiler.h"
#include "filters/grok/grok_matcher.h"
#include "filters/grok/pattern_library.h"

using namespace logpipe;

namespace {

struct MatcherPair {
  GrokMatcher pcre_first;
  GrokMatcher re2_first;
};

std::vector<std::unique_ptr<MatcherPair>> make_matchers() {
  PatternLibrary library;
  library.add_builtin(builtin_pattern_files(), "legacy");
  GrokCompiler compiler(library, true);
  std::vector<std::unique_ptr<MatcherPair>> out;
  for (const char* expression :
       {"%{COMBINEDAPACHELOG}", "%{SYSLOGLINE}", "%{IP:client} %{WORD:method} %{URIPATHPARAM:request} %{NUMBER:bytes:int} %{NUMBER:duration:float}",
        "%{TIMESTAMP_ISO8601:ts} %{LOGLEVEL:level} %{GREEDYDATA:msg}", "%{HTTPDATE:ts}|%{IPORHOST:host}:%{POSINT:port}",
        "(?<a>%{INT})-(?<b>x)?(?<c>%{INT})", "%{EMAILADDRESS:mail} %{UUID:id} %{MAC:mac}"})
    out.push_back(std::make_unique<MatcherPair>(
        MatcherPair{GrokMatcher(compiler.compile(expression), false), GrokMatcher(compiler.compile(expression), true)}));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::vector<std::unique_ptr<MatcherPair>> matchers = make_matchers();
  std::string_view line(reinterpret_cast<const char*>(data), size);
  for (auto& m : matchers) {
    bool a = m->pcre_first.match(line);
    bool b = m->re2_first.match(line);
    if (a != b) abort();
    if (a && m->pcre_first.groups() != m->re2_first.groups()) abort();
  }
  return 0;
}
