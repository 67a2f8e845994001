// SincedbName: the default sincedb file is named as Logstash names it, so a
// sincedb Logstash left for the same paths is picked up.
#include "inputs/file/sincedb_name.h"

#include <gtest/gtest.h>

namespace logpipe {
namespace {

TEST(SincedbNameTest, Md5OfThePathsJoinedByCommas) {
  EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(default_sincedb_path("/data", {"/var/log/*.log", "/tmp/a.log"}),
            "/data/plugins/inputs/file/.sincedb_76627df765ceaee6299f4411429024f4");
}

}  // namespace
}  // namespace logpipe
