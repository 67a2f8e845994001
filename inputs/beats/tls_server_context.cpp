#include "inputs/beats/tls_server_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cstring>

#include "engine/config/options.h"
#include "engine/system/openssl_reason.h"

namespace logpipe {

namespace {

int passphrase_callback(char* buf, int size, int, void* user) {
  const auto* pass = static_cast<const std::string*>(user);
  int n = static_cast<int>(std::min<size_t>(pass->size(), static_cast<size_t>(size)));
  memcpy(buf, pass->data(), static_cast<size_t>(n));
  return n;
}

int protocol_version(const std::string& name) {
  if (name == "TLSv1.2") return TLS1_2_VERSION;
  if (name == "TLSv1.3") return TLS1_3_VERSION;
  if (name == "TLSv1.1") return TLS1_1_VERSION;
  if (name == "TLSv1") return TLS1_VERSION;
  throw OptionError("ssl_supported_protocols",
                    "unknown protocol `" + name + "` (TLSv1.1, TLSv1.2, TLSv1.3)");
}

}  // namespace

std::shared_ptr<ssl_ctx_st> make_tls_server_context(const TlsServerOptions& o) {
  std::shared_ptr<SSL_CTX> ctx(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
  if (!ctx) throw OptionError("ssl_enabled", "cannot create a TLS context: " + openssl_reason());
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
  // Beats close without a TLS close_notify: an end, not an error worth a log line.
  SSL_CTX_set_options(ctx.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
  if (!o.supported_protocols.empty()) {
    int lo = 0, hi = 0;
    for (const std::string& p : o.supported_protocols) {
      int v = protocol_version(p);
      lo = lo ? std::min(lo, v) : v;
      hi = std::max(hi, v);
    }
    SSL_CTX_set_min_proto_version(ctx.get(), lo);
    SSL_CTX_set_max_proto_version(ctx.get(), hi);
  }
  if (!o.cipher_suites.empty()) {
    std::string list;
    for (const std::string& c : o.cipher_suites) list += (list.empty() ? "" : ":") + c;
    // TLS 1.3 suites and older ciphers are set apart; either may take a name.
    bool old_ok = SSL_CTX_set_cipher_list(ctx.get(), list.c_str()) == 1;
    ERR_clear_error();
    bool new_ok = SSL_CTX_set_ciphersuites(ctx.get(), list.c_str()) == 1;
    ERR_clear_error();
    if (!old_ok && !new_ok)
      throw OptionError("ssl_cipher_suites", "no cipher suite OpenSSL knows in `" + list + "`");
  }
  if (o.key_passphrase) {
    SSL_CTX_set_default_passwd_cb(ctx.get(), passphrase_callback);
    SSL_CTX_set_default_passwd_cb_userdata(ctx.get(), const_cast<std::string*>(&*o.key_passphrase));
  }
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), o.certificate.c_str()) != 1)
    throw OptionError("ssl_certificate",
                      "cannot load `" + o.certificate + "`: " + openssl_reason());
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), o.key.c_str(), SSL_FILETYPE_PEM) != 1)
    throw OptionError("ssl_key", "cannot load `" + o.key + "`: " + openssl_reason());
  SSL_CTX_set_default_passwd_cb_userdata(ctx.get(), nullptr);
  if (SSL_CTX_check_private_key(ctx.get()) != 1)
    throw OptionError("ssl_key", "the key does not match the certificate: " + openssl_reason());
  for (const std::string& ca : o.certificate_authorities) {
    if (SSL_CTX_load_verify_locations(ctx.get(), ca.c_str(), nullptr) != 1)
      throw OptionError("ssl_certificate_authorities",
                        "cannot load `" + ca + "`: " + openssl_reason());
  }
  if (o.client_authentication != ClientAuthentication::None) {
    if (o.certificate_authorities.empty())
      throw OptionError("ssl_certificate_authorities",
                        "client authentication needs the authorities client certificates chain to");
    int mode = SSL_VERIFY_PEER;
    if (o.client_authentication == ClientAuthentication::Required)
      mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(ctx.get(), mode, nullptr);
  }
  return ctx;
}

}  // namespace logpipe
