#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

// Passwords: how they are checked, hashed (argon2id, libsodium's
// crypto_pwhash_str) and made up for one-time use.
namespace cdp {

// Bounds of a password, in bytes. The upper bound keeps hashing cheap to
// refuse (argon2 reads all of it) and is far above any passphrase.
inline constexpr size_t kMinPasswordBytes = 10;
inline constexpr size_t kMaxPasswordBytes = 256;

// argon2id's cost. kInteractive is libsodium's OPSLIMIT/MEMLIMIT_INTERACTIVE
// (2 passes, 64 MiB: about 50-100 ms here), the default; kModerate is
// libsodium's MODERATE (256 MiB, several hundred ms).
enum class PasswordCost { kInteractive, kModerate };

// Ok when `password` may be chosen: kMinPasswordBytes to kMaxPasswordBytes,
// valid UTF-8, not all the same character, and not the email (case-
// insensitively). Otherwise BadRequest with `field` naming it.
Status ValidateNewPassword(std::string_view password, std::string_view email,
                           std::string_view field);

// libsodium's encoded argon2id string for `password` with a random salt.
// Internal when libsodium fails (out of memory).
Result<std::string> HashPassword(std::string_view password, PasswordCost cost);

// Whether `password` matches `hash` (an encoded argon2id string). False for a
// malformed hash; the time taken does not depend on where they differ.
bool VerifyPassword(std::string_view password, std::string_view hash);

// Burns about as much time as a VerifyPassword against a real hash of that
// cost, for logins naming an unknown email: the answer's timing must not tell
// which emails have accounts. The dummy hash is made once per cost, on first
// use.
void VerifyAgainstDummyHash(std::string_view password,
                            PasswordCost cost = PasswordCost::kInteractive);

// A random one-time password of 20 characters from an alphabet without
// look-alikes (no 0/O, 1/l/I), about 112 bits: printed to a person, who must
// change it at the first login.
std::string NewOneTimePassword();

// `email` trimmed of spaces and lower-cased. BadRequest (field `field`) unless
// the result looks like an address: one '@' with a non-empty local part and
// domain, no spaces or control characters, at most kMaxEmailBytes.
Result<std::string> NormalizeEmail(std::string_view email, std::string_view field);

}  // namespace cdp
