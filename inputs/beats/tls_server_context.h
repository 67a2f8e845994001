// TlsServerContext: the OpenSSL server context of a TLS listener, built from
// Logstash's ssl_* options (certificate and key in PEM, optional passphrase,
// CAs that client certificates must chain to, client authentication mode,
// protocol versions, cipher list).
//
// Built in the plugin's constructor, so a missing or unreadable file, a key
// that does not match its certificate or a bad cipher list is a config error
// (OptionError naming the option) before anything listens.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

struct ssl_ctx_st;

namespace logpipe {

enum class ClientAuthentication { None, Optional, Required };

struct TlsServerOptions {
  std::string certificate;  // PEM file: the server's certificate (chain)
  std::string key;          // PEM file: its private key
  std::optional<std::string> key_passphrase;
  std::vector<std::string> certificate_authorities;  // PEM files
  ClientAuthentication client_authentication = ClientAuthentication::None;
  std::vector<std::string> supported_protocols;  // "TLSv1.2", "TLSv1.3"; empty: both
  std::vector<std::string> cipher_suites;        // OpenSSL names; empty: OpenSSL's defaults
};

std::shared_ptr<ssl_ctx_st> make_tls_server_context(const TlsServerOptions& o);

}  // namespace logpipe
