#include "inputs/file/sincedb_name.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace logpipe {

std::string md5_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_md5(), nullptr) != 1)
    throw std::runtime_error("MD5 is unavailable in this OpenSSL");
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

std::string default_sincedb_path(const std::string& data_dir, const std::vector<std::string>& paths) {
  std::string joined;
  for (size_t i = 0; i < paths.size(); ++i) joined += (i ? "," : "") + paths[i];
  return data_dir + "/plugins/inputs/file/.sincedb_" + md5_hex(joined);
}

}  // namespace logpipe
