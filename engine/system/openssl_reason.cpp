#include "engine/system/openssl_reason.h"

#include <openssl/err.h>

namespace logpipe {

std::string openssl_reason() {
  unsigned long e = ERR_get_error();
  char buf[256] = "unknown reason";
  if (e) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

}  // namespace logpipe
