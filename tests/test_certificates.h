// TestCertificates: a throw-away PKI made with the openssl command line for
// TLS tests: a CA, a server certificate for localhost / 127.0.0.1 signed by
// it, a client certificate signed by it, and a self-signed "stranger" client
// certificate no server should trust (EC keys: made in milliseconds). Files:
// ca.crt, server.{crt,key}, client.{crt,key}, stranger.{crt,key} in dir().
#pragma once

#include <cstdlib>
#include <string>

#include "tests/subprocess.h"

namespace logpipe::testing {

class TestCertificates {
 public:
  TestCertificates() : dir_(make_temp_dir("certs")) {
    std::string script = "cd '" + dir_ +
                         "' && "
                         "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                         "-nodes -days 2 -subj /CN=test-ca -keyout ca.key -out ca.crt && "
                         "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                         "-subj /CN=localhost -keyout server.key -out server.csr && "
                         "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > san.ext && "
                         "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key "
                         "-CAcreateserial -days 2 -extfile san.ext "
                         "-out server.crt && "
                         "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                         "-subj /CN=beat-client -keyout client.key -out client.csr && "
                         "openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key "
                         "-CAcreateserial -days 2 -out client.crt && "
                         "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                         "-nodes -days 2 -subj /CN=stranger -keyout stranger.key "
                         "-out stranger.crt";
    ok_ = std::system(("(" + script + ") >/dev/null 2>&1").c_str()) == 0;
  }
  ~TestCertificates() { std::system(("rm -rf '" + dir_ + "'").c_str()); }
  TestCertificates(const TestCertificates&) = delete;
  TestCertificates& operator=(const TestCertificates&) = delete;

  bool ok() const { return ok_; }
  const std::string& dir() const { return dir_; }
  std::string path(const char* name) const { return dir_ + "/" + name; }

 private:
  std::string dir_;
  bool ok_ = false;
};

}  // namespace logpipe::testing
