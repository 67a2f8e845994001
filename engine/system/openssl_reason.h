// openssl_reason: the reason of OpenSSL's most recent error on this thread,
// as text for an error message ("unknown reason" when it recorded none); the
// thread's error queue is cleared.
#pragma once

#include <string>

namespace logpipe {

std::string openssl_reason();

}  // namespace logpipe
