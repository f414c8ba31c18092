#include "auth/api_key_format.h"

#include <gtest/gtest.h>

#include <set>

namespace cdp {
namespace {

TEST(ApiKeyFormatTest, WriteKeysArePrefixedRandomTokens) {
  const std::string key = NewWriteKey();
  EXPECT_EQ(key.size(), 3u + 32u);
  EXPECT_TRUE(key.starts_with("wk_"));
  EXPECT_TRUE(LooksLikeWriteKey(key)) << key;
  EXPECT_FALSE(LooksLikeSecretKey(key));
}

TEST(ApiKeyFormatTest, SecretKeysArePrefixedRandomTokens) {
  const std::string key = NewSecretKey();
  EXPECT_EQ(key.size(), 3u + 40u);
  EXPECT_TRUE(key.starts_with("sk_"));
  EXPECT_TRUE(LooksLikeSecretKey(key)) << key;
  EXPECT_FALSE(LooksLikeWriteKey(key));
}

TEST(ApiKeyFormatTest, KeysAreUnique) {
  std::set<std::string> keys;
  for (int i = 0; i < 1000; ++i) {
    keys.insert(NewWriteKey());
    keys.insert(NewSecretKey());
  }
  EXPECT_EQ(keys.size(), 2000u);
}

TEST(ApiKeyFormatTest, RecognizesOnlyTheExactShape) {
  const std::string token32(32, 'a');
  EXPECT_TRUE(LooksLikeWriteKey("wk_" + token32));
  EXPECT_FALSE(LooksLikeWriteKey("wk_" + token32 + "a"));      // too long
  EXPECT_FALSE(LooksLikeWriteKey("wk_" + token32.substr(1)));  // too short
  EXPECT_FALSE(LooksLikeWriteKey("sk_" + token32));            // other kind
  EXPECT_FALSE(LooksLikeWriteKey("WK_" + token32));
  EXPECT_FALSE(LooksLikeWriteKey("wk_" + token32.substr(1) + "-"));  // outside the alphabet
  EXPECT_FALSE(LooksLikeWriteKey(""));
  EXPECT_TRUE(LooksLikeSecretKey("sk_" + std::string(40, 'Z')));
  EXPECT_FALSE(LooksLikeSecretKey("sk_" + std::string(39, 'Z') + " "));
}

TEST(ApiKeyFormatTest, SessionTokensArePrefixedRandomTokens) {
  const std::string token = NewSessionToken();
  EXPECT_EQ(token.size(), 3u + 43u);
  EXPECT_TRUE(token.starts_with("st_"));
  EXPECT_TRUE(LooksLikeSessionToken(token)) << token;
  EXPECT_FALSE(LooksLikeSecretKey(token));
  EXPECT_FALSE(LooksLikeWriteKey(token));
  EXPECT_FALSE(LooksLikeSessionToken(NewSecretKey()));
  EXPECT_FALSE(LooksLikeSessionToken(NewWriteKey()));

  std::set<std::string> tokens;
  for (int i = 0; i < 1000; ++i) tokens.insert(NewSessionToken());
  EXPECT_EQ(tokens.size(), 1000u);
}

TEST(ApiKeyFormatTest, RecognizesOnlyTheExactShapeOfASessionToken) {
  const std::string token43(43, '7');
  EXPECT_TRUE(LooksLikeSessionToken("st_" + token43));
  EXPECT_FALSE(LooksLikeSessionToken("st_" + token43 + "7"));      // too long
  EXPECT_FALSE(LooksLikeSessionToken("st_" + token43.substr(1)));  // too short
  EXPECT_FALSE(LooksLikeSessionToken("ST_" + token43));
  EXPECT_FALSE(LooksLikeSessionToken("sk_" + token43));
  EXPECT_FALSE(LooksLikeSessionToken("st_" + token43.substr(1) + "="));  // outside the alphabet
  EXPECT_FALSE(LooksLikeSessionToken("st_"));
  EXPECT_FALSE(LooksLikeSessionToken(""));
}

TEST(ApiKeyFormatTest, HashIsLowerCaseHexSha256AndStable) {
  // The FIPS 180-2 test vectors.
  EXPECT_EQ(HashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HashToken(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  for (const std::string& token : {NewSecretKey(), NewWriteKey(), NewSessionToken()}) {
    const std::string hash = HashToken(token);
    EXPECT_EQ(hash.size(), 64u);
    EXPECT_EQ(hash.find_first_not_of("0123456789abcdef"), std::string::npos) << hash;
    EXPECT_EQ(HashToken(token), hash);
    EXPECT_NE(HashToken(NewSecretKey()), hash);
  }
}

TEST(ApiKeyFormatTest, DisplayPrefixIsTheFirstEightCharacters) {
  EXPECT_EQ(KeyDisplayPrefix("sk_4f9QaXYZ"), "sk_4f9Qa");
  EXPECT_EQ(KeyDisplayPrefix("wk_1"), "wk_1");
}

TEST(ApiKeyFormatTest, MaskedKeyIsThePrefixAndAnEllipsis) {
  EXPECT_EQ(MaskedKey("sk_4f9Qa"), "sk_4f9Qa\u2026");
  EXPECT_EQ(MaskedKey("sk_4f9Qa"), "sk_4f9Qa\xE2\x80\xA6");  // U+2026 in UTF-8
  const std::string key = NewWriteKey();
  const std::string masked = MaskedKey(KeyDisplayPrefix(key));
  EXPECT_TRUE(masked.starts_with(key.substr(0, 8)));
  EXPECT_EQ(masked.find(key.substr(8)), std::string::npos);  // the rest never shows
  EXPECT_EQ(MaskedKey(""), "\u2026");
}

}  // namespace
}  // namespace cdp
