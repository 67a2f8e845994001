// Grok compiler: a pattern file (everything after line 1) loaded over the
// built-in legacy patterns, then the expression on line 1 expanded,
// translated from Oniguruma to RE2 and PCRE2 syntax and compiled by both,
// and the result matched against the input itself.
#include <string>

#include "filters/grok/grok_compiler.h"
#include "filters/grok/grok_matcher.h"
#include "filters/grok/pattern_library.h"
#include "fuzz/fuzz_input.h"

using namespace logpipe;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const PatternLibrary builtin = [] {
    PatternLibrary library;
    library.add_builtin(builtin_pattern_files(), "legacy");
    return library;
  }();
  fuzz::FuzzInput in(data, size);
  bool named_only = in.flag();
  std::string expression(in.line());
  std::string_view pattern_file = in.rest();
  PatternLibrary library = builtin;
  library.add_file_text(pattern_file);
  GrokCompiler compiler(library, named_only);
  try {
    GrokMatcher matcher(compiler.compile(expression));
    matcher.match(pattern_file);
    matcher.match(expression);
  } catch (const GrokCompileError&) {
  }
  return 0;
}
