#include "filters/fingerprint_filter.h"

#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <re2/re2.h>

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "engine/config/typed_options.h"
#include "engine/config/field_option.h"
#include "filters/ip_network.h"
#include "filters/murmur3.h"

namespace logpipe {

namespace {

using Method = FingerprintFilter::Method;

struct FingerprintOptions {
  std::vector<std::string> source;
  std::optional<std::string> target;
  std::optional<Password> key;
  bool base64encode = false, concatenate_sources = false, concatenate_all_fields = false;
  Method method = Method::SHA1;
  std::string ecs_compatibility;
};

const OptionSchema<FingerprintOptions>& fingerprint_schema() {
  static const OptionSchema<FingerprintOptions> schema = [] {
    OptionSchema<FingerprintOptions> s;
    s.strings("source", &FingerprintOptions::source, "Fields to fingerprint.")
        .fallback(Value(Array{Value("message")}));
    s.string("target", &FingerprintOptions::target,
             "Field for the fingerprint (default: fingerprint; with ECS [event][hash]).");
    s.password("key", &FingerprintOptions::key,
               "HMAC key for SHA1/SHA256/SHA384/SHA512/MD5; the prefix length for IPV4_NETWORK.");
    s.boolean("base64encode", &FingerprintOptions::base64encode,
              "Write digests in base64 instead of hex.")
        .fallback(false);
    s.enumeration("method", &FingerprintOptions::method,
                  {{"SHA1", Method::SHA1},
                   {"SHA256", Method::SHA256},
                   {"SHA384", Method::SHA384},
                   {"SHA512", Method::SHA512},
                   {"MD5", Method::MD5},
                   {"MURMUR3", Method::MURMUR3},
                   {"MURMUR3_128", Method::MURMUR3_128},
                   {"IPV4_NETWORK", Method::IPV4_NETWORK},
                   {"UUID", Method::UUID},
                   {"PUNCTUATION", Method::PUNCTUATION}},
                  "Fingerprint method.")
        .fallback("SHA1");
    s.boolean("concatenate_sources", &FingerprintOptions::concatenate_sources,
              "Fingerprint all sources together as |name|value|... (sorted by name).")
        .fallback(false);
    s.boolean("concatenate_all_fields", &FingerprintOptions::concatenate_all_fields,
              "Fingerprint every top-level field together as |name|value|... (sorted by name).")
        .fallback(false);
    s.string("ecs_compatibility", &FingerprintOptions::ecs_compatibility,
             "Default target: disabled (fingerprint) or v1/v8 ([event][hash]).")
        .fallback("disabled")
        .one_of({"disabled", "v1", "v8"});
    return s;
  }();
  return schema;
}

const char* digest_name(Method m) {
  switch (m) {
    case Method::SHA1: return "SHA1";
    case Method::SHA256: return "SHA256";
    case Method::SHA384: return "SHA384";
    case Method::SHA512: return "SHA512";
    case Method::MD5: return "MD5";
    default: return nullptr;
  }
}

void append_hex(const unsigned char* bytes, size_t n, std::string& out) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; ++i) {
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 15];
  }
}

std::string little_endian(uint64_t v, int bytes) {
  std::string out(static_cast<size_t>(bytes), '\0');
  for (int i = 0; i < bytes; ++i) out[i] = static_cast<char>(v >> (8 * i));
  return out;
}

// Ruby's Hash#sort: by key, bytewise.
std::vector<const Object::Entry*> sorted_entries(const Object& o) {
  std::vector<const Object::Entry*> entries;
  entries.reserve(o.size());
  for (const auto& entry : o) entries.push_back(&entry);
  std::sort(entries.begin(), entries.end(), [](auto* a, auto* b) { return a->first < b->first; });
  return entries;
}

// Timestamps as Logstash 8 writes them here: at least three decimals.
void append_text(const Value& v, std::string& out) {
  if (v.is_timestamp()) {
    v.as_timestamp().append_iso8601(out);
    return;
  }
  v.append_string(out);
}

}  // namespace

void FingerprintFilter::append_canonical(const Value& v, std::string& out) {
  if (v.is_object()) {
    bool first = true;
    for (const auto* entry : sorted_entries(v.as_object())) {
      if (!first) out += '|';
      first = false;
      out += entry->first;
      out += '|';
      append_canonical(entry->second, out);
    }
  } else if (v.is_array()) {
    bool first = true;
    for (const Value& x : v.as_array()) {
      if (!first) out += '|';
      first = false;
      append_canonical(x, out);
    }
  } else {
    append_text(v, out);
  }
}

FingerprintFilter::FingerprintFilter(const PluginArgs& args) : Filter(args) {
  FingerprintOptions o = fingerprint_schema().bind(args.settings);
  method_ = o.method;
  for (auto& name : o.source) sources_.push_back(Source{name, field_option("source", name)});
  sorted_sources_ = sources_;
  std::stable_sort(sorted_sources_.begin(), sorted_sources_.end(),
                   [](const Source& a, const Source& b) { return a.name < b.name; });
  bool ecs = o.ecs_compatibility != "disabled";
  target_ = field_option("target", o.target.value_or(ecs ? "[event][hash]" : "fingerprint"));
  if (o.key) {
    has_key_ = true;
    key_ = o.key->reveal();
  }
  base64_ = o.base64encode;
  concatenate_sources_ = o.concatenate_sources;
  concatenate_all_ = o.concatenate_all_fields;
  if (const char* name = digest_name(method_)) {
    md_ = EVP_MD_fetch(nullptr, name, nullptr);
    if (!md_) throw OptionError("method", std::string("libcrypto has no ") + name + " here");
    if (has_key_) {
      mac_ = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
      mac_ctx_ = mac_ ? EVP_MAC_CTX_new(mac_) : nullptr;
      OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(name), 0),
                             OSSL_PARAM_construct_end()};
      if (!mac_ctx_ || EVP_MAC_init(mac_ctx_, reinterpret_cast<const unsigned char*>(key_.data()), key_.size(),
                                    params) != 1)
        throw OptionError("key", "libcrypto cannot set up HMAC-" + std::string(name));
    } else {
      md_ctx_ = EVP_MD_CTX_new();
      if (!md_ctx_) throw std::bad_alloc();
    }
  }
  if (method_ == Method::IPV4_NETWORK) {
    if (!has_key_) throw OptionError("key", "IPV4_NETWORK needs key: the prefix length to keep, e.g. 24");
    char* end = nullptr;
    long bits = std::strtol(key_.c_str(), &end, 10);  // Ruby's to_i: a leading number
    ip_prefix_ = (end == key_.c_str() || bits < 0 || bits > 128) ? -1 : static_cast<int>(bits);
    if (ip_prefix_ < 0) throw OptionError("key", "IPV4_NETWORK needs key as a prefix length (0-128)");
  }
  if (method_ == Method::PUNCTUATION) not_punctuation_ = std::make_unique<re2::RE2>(R"([^\p{P}\p{S}]+)");
}

FingerprintFilter::~FingerprintFilter() {
  EVP_MAC_CTX_free(mac_ctx_);
  EVP_MAC_free(mac_);
  EVP_MD_CTX_free(md_ctx_);
  EVP_MD_free(md_);
}

std::string FingerprintFilter::encode(const unsigned char* bytes, size_t n) const {
  std::string out;
  if (base64_) {
    out.resize(4 * ((n + 2) / 3) + 1);
    int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes, static_cast<int>(n));
    out.resize(static_cast<size_t>(len));
  } else {
    append_hex(bytes, n, out);
  }
  return out;
}

std::string FingerprintFilter::digest(const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t len = 0;
  bool ok;
  if (mac_ctx_) {
    // A null key re-initialises with the key given at construction.
    ok = EVP_MAC_init(mac_ctx_, nullptr, 0, nullptr) == 1 &&
         EVP_MAC_update(mac_ctx_, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1 &&
         EVP_MAC_final(mac_ctx_, out, &len, sizeof out) == 1;
  } else {
    unsigned int n = 0;
    ok = EVP_DigestInit_ex2(md_ctx_, md_, nullptr) == 1 && EVP_DigestUpdate(md_ctx_, data.data(), data.size()) == 1 &&
         EVP_DigestFinal_ex(md_ctx_, out, &n) == 1;
    len = n;
  }
  if (!ok) throw std::runtime_error("fingerprint: libcrypto digest failed");
  return encode(out, len);
}

Value FingerprintFilter::fingerprint_text(const std::string& text) {
  switch (method_) {
    case Method::MURMUR3:
      return Value(int64_t{murmur3_32(text, 0)});
    case Method::MURMUR3_128: {
      auto h = murmur3_128(text, 2);
      return Value(encode(h.data(), h.size()));
    }
    case Method::IPV4_NETWORK: {
      auto net = IpNetwork::parse(text);
      if (!net) throw std::runtime_error("fingerprint: not an IP address: '" + text + "'");
      auto masked = net->masked(ip_prefix_);
      if (!masked) throw std::runtime_error("fingerprint: prefix " + key_ + " too long for " + text);
      return Value(masked->address_text());
    }
    default:
      return Value(digest(text));
  }
}

Value FingerprintFilter::fingerprint(const Value& v) {
  if (v.is_int() && method_ == Method::MURMUR3)
    return Value(int64_t{murmur3_32(little_endian(static_cast<uint64_t>(v.as_int()), 8), 0)});
  if (v.is_int() && method_ == Method::MURMUR3_128) {
    int64_t n = v.as_int();
    bool fits32 = n >= std::numeric_limits<int32_t>::min() && n <= std::numeric_limits<int32_t>::max();
    auto h = murmur3_128(little_endian(static_cast<uint64_t>(n), fits32 ? 4 : 8), 2);
    return Value(encode(h.data(), h.size()));
  }
  scratch_.clear();
  append_canonical(v, scratch_);
  return fingerprint_text(scratch_);
}

void FingerprintFilter::filter(Event& e, FilterContext& ctx) {
  (void)ctx;
  if (method_ == Method::UUID) {
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1) throw std::runtime_error("fingerprint: no random bytes for UUID");
    b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
    b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
    std::string uuid;
    for (int i = 0; i < 16; ++i) {
      if (i == 4 || i == 6 || i == 8 || i == 10) uuid += '-';
      append_hex(b + i, 1, uuid);
    }
    e.set(target_, Value(std::move(uuid)));
  } else if (method_ == Method::PUNCTUATION) {
    for (const Source& s : sorted_sources_) {
      const Value* v = e.get(s.ref);
      if (!v) continue;
      std::string text = v->is_string() ? v->as_string() : v->to_string();
      re2::RE2::GlobalReplace(&text, *not_punctuation_, "");
      e.set(target_, Value(std::move(text)));
    }
  } else if (concatenate_sources_ || concatenate_all_) {
    std::string text;
    if (concatenate_all_) {
      for (const auto* entry : sorted_entries(e.fields())) {
        text += '|';
        text += entry->first;
        text += '|';
        append_canonical(entry->second, text);
      }
    } else {
      for (const Source& s : sorted_sources_) {
        text += '|';
        text += s.name;
        text += '|';
        if (const Value* v = e.get(s.ref)) append_canonical(*v, text);
      }
    }
    text += '|';
    e.set(target_, fingerprint_text(text));
  } else {
    for (const Source& s : sources_) {
      const Value* v = e.get(s.ref);
      if (!v) continue;
      Value result;
      if (v->is_array()) {
        Array out;
        for (const Value& x : v->as_array()) out.push_back(fingerprint(x));
        result = Value(std::move(out));
      } else {
        result = fingerprint(*v);
      }
      e.set(target_, std::move(result));
    }
  }
  filter_matched(e);
}

PluginInfo fingerprint_filter_info() {
  PluginInfo info;
  info.name = "fingerprint";
  info.kind = PluginKind::Filter;
  info.description = "Stores a hash (SHA, MD5, HMAC, MurmurHash3), network, UUID or punctuation of fields.";
  info.options = fingerprint_schema().specs();
  info.make_filter = [](const PluginArgs& args) -> std::unique_ptr<Filter> {
    return std::make_unique<FingerprintFilter>(args);
  };
  return info;
}

}  // namespace logpipe
