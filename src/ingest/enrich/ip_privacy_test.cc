#include "ingest/enrich/ip_privacy.h"

#include <gtest/gtest.h>

#include "ingest/enrich/ip_address.h"

namespace cdp::ingest::enrich {
namespace {

TEST(IpAddressTest, ParsesAndFormats) {
  const auto v4 = ParseIpAddress("203.0.113.7");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->is_v4);
  EXPECT_EQ(FormatIpAddress(*v4), "203.0.113.7");

  const auto v6 = ParseIpAddress("2001:0DB8:0000:0000:0000:0000:0000:0001");
  ASSERT_TRUE(v6);
  EXPECT_FALSE(v6->is_v4);
  EXPECT_EQ(FormatIpAddress(*v6), "2001:db8::1");

  EXPECT_EQ(FormatIpAddress(*ParseIpAddress("[2001:db8::1]")), "2001:db8::1");
}

TEST(IpAddressTest, V4MappedIsV4) {
  const auto mapped = ParseIpAddress("::ffff:198.51.100.9");
  ASSERT_TRUE(mapped);
  EXPECT_TRUE(mapped->is_v4);
  EXPECT_EQ(mapped, ParseIpAddress("198.51.100.9"));
}

TEST(IpAddressTest, RefusesWhatIsNoAddress) {
  for (const char* text : {"", "not an ip", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4:80",
                           "fe80::1%eth0", "[1.2.3.4", "2001:db8::1::2", " 1.2.3.4"}) {
    EXPECT_FALSE(ParseIpAddress(text)) << text;
  }
  EXPECT_FALSE(ParseIpAddress(std::string(100, '1')));
}

TEST(IpPrivacyTest, PolicyNames) {
  for (IpPolicy policy : {IpPolicy::kKeep, IpPolicy::kTruncate, IpPolicy::kDrop}) {
    EXPECT_EQ(ParseIpPolicy(IpPolicyName(policy)), policy);
  }
  EXPECT_FALSE(ParseIpPolicy("anonymize"));
  EXPECT_FALSE(ParseIpPolicy("Keep"));
}

TEST(IpPrivacyTest, KeepKeepsAsGiven) {
  EXPECT_EQ(ApplyIpPolicy("203.0.113.7", IpPolicy::kKeep), "203.0.113.7");
  EXPECT_EQ(ApplyIpPolicy("2001:DB8::1", IpPolicy::kKeep), "2001:DB8::1");
  EXPECT_EQ(ApplyIpPolicy("garbage", IpPolicy::kKeep), "garbage");
}

TEST(IpPrivacyTest, TruncateZeroesTheHost) {
  EXPECT_EQ(ApplyIpPolicy("203.0.113.7", IpPolicy::kTruncate), "203.0.113.0");
  EXPECT_EQ(ApplyIpPolicy("10.255.255.255", IpPolicy::kTruncate), "10.255.255.0");
  EXPECT_EQ(ApplyIpPolicy("2001:db8:abcd:12::1", IpPolicy::kTruncate), "2001:db8:abcd::");
  EXPECT_EQ(ApplyIpPolicy("2001:db8:abcd:ffff:ffff:ffff:ffff:ffff", IpPolicy::kTruncate),
            "2001:db8:abcd::");
  EXPECT_EQ(ApplyIpPolicy("::1", IpPolicy::kTruncate), "::");
  EXPECT_EQ(ApplyIpPolicy("::ffff:198.51.100.9", IpPolicy::kTruncate), "198.51.100.0");
  EXPECT_EQ(ApplyIpPolicy("[2001:db8:1:2::3]", IpPolicy::kTruncate), "2001:db8:1::");
}

TEST(IpPrivacyTest, TruncateKeepsNothingOfWhatIsNoAddress) {
  EXPECT_EQ(ApplyIpPolicy("not an ip", IpPolicy::kTruncate), "");
  EXPECT_EQ(ApplyIpPolicy("203.0.113.7:443", IpPolicy::kTruncate), "");
  EXPECT_EQ(ApplyIpPolicy("", IpPolicy::kTruncate), "");
}

TEST(IpPrivacyTest, DropDrops) {
  EXPECT_EQ(ApplyIpPolicy("203.0.113.7", IpPolicy::kDrop), "");
  EXPECT_EQ(ApplyIpPolicy("2001:db8::1", IpPolicy::kDrop), "");
}

}  // namespace
}  // namespace cdp::ingest::enrich
