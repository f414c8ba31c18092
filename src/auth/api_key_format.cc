#include "auth/api_key_format.h"

#include <sodium.h>

#include <algorithm>
#include <cstdlib>

#include "core/random.h"

namespace cdp {

namespace {

bool IsTokenChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

bool HasShape(std::string_view text, std::string_view prefix, size_t token_length) {
  if (text.size() != prefix.size() + token_length || !text.starts_with(prefix)) return false;
  const std::string_view token = text.substr(prefix.size());
  return std::all_of(token.begin(), token.end(), IsTokenChar);
}

}  // namespace

std::string NewWriteKey() {
  return std::string(kWriteKeyPrefix) + SecureRandomToken(kWriteKeyTokenLength);
}

std::string NewSecretKey() {
  return std::string(kSecretKeyPrefix) + SecureRandomToken(kSecretKeyTokenLength);
}

std::string NewSessionToken() {
  return std::string(kSessionTokenPrefix) + SecureRandomToken(kSessionTokenLength);
}

std::string HashToken(std::string_view token) {
  InitSodiumOnce();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));  // lower-case
  return std::string(hex, crypto_hash_sha256_BYTES * 2);
}

bool LooksLikeWriteKey(std::string_view text) {
  return HasShape(text, kWriteKeyPrefix, kWriteKeyTokenLength);
}

bool LooksLikeSecretKey(std::string_view text) {
  return HasShape(text, kSecretKeyPrefix, kSecretKeyTokenLength);
}

bool LooksLikeSessionToken(std::string_view text) {
  return HasShape(text, kSessionTokenPrefix, kSessionTokenLength);
}

std::string KeyDisplayPrefix(std::string_view key) {
  return std::string(key.substr(0, kKeyDisplayPrefixLength));
}

std::string MaskedKey(std::string_view display_prefix) {
  // U+2026 HORIZONTAL ELLIPSIS, in UTF-8.
  return std::string(display_prefix) + "\xE2\x80\xA6";
}

}  // namespace cdp
