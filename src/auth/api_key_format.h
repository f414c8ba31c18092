#pragma once

#include <cstddef>
#include <string>
#include <string_view>

// What cdp's API keys look like: how they are made, recognized and hashed.
// A key is a kind prefix and a random token of [0-9A-Za-z]: the prefix tells
// a human (and secret scanners) which kind leaked; the token carries
// 32 x 5.95 = 190 bits (write) or 40 x 5.95 = 238 bits (secret) of entropy.
namespace cdp {

inline constexpr std::string_view kWriteKeyPrefix = "wk_";
inline constexpr std::string_view kSecretKeyPrefix = "sk_";
inline constexpr size_t kWriteKeyTokenLength = 32;
inline constexpr size_t kSecretKeyTokenLength = 40;
// How much of a key a listing may show (ApiKey::display_prefix).
inline constexpr size_t kKeyDisplayPrefixLength = 8;

// "wk_" + 32 random characters.
std::string NewWriteKey();
// "sk_" + 40 random characters.
std::string NewSecretKey();

// The lower-case hex SHA-256 of `key` (64 characters): what the store keeps of
// a secret key. Unsalted on purpose: lookup goes by hash, and a 238-bit random
// key leaves no dictionary to precompute.
std::string HashSecretKey(std::string_view key);

// Whether `text` has the exact shape of a key of that kind (prefix, length,
// alphabet). A cheap filter before any lookup; says nothing about validity.
bool LooksLikeWriteKey(std::string_view text);
bool LooksLikeSecretKey(std::string_view text);

// The first kKeyDisplayPrefixLength characters, e.g. "sk_4f9Qa".
std::string KeyDisplayPrefix(std::string_view key);

}  // namespace cdp
