#include "core/secure_compare.h"

#include <gtest/gtest.h>

#include <string>

namespace cdp {
namespace {

TEST(ConstantTimeEqualsTest, Equal) {
  EXPECT_TRUE(ConstantTimeEquals("0123456789abcdef", "0123456789abcdef"));
  EXPECT_TRUE(ConstantTimeEquals("x", "x"));
  const std::string a(1000, 'k');
  const std::string b(1000, 'k');
  EXPECT_TRUE(ConstantTimeEquals(a, b));
}

TEST(ConstantTimeEqualsTest, Different) {
  EXPECT_FALSE(ConstantTimeEquals("0123456789abcdef", "0123456789abcdeF"));
  EXPECT_FALSE(ConstantTimeEquals("0123456789abcdef", "1123456789abcdef"));
  EXPECT_FALSE(ConstantTimeEquals("a", "b"));
  // A difference in any one byte or any one bit is seen.
  const std::string secret = "sk_live_0123456789";
  for (size_t i = 0; i < secret.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string other = secret;
      other[i] = static_cast<char>(other[i] ^ (1 << bit));
      ASSERT_FALSE(ConstantTimeEquals(secret, other)) << i << " bit " << bit;
    }
  }
}

TEST(ConstantTimeEqualsTest, DifferentLengths) {
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_FALSE(ConstantTimeEquals("abcd", "abc"));
  // A prefix padded with NUL bytes must not match.
  EXPECT_FALSE(ConstantTimeEquals(std::string("abc\0", 4), "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", std::string("abc\0", 4)));
}

TEST(ConstantTimeEqualsTest, Empty) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_FALSE(ConstantTimeEquals("a", ""));
  EXPECT_FALSE(ConstantTimeEquals("", std::string(1, '\0')));
}

TEST(ConstantTimeEqualsTest, ComparesBytesNotCharacters) {
  EXPECT_TRUE(ConstantTimeEquals("\xFF\x80", "\xFF\x80"));
  EXPECT_FALSE(ConstantTimeEquals("\xFF\x80", "\xFF\x81"));
}

}  // namespace
}  // namespace cdp
