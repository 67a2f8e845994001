// The merged pipeline config as text, for `--config.debug`: every section of
// every file in the order the pipeline runs them, each plugin block with the
// file:line it came from, `${VAR}` references resolved as the compiler
// resolves them, and secrets masked.
//
// A value is masked when its option is declared as a password (OptionType::
// Password), when its name says it is a secret (password, passphrase, secret,
// token, api_key, jaas, cloud_auth, credentials ...), or, in any string, the
// password part of a URL's user-info (https://user:PASSWORD@host). The
// output is itself a valid config (masked values become "<masked>").
//
// Pure function of its input and the environment lookup; thread-safe.
#pragma once

#include <string>

#include "engine/config/ast.h"
#include "engine/config/env_subst.h"

namespace logpipe::config {

inline constexpr const char* kMaskedValue = "<masked>";

std::string print_config(const AstConfig& ast, const EnvLookup& env);

// True when an option of this name holds a secret whatever its declared type.
bool secret_option_name(std::string_view name);

// text with the password of every URL user-info (scheme://user:pw@) masked.
std::string mask_url_passwords(std::string_view text);

}  // namespace logpipe::config
