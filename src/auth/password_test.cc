#include "auth/password.h"

#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>

#include "meta/account_store.h"

namespace cdp {
namespace {

void ExpectBadRequest(const Status& status, std::string_view field) {
  EXPECT_EQ(status.code(), ErrorCode::kBadRequest) << status.ToString();
  EXPECT_EQ(status.field(), field) << status.ToString();
}

TEST(PasswordTest, HashesVerifyOnlyTheirPassword) {
  auto hash = HashPassword("correct horse battery", PasswordCost::kInteractive);
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_TRUE(hash->starts_with("$argon2id$")) << "not argon2id";
  EXPECT_TRUE(VerifyPassword("correct horse battery", *hash));
  EXPECT_FALSE(VerifyPassword("correct horse batterY", *hash));
  EXPECT_FALSE(VerifyPassword("", *hash));

  // A random salt: the same password hashes differently, and both verify.
  auto again = HashPassword("correct horse battery", PasswordCost::kInteractive);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*again, *hash);
  EXPECT_TRUE(VerifyPassword("correct horse battery", *again));
}

TEST(PasswordTest, MalformedHashesVerifyNothing) {
  auto hash = HashPassword("correct horse battery", PasswordCost::kInteractive);
  ASSERT_TRUE(hash.ok());
  for (const std::string& bad : {std::string(), std::string("correct horse battery"),
                                 std::string("$argon2id$"), hash->substr(0, hash->size() - 4),
                                 *hash + std::string(1, '\0') + "x", std::string(200, 'a')}) {
    EXPECT_FALSE(VerifyPassword("correct horse battery", bad));
  }
}

TEST(PasswordTest, TheDummyVerificationRunsForAnyInput) {
  // Nothing to observe but that it returns, twice (the hash is made once).
  VerifyAgainstDummyHash("anything at all");
  VerifyAgainstDummyHash("");
}

TEST(PasswordTest, ValidatesNewPasswordsNamingTheField) {
  EXPECT_TRUE(ValidateNewPassword("correct horse", "ada@example.com", "password").ok());
  EXPECT_TRUE(ValidateNewPassword(std::string(kMinPasswordBytes, 'a') + "b", "", "password").ok());
  EXPECT_TRUE(ValidateNewPassword(std::string(kMaxPasswordBytes - 1, 'a') + "b", "", "x").ok());
  // Ten bytes of five two-byte characters are enough: the bound is in bytes.
  EXPECT_TRUE(ValidateNewPassword("ééééü", "", "password").ok());

  ExpectBadRequest(ValidateNewPassword("short1234", "", "new_password"), "new_password");
  ExpectBadRequest(ValidateNewPassword(std::string(kMaxPasswordBytes, 'a') + "b", "", "password"),
                   "password");
  ExpectBadRequest(ValidateNewPassword("", "", "password"), "password");
  ExpectBadRequest(ValidateNewPassword(std::string(12, 'a'), "", "password"), "password");
  ExpectBadRequest(ValidateNewPassword("éééééé", "", "password"), "password");
  // Invalid UTF-8: a lone continuation byte, a truncated sequence, an
  // overlong encoding, a surrogate.
  for (const std::string& bad :
       {std::string("abcdefghij\x80"), std::string("abcdefghij\xC3"),
        std::string("abcdefghij\xC0\xAF"), std::string("abcdefghij\xED\xA0\x80")}) {
    ExpectBadRequest(ValidateNewPassword(bad, "", "password"), "password");
  }
  ExpectBadRequest(ValidateNewPassword("Ada@Example.com", "ada@example.com", "password"),
                   "password");
}

TEST(PasswordTest, ValidationMessagesNeverHoldThePassword) {
  const std::string password = "ada@example.com";
  const Status status = ValidateNewPassword(password, "ada@example.com", "password");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message().find(password), std::string::npos);
  EXPECT_EQ(status.cause().find(password), std::string::npos);
}

TEST(PasswordTest, OneTimePasswordsAvoidLookAlikes) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string password = NewOneTimePassword();
    ASSERT_EQ(password.size(), 20u);
    for (const char c : password) {
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << c;
      EXPECT_EQ(std::string("0Oo1lI").find(c), std::string::npos) << c;
    }
    EXPECT_TRUE(ValidateNewPassword(password, "", "password").ok());
    seen.insert(password);
  }
  EXPECT_EQ(seen.size(), 1000u);
  // Over 20,000 characters every one of the 56 shows up.
  std::set<char> characters;
  for (const std::string& password : seen) characters.insert(password.begin(), password.end());
  EXPECT_EQ(characters.size(), 56u);
}

TEST(PasswordTest, NormalizesEmails) {
  EXPECT_EQ(*NormalizeEmail("  Ada@Example.COM \t", "email"), "ada@example.com");
  EXPECT_EQ(*NormalizeEmail("admin@localhost", "email"), "admin@localhost");
  EXPECT_EQ(*NormalizeEmail("Zoë@exämple.de", "email"), "zoë@exämple.de");  // ASCII only lowered
  const std::string longest = std::string(kMaxEmailBytes - 12, 'a') + "@example.com";
  EXPECT_EQ(*NormalizeEmail(longest, "email"), longest);

  for (const std::string& bad :
       {std::string(""), std::string("   "), std::string("ada"), std::string("@example.com"),
        std::string("ada@"), std::string("ada@@example.com"), std::string("a@b@c"),
        std::string("ada lovelace@example.com"), std::string("ada@exa\tmple.com"),
        std::string("ada@example.com\x01"), std::string("ada\x7F@example.com"),
        std::string("ada\xC2\x85@example.com"), std::string("ada\xFF@example.com"),
        longest + "m"}) {
    ExpectBadRequest(NormalizeEmail(bad, "members[0].email").status(), "members[0].email");
  }
}

}  // namespace
}  // namespace cdp
