// Environment substitution: `${NAME}` and `${NAME:default}` in plugin option
// values, applied once when the pipeline is loaded (LOGSTASH_CONFIG_FACTS.md §8).
//
// NAME matches [a-zA-Z_.][a-zA-Z0-9_.]*; the default is any text without "}"
// and may be empty. The value comes from the lookup (the environment by
// default; a keystore can be put in front by wrapping it), else the default;
// with neither, substitution fails with the offset of the "${". Text that is
// not such a reference ("$HOME", "${1X}", "${A-B}", a "${" with no "}") is
// copied unchanged, as Logstash's regular expression leaves it. A substituted
// value is not scanned again.
//
// Stateless functions; thread-safe as far as the lookup is (getenv is, while
// nobody calls setenv).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace logpipe::config {

// Looks a name up; default: getenv. Replaceable for tests.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup process_env();

struct EnvError {
  size_t offset = 0;  // in the input text, where the bad "${" starts
  std::string message;
};

// Writes text with every ${NAME} / ${NAME:default} replaced into *out
// (replacing its content). Returns false and fills *err (when given) for a
// variable that is unset and has no default: "environment variable NAME is not
// set and has no default". *substituted (when given) says whether any
// placeholder was replaced.
bool substitute_env(std::string_view text, const EnvLookup& env, std::string* out, EnvError* err,
                    bool* substituted = nullptr);

// Logstash's second layer (its Ruby plugin base), applied to a string option
// only when something was substituted: strip_enclosing_quotes, then a result
// of the form "[a, b, c]" becomes a list split at "," with each element
// trimmed and unquoted the same way ("[]" is the empty list, trailing empty
// elements are dropped as Ruby's split does). Returns true and fills *list when
// the text became a list; otherwise the caller keeps
// strip_enclosing_quotes(text).
bool env_result_as_list(std::string_view substituted_text, std::vector<std::string>* list);

// Strips one pair of enclosing single quotes, then one pair of enclosing double
// quotes: 'x' -> x, "x" -> x, '"x"' -> x, "'x'" -> 'x'.
std::string strip_enclosing_quotes(std::string_view s);

}  // namespace logpipe::config
