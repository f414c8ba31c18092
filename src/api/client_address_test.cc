#include "api/client_address.h"

#include <gtest/gtest.h>

namespace cdp::api {
namespace {

TEST(TrustedForwardedEntryTest, TakesTheOutermostTrustedProxysEntry) {
  // client-written, proxy 2 saw, proxy 1 saw
  const std::string_view header = "6.6.6.6, 203.0.113.7,\t10.0.0.2";
  EXPECT_EQ(TrustedForwardedEntry(header, 0), "");
  EXPECT_EQ(TrustedForwardedEntry(header, 1), "10.0.0.2");
  EXPECT_EQ(TrustedForwardedEntry(header, 2), "203.0.113.7");
  EXPECT_EQ(TrustedForwardedEntry(header, 3), "6.6.6.6");
  // Fewer entries than trusted proxies: the leftmost.
  EXPECT_EQ(TrustedForwardedEntry(header, 5), "6.6.6.6");
  EXPECT_EQ(TrustedForwardedEntry("", 1), "");
}

TEST(ClientAddressTest, ThePeerUnlessATrustedProxySaysOtherwise) {
  http::Request request;
  request.SetRemoteAddress("10.0.0.1");
  request.SetHeaders({{"X-Forwarded-For", "6.6.6.6, 203.0.113.7"}});
  EXPECT_EQ(ClientAddress(request, 0), "10.0.0.1");  // no proxy trusted: a spoof
  EXPECT_EQ(ClientAddress(request, 1), "203.0.113.7");
  http::Request direct;
  direct.SetRemoteAddress("198.51.100.4");
  EXPECT_EQ(ClientAddress(direct, 1), "198.51.100.4");  // no header: the peer
}

}  // namespace
}  // namespace cdp::api
