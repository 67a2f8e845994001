// PathGlob: the file input's `path` patterns, as Ruby's Dir.glob reads them
// for log paths: * ? [..] within a name (not matching a leading dot, by
// fnmatch(3) with FNM_PERIOD), {a,b} alternatives (nested, and across
// slashes), and ** for any depth of directories (not hidden ones, not
// through symlinks). glob(3) is not used: glibc's has GLOB_BRACE but no **,
// and braces must be expanded before the pattern is cut at its ** parts.
// Reads the file system; thread-safe.
#pragma once

#include <string>
#include <vector>

namespace logpipe {

// Appends the paths matching an absolute pattern. A path whose last part has
// no wildcard is appended whether or not it exists: the caller stats it.
void expand_glob(const std::string& pattern, std::vector<std::string>& out);

}  // namespace logpipe
