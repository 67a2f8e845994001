// Sizes in bytes as Logstash's `bytes` options take them: a whole number of
// bytes, or a number and a unit, with or without a space between. Units are
// case-insensitive; binary units are powers of 1024 ("10 KiB" = 10240,
// "1.5mib"), SI units powers of 1000 ("10kb" = 10000, "2 MB"), and "b" alone
// is bytes. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace logpipe {

// nullopt when the text is no size (or one too large for 64 bits).
std::optional<uint64_t> parse_byte_size(std::string_view text);

}  // namespace logpipe
