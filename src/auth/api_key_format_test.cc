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

TEST(ApiKeyFormatTest, HashIsLowerCaseHexSha256AndStable) {
  // The FIPS 180-2 test vector.
  EXPECT_EQ(HashSecretKey("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string key = NewSecretKey();
  const std::string hash = HashSecretKey(key);
  EXPECT_EQ(hash.size(), 64u);
  EXPECT_EQ(hash.find_first_not_of("0123456789abcdef"), std::string::npos) << hash;
  EXPECT_EQ(HashSecretKey(key), hash);
  EXPECT_NE(HashSecretKey(NewSecretKey()), hash);
}

TEST(ApiKeyFormatTest, DisplayPrefixIsTheFirstEightCharacters) {
  EXPECT_EQ(KeyDisplayPrefix("sk_4f9QaXYZ"), "sk_4f9Qa");
  EXPECT_EQ(KeyDisplayPrefix("wk_1"), "wk_1");
}

}  // namespace
}  // namespace cdp
