// fingerprint filter: stores a hash of one or more fields, as Logstash's
// fingerprint filter (for de-duplication, or to anonymise a value).
//
// method: SHA1 (default), SHA256, SHA384, SHA512, MD5 — hex digests from
// libcrypto, HMAC with `key`, base64 instead of hex with base64encode;
// MURMUR3 — the 32-bit hash (seed 0) as an integer, of the 8 little-endian
// bytes of an integer value or of the text of anything else; MURMUR3_128 —
// x64 128-bit (seed 2, as Logstash) in hex or base64, of the 4 bytes of an
// integer that fits 32 bits, the 8 bytes of a larger one, or the text;
// IPV4_NETWORK — the address masked to `key` bits (required); UUID — a
// random v4 UUID; PUNCTUATION — the value with everything but Unicode
// punctuation and symbols removed.
//
// What is hashed, in Logstash's serialization: each present source field
// on its own, the last one's fingerprint winning (an array gives an array
// of fingerprints); with concatenate_sources "|name|value|name|value|" over
// the sources sorted by name; with concatenate_all_fields the same over all
// top-level fields (not @metadata). Values are written as Ruby does: an
// object as its keys sorted, "k|v|k|v", an array "a|b", a timestamp as ISO
// 8601 with at least milliseconds, null as "". Result in target (default
// `fingerprint`; with ECS `[event][hash]`).
//
// Bad input: an address IPV4_NETWORK cannot parse raises (the event is
// tagged _filter_error, as Logstash's exception ends its filter). One
// instance per filter worker: not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/event/field_ref.h"
#include "engine/plugin.h"

typedef struct evp_md_st EVP_MD;
typedef struct evp_md_ctx_st EVP_MD_CTX;
typedef struct evp_mac_st EVP_MAC;
typedef struct evp_mac_ctx_st EVP_MAC_CTX;

namespace re2 {
class RE2;
}

namespace logpipe {

PluginInfo fingerprint_filter_info();

class FingerprintFilter : public Filter {
 public:
  enum class Method { SHA1, SHA256, SHA384, SHA512, MD5, MURMUR3, MURMUR3_128, IPV4_NETWORK, UUID, PUNCTUATION };

  explicit FingerprintFilter(const PluginArgs& args);
  ~FingerprintFilter() override;
  void filter(Event& e, FilterContext& ctx) override;

  // Logstash's to_canonical_value written as text (what digests see).
  static void append_canonical(const Value& v, std::string& out);

 private:
  struct Source {
    std::string name;
    FieldRef ref;
  };
  Value fingerprint(const Value& v);
  Value fingerprint_text(const std::string& text);
  std::string digest(const std::string& data);
  std::string encode(const unsigned char* bytes, size_t n) const;

  Method method_ = Method::SHA1;
  // Fetched and keyed once: OpenSSL 3's one-shot calls look the algorithm
  // up again on every call, which costs more than hashing a log line.
  EVP_MD* md_ = nullptr;
  EVP_MD_CTX* md_ctx_ = nullptr;
  EVP_MAC* mac_ = nullptr;
  EVP_MAC_CTX* mac_ctx_ = nullptr;
  std::vector<Source> sources_, sorted_sources_;
  FieldRef target_;
  std::string key_;
  bool has_key_ = false, base64_ = false, concatenate_sources_ = false, concatenate_all_ = false;
  int ip_prefix_ = 0;
  std::unique_ptr<re2::RE2> not_punctuation_;
  std::string scratch_;
};

}  // namespace logpipe
