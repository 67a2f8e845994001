// cidr filter: IPv4/IPv6 membership, address sources, networks from the
// config, from %{field} and from a file (with its refresh), bad addresses
// and config errors — table-driven.
#include "filters/cidr_filter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/text/json_writer.h"
#include "tests/logpipe_process.h"
#include "tests/plugin_test_support.h"

namespace logpipe {
namespace {

using testing::opts;
using testing::string_array;

bool matched(Filter& f, Event e) {
  testing::NullFilterContext ctx;
  f.filter(e, ctx);
  return e.has_tag("matched");
}

Object with_tag(Object o) {
  o.set("add_tag", string_array({"matched"}));
  return o;
}

TEST(IpNetworkTest, ParseAndContain) {
  struct {
    const char* network;
    const char* address;
    bool contains;
  } cases[] = {
      {"192.168.0.0/24", "192.168.0.30", true},    {"192.168.0.0/24", "192.168.1.30", false},
      {"192.168.0.0/16", "192.168.255.1", true},   {"10.0.0.0/8", "11.0.0.1", false},
      {"192.168.0.77/24", "192.168.0.1", true},    {"0.0.0.0/0", "8.8.8.8", true},
      {"10.1.2.3", "10.1.2.3", true},              {"10.1.2.3/32", "10.1.2.4", false},
      {"10.0.0.0/255.255.0.0", "10.0.200.1", true}, {"10.0.0.0/255.255.0.0", "10.1.0.1", false},
      {"10.0.0.0/25", "10.0.0.127", true},         {"10.0.0.0/25", "10.0.0.128", false},
      {"2001:db8::/32", "2001:db8:1::1", true},    {"2001:db8::/32", "2001:db9::1", false},
      {"[::1]", "::1", true},                      {"fe80::/10", "fe80::1", true},
      {"fe80::/10", "febf::1", true},              {"fe80::/10", "fec0::1", false},
      {"::/0", "192.168.0.1", false},              {"0.0.0.0/0", "::ffff:1.2.3.4", false},
      {"10.0.0.0/8", "10.0.0.0/16", true},         {"10.0.0.0/16", "10.0.0.0/8", false},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(std::string(c.network) + " " + c.address);
    auto n = IpNetwork::parse(c.network);
    auto a = IpNetwork::parse(c.address);
    ASSERT_TRUE(n && a);
    EXPECT_EQ(n->contains(*a), c.contains);
  }
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "010.0.0.1", "1.2.3.4/33", "1.2.3.4/",
                          "1.2.3.4/255.0.255.0", "::1/129", "abc", "1.2.3.4 ", "%{ip}", "1.2.3.4/x"}) {
    EXPECT_FALSE(IpNetwork::parse(bad)) << bad;
  }
  EXPECT_EQ(IpNetwork::parse("2001:db8:1:2::7")->masked(32)->address_text(), "2001:db8::");
}

TEST(CidrFilterTest, AddressesAndNetworks) {
  struct Case {
    const char* name;
    Object settings;
    Object fields;
    bool matches;
  } cases[] = {
      {"v4 match", opts({{"address", string_array({"%{clientip}"})}, {"network", string_array({"192.168.0.0/24"})}}),
       opts({{"clientip", Value("192.168.0.30")}}), true},
      {"v4 no match", opts({{"address", string_array({"%{clientip}"})}, {"network", string_array({"192.168.0.0/24"})}}),
       opts({{"clientip", Value("192.168.1.30")}}), false},
      {"v6 match", opts({{"address", string_array({"%{clientip}"})}, {"network", string_array({"fe80::/64"})}}),
       opts({{"clientip", Value("fe80::abcd:1")}}), true},
      {"any of several addresses",
       opts({{"address", string_array({"%{src}", "%{dst}"})}, {"network", string_array({"10.0.0.0/8"})}}),
       opts({{"src", Value("8.8.8.8")}, {"dst", Value("10.9.9.9")}}), true},
      {"comma-separated networks, spaces stripped",
       opts({{"address", string_array({"%{ip}"})}, {"network", string_array({"10.0.0.0/8 , 172.16.0.0/12"})}}),
       opts({{"ip", Value("172.20.1.1")}}), true},
      {"network from a field",
       opts({{"address", string_array({"%{ip}"})}, {"network", string_array({"%{net}"})}}),
       opts({{"ip", Value("10.1.1.1")}, {"net", Value("10.1.0.0/16,bogus")}}), true},
      {"network from a missing field", opts({{"address", string_array({"%{ip}"})}, {"network", string_array({"%{net}"})}}),
       opts({{"ip", Value("10.1.1.1")}}), false},
      {"address missing", opts({{"address", string_array({"%{ip}"})}, {"network", string_array({"0.0.0.0/0"})}}), {}, false},
      {"address not an ip", opts({{"address", string_array({"%{ip}"})}, {"network", string_array({"0.0.0.0/0"})}}),
       opts({{"ip", Value("example.com")}}), false},
      {"address_field array",
       opts({{"address_field", Value("[ips]")}, {"network", string_array({"10.0.0.0/8"})}}),
       opts({{"ips", string_array({"junk", "8.8.8.8", "10.0.0.1"})}}), true},
      {"address_field number is no address",
       opts({{"address_field", Value("ips")}, {"network", string_array({"0.0.0.0/0"})}}),
       opts({{"ips", Value(12345)}}), false},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto filter = testing::make_test_filter(cidr_filter_info(), with_tag(c.settings));
    Event e;
    for (auto& [k, v] : c.fields) e.set_top(k, v);
    EXPECT_EQ(matched(*filter, e), c.matches);
  }
}

class CidrFileTest : public testing::TempDirTest {
 protected:
  CidrFileTest() : TempDirTest("cidr") {}
};

TEST_F(CidrFileTest, NetworkPathAndRefresh) {
  std::string file = path("networks.txt");
  std::ofstream(file) << "10.0.0.0/8\n\n192.168.0.0/16\nbogus\n";
  auto filter = testing::make_test_filter(
      cidr_filter_info(), with_tag(opts({{"address", string_array({"%{ip}"})},
                                         {"network_path", Value(file)},
                                         {"refresh_interval", Value(0)}})));
  auto ev = [](const char* ip) {
    Event e;
    e.set_top("ip", Value(ip));
    return e;
  };
  EXPECT_TRUE(matched(*filter, ev("192.168.3.4")));
  EXPECT_FALSE(matched(*filter, ev("172.16.0.1")));
  // rewritten: picked up at the next check (refresh_interval 0: every event)
  std::ofstream(file) << "172.16.0.0/12";
  EXPECT_TRUE(matched(*filter, ev("172.16.0.1")));
  EXPECT_FALSE(matched(*filter, ev("10.1.1.1")));
  // removed or emptied: the last list stays
  std::ofstream(file) << "";
  EXPECT_TRUE(matched(*filter, ev("172.16.0.1")));
  std::remove(file.c_str());
  EXPECT_TRUE(matched(*filter, ev("172.16.0.1")));

  std::string semi = path("semi.txt");
  std::ofstream(semi) << "10.0.0.0/8;2001:db8::/32";
  auto by_semicolon = testing::make_test_filter(
      cidr_filter_info(), with_tag(opts({{"address", string_array({"%{ip}"})},
                                         {"network_path", Value(semi)},
                                         {"separator", Value(";")}})));
  EXPECT_TRUE(matched(*by_semicolon, ev("2001:db8::5")));
  EXPECT_FALSE(matched(*by_semicolon, ev("2001:db9::5")));
}

TEST_F(CidrFileTest, ConfigErrors) {
  auto make = [](Object o) { return testing::make_test_filter(cidr_filter_info(), o); };
  std::string empty = path("empty.txt");
  std::ofstream(empty) << "";
  EXPECT_THROW(make(opts({{"network_path", Value(path("missing.txt"))}})), OptionError);
  EXPECT_THROW(make(opts({{"network_path", Value(empty)}})), OptionError);
  EXPECT_THROW(make(opts({{"network_path", Value(empty)}, {"network", string_array({"10.0.0.0/8"})}})), OptionError);
  EXPECT_THROW(make(opts({{"address_field", Value("ip")}, {"address", string_array({"%{ip}"})}})), OptionError);
  EXPECT_THROW(make(opts({{"network", string_array({"10.0.0.0/33"})}})), OptionError);
  EXPECT_THROW(make(opts({{"address_field", Value("[a")}})), OptionError);
}

}  // namespace
}  // namespace logpipe
