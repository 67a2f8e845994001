// Test databases for the geoip filter: GeoLite2-City, GeoLite2-Country and
// GeoLite2-ASN .mmdb files with known records, written into a fresh
// temporary directory by tests/tools/make_test_mmdb.pl (perl
// MaxMind::DB::Writer, Debian's libmaxmind-db-writer-perl).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace logpipe::testing {

// Returns the directory; fails the test (fatally) when perl cannot write them.
inline std::string write_geoip_test_databases(const std::string& tag) {
  std::string pattern = "/tmp/logpipe-" + tag + "-XXXXXX";
  if (!mkdtemp(pattern.data())) {
    ADD_FAILURE() << "mkdtemp failed";
    return pattern;
  }
  std::string cmd = std::string("perl ") + LOGPIPE_SOURCE_DIR + "/tests/tools/make_test_mmdb.pl " + pattern;
  int rc = std::system(cmd.c_str());
  if (rc != 0) ADD_FAILURE() << cmd << " failed (" << rc << "): is libmaxmind-db-writer-perl installed?";
  return pattern;
}

}  // namespace logpipe::testing
