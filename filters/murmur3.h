// MurmurHash3 (Austin Appleby's public-domain algorithm), written from its
// definition: the 32-bit x86 variant and the 128-bit x64 variant. Not in
// libcrypto, and needed byte-exact for fingerprint's MURMUR3 / MURMUR3_128.
// Blocks are read little-endian whatever the host, so results are the same
// everywhere. Pure functions, thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace logpipe {

uint32_t murmur3_32(std::string_view data, uint32_t seed);
// The 16 output bytes: h1 then h2, each little-endian (the reference
// implementation's output buffer on a little-endian host).
std::array<uint8_t, 16> murmur3_128(std::string_view data, uint32_t seed);

}  // namespace logpipe
