#pragma once

#include <cstddef>
#include <string>
#include <string_view>

// What cdp's API keys and session tokens look like: how they are made,
// recognized and hashed.
// A key is a kind prefix and a random token of [0-9A-Za-z]: the prefix tells
// a human (and secret scanners) which kind leaked; the token carries
// 32 x 5.95 = 190 bits (write) or 40 x 5.95 = 238 bits (secret) of entropy.
namespace cdp {

inline constexpr std::string_view kWriteKeyPrefix = "wk_";
inline constexpr std::string_view kSecretKeyPrefix = "sk_";
inline constexpr size_t kWriteKeyTokenLength = 32;
inline constexpr size_t kSecretKeyTokenLength = 40;
// A signed-in session's token (cookie or bearer): "st_" + 43 characters,
// 256 bits.
inline constexpr std::string_view kSessionTokenPrefix = "st_";
inline constexpr size_t kSessionTokenLength = 43;
// How much of a key a listing may show (ApiKey::display_prefix).
inline constexpr size_t kKeyDisplayPrefixLength = 8;

// "wk_" + 32 random characters.
std::string NewWriteKey();
// "sk_" + 40 random characters.
std::string NewSecretKey();

// "st_" + 43 random characters.
std::string NewSessionToken();

// The lower-case hex SHA-256 of `token` (64 characters): what the store keeps
// of an API key (either kind) or a session token. Unsalted on purpose: lookup
// goes by hash, and a random token of 190 bits or more leaves no dictionary
// to precompute.
std::string HashToken(std::string_view token);

// Whether `text` has the exact shape of a key of that kind (prefix, length,
// alphabet). A cheap filter before any lookup; says nothing about validity.
bool LooksLikeWriteKey(std::string_view text);
bool LooksLikeSecretKey(std::string_view text);
bool LooksLikeSessionToken(std::string_view text);

// The first kKeyDisplayPrefixLength characters, e.g. "sk_4f9Qa".
std::string KeyDisplayPrefix(std::string_view key);
// How listings and logs show a key: its display prefix and an ellipsis,
// "sk_4f9Qa…".
std::string MaskedKey(std::string_view display_prefix);

}  // namespace cdp
