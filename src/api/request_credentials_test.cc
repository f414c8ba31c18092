#include "api/request_credentials.h"

#include <gtest/gtest.h>

#include <string>

namespace cdp::api {
namespace {

http::Request RequestWith(http::HeaderList headers) {
  http::Request request;
  request.SetStartLine("GET", "/me");
  request.SetHeaders(std::move(headers));
  return request;
}

std::optional<std::string> CookieCredential(std::string_view cookie_header) {
  const std::optional<RequestCredential> credential =
      ReadCredential(RequestWith({{"Cookie", cookie_header}}));
  if (!credential) return std::nullopt;
  EXPECT_EQ(credential->source, CredentialSource::kCookie);
  return credential->value;
}

TEST(RequestCredentialsTest, NoneWithoutAuthorizationOrCookie) {
  EXPECT_EQ(ReadCredential(RequestWith({})), std::nullopt);
  EXPECT_EQ(ReadCredential(RequestWith({{"X-Write-Key", "wk_abc"}})), std::nullopt);
}

TEST(RequestCredentialsTest, BearerToken) {
  const auto credential = ReadCredential(RequestWith({{"Authorization", "Bearer sk_abc"}}));
  ASSERT_TRUE(credential.has_value());
  EXPECT_EQ(credential->value, "sk_abc");
  EXPECT_EQ(credential->source, CredentialSource::kBearer);
  // The scheme is case-insensitive; spaces around the token go.
  EXPECT_EQ(ReadCredential(RequestWith({{"authorization", "bearer   st_x  "}}))->value, "st_x");
}

TEST(RequestCredentialsTest, BearerComesBeforeTheCookie) {
  const auto credential = ReadCredential(
      RequestWith({{"Cookie", "cdp_session=st_cookie"}, {"Authorization", "Bearer st_bearer"}}));
  ASSERT_TRUE(credential.has_value());
  EXPECT_EQ(credential->value, "st_bearer");
  EXPECT_EQ(credential->source, CredentialSource::kBearer);
}

TEST(RequestCredentialsTest, OtherAuthorizationSchemesFallBackToTheCookie) {
  for (const char* authorization : {"Basic d2tfYWJjOg==", "Bearer ", "Bearer", "Token st_x"}) {
    const auto credential = ReadCredential(
        RequestWith({{"Authorization", authorization}, {"Cookie", "cdp_session=st_cookie"}}));
    ASSERT_TRUE(credential.has_value()) << authorization;
    EXPECT_EQ(credential->value, "st_cookie");
    EXPECT_EQ(credential->source, CredentialSource::kCookie);
    EXPECT_EQ(ReadCredential(RequestWith({{"Authorization", authorization}})), std::nullopt);
  }
}

TEST(RequestCredentialsTest, SessionCookieAmongOthers) {
  EXPECT_EQ(CookieCredential("cdp_session=st_abc"), "st_abc");
  EXPECT_EQ(CookieCredential("theme=dark; cdp_session=st_abc; lang=en"), "st_abc");
  EXPECT_EQ(CookieCredential("theme=dark;cdp_session=st_abc"), "st_abc");
  EXPECT_EQ(CookieCredential("  cdp_session = st_abc ;"), "st_abc");
  EXPECT_EQ(CookieCredential("\tcdp_session=st_abc\t"), "st_abc");
  EXPECT_EQ(CookieCredential("cdp_session=\"st_abc\""), "st_abc");
  // '=' may appear in a value; only the first one splits.
  EXPECT_EQ(CookieCredential("other=a=b; cdp_session=st_abc"), "st_abc");
}

TEST(RequestCredentialsTest, CookieLookAlikesAreNotTheSessionCookie) {
  for (const char* header : {"", ";;;", "cdp_session", "cdp_session=", "cdp_session=\"\"",
                             "CDP_SESSION=st_abc", "xcdp_session=st_abc", "cdp_sessionx=st_abc",
                             "cdp_session_old=st_abc", "theme=cdp_session=st_abc"}) {
    EXPECT_EQ(CookieCredential(header), std::nullopt) << header;
  }
}

TEST(RequestCredentialsTest, FirstNonEmptySessionCookieWins) {
  EXPECT_EQ(CookieCredential("cdp_session=; cdp_session=st_second"), "st_second");
  EXPECT_EQ(CookieCredential("cdp_session=st_first; cdp_session=st_second"), "st_first");
}

TEST(RequestCredentialsTest, CookiesSplitOverSeveralHeaders) {
  const auto credential =
      ReadCredential(RequestWith({{"Cookie", "theme=dark"}, {"cookie", "cdp_session=st_abc"}}));
  ASSERT_TRUE(credential.has_value());
  EXPECT_EQ(credential->value, "st_abc");
}

TEST(RequestCredentialsTest, ArrivedOverTlsOnlyBehindTrustedProxies) {
  const http::Request https = RequestWith({{"X-Forwarded-Proto", "https"}});
  EXPECT_FALSE(ArrivedOverTls(https, 0));  // anyone can send the header
  EXPECT_TRUE(ArrivedOverTls(https, 1));
  EXPECT_TRUE(ArrivedOverTls(RequestWith({{"x-forwarded-proto", "HTTPS"}}), 1));
  EXPECT_FALSE(ArrivedOverTls(RequestWith({{"X-Forwarded-Proto", "http"}}), 1));
  EXPECT_FALSE(ArrivedOverTls(RequestWith({}), 1));
  // Appended by each proxy: the trusted proxy's entry is the one counted
  // from the right; what the client wrote left of it proves nothing.
  const http::Request spoofed = RequestWith({{"X-Forwarded-Proto", "https, http"}});
  EXPECT_FALSE(ArrivedOverTls(spoofed, 1));
  EXPECT_TRUE(ArrivedOverTls(spoofed, 2));
  EXPECT_TRUE(ArrivedOverTls(RequestWith({{"X-Forwarded-Proto", "http, https"}}), 1));
  // Fewer entries than proxies: the leftmost is the outermost's.
  EXPECT_TRUE(ArrivedOverTls(https, 3));
}

TEST(RequestCredentialsTest, SessionCookieAttributes) {
  EXPECT_EQ(SessionCookie("st_abc", 1'209'600, false),
            "cdp_session=st_abc; HttpOnly; SameSite=Lax; Path=/; Max-Age=1209600");
  EXPECT_EQ(SessionCookie("st_abc", 60, true),
            "cdp_session=st_abc; HttpOnly; SameSite=Lax; Path=/; Max-Age=60; Secure");
}

TEST(RequestCredentialsTest, ExpiredSessionCookieClearsIt) {
  EXPECT_EQ(ExpiredSessionCookie(false), "cdp_session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0");
  EXPECT_EQ(ExpiredSessionCookie(true),
            "cdp_session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0; Secure");
}

TEST(RequestCredentialsTest, SetCookieValueRoundTripsThroughReadCredential) {
  // What a browser sends back: the name=value part of Set-Cookie.
  const std::string set_cookie = SessionCookie("st_round", 10, true);
  const std::string sent = set_cookie.substr(0, set_cookie.find(';'));
  EXPECT_EQ(CookieCredential(sent), "st_round");
}

}  // namespace
}  // namespace cdp::api
