// SincedbName: the default sincedb file of a file input, named as Logstash
// names it, <path.data>/plugins/inputs/file/.sincedb_<MD5 of the paths
// joined by ",">, so that a sincedb Logstash left for the same paths is
// picked up. MD5 only for that compatibility (OpenSSL's libcrypto).
// Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace logpipe {

// Lowercase hex MD5 of data.
std::string md5_hex(std::string_view data);

std::string default_sincedb_path(const std::string& data_dir, const std::vector<std::string>& paths);

}  // namespace logpipe
