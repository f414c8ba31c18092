#include "auth/credentials.h"

#include <gtest/gtest.h>

namespace cdp {
namespace {

TEST(BasicAuthUserTest, ReadsTheUserOfAWriteKeyWithAnEmptyPassword) {
  // base64("wk_abc:") = "d2tfYWJjOg=="
  EXPECT_EQ(BasicAuthUser("Basic d2tfYWJjOg=="), "wk_abc");
  EXPECT_EQ(BasicAuthUser("basic d2tfYWJjOg=="), "wk_abc");
  // base64("user:pass") = "dXNlcjpwYXNz": the password is not the user's business here.
  EXPECT_EQ(BasicAuthUser("Basic dXNlcjpwYXNz"), "user");
}

TEST(BasicAuthUserTest, RefusesWhatIsNotBasicBase64WithAColon) {
  EXPECT_EQ(BasicAuthUser(""), std::nullopt);
  EXPECT_EQ(BasicAuthUser("Basic"), std::nullopt);
  EXPECT_EQ(BasicAuthUser("Basic "), std::nullopt);
  EXPECT_EQ(BasicAuthUser("Bearer d2tfYWJjOg=="), std::nullopt);
  EXPECT_EQ(BasicAuthUser("Basic not base64!"), std::nullopt);
  // base64("wk_abc") has no colon.
  EXPECT_EQ(BasicAuthUser("Basic d2tfYWJj"), std::nullopt);
}

TEST(BearerTokenTest, ReadsTheToken) {
  EXPECT_EQ(BearerToken("Bearer sk_123"), "sk_123");
  EXPECT_EQ(BearerToken("bearer  sk_123 "), "sk_123");
  EXPECT_EQ(BearerToken("Bearer "), std::nullopt);
  EXPECT_EQ(BearerToken("Basic sk_123"), std::nullopt);
  EXPECT_EQ(BearerToken("Bearersk_123"), std::nullopt);
}

}  // namespace
}  // namespace cdp
