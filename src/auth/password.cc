#include "auth/password.h"

#include <fmt/format.h>
#include <sodium.h>

#include <cstdlib>
#include <mutex>
#include <optional>

#include "core/random.h"
#include "meta/account_store.h"

namespace cdp {

namespace {

// No 0/O/o, 1/l/I: 56 characters, 20 of which carry about 116 bits.
constexpr std::string_view kOneTimeAlphabet =
    "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz";
constexpr size_t kOneTimePasswordLength = 20;

struct CostLimits {
  unsigned long long opslimit;
  size_t memlimit;
};

CostLimits LimitsOf(PasswordCost cost) {
  if (cost == PasswordCost::kModerate) {
    return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
  }
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

// The code points of `text` if it is valid UTF-8 (shortest forms, no
// surrogates, at most U+10FFFF); nullopt otherwise.
std::optional<std::u32string> DecodeUtf8(std::string_view text) {
  std::u32string code_points;
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    char32_t code_point = 0;
    char32_t min = 0;
    if (lead < 0x80) {
      length = 1;
      code_point = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2;
      code_point = lead & 0x1F;
      min = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      code_point = lead & 0x0F;
      min = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      code_point = lead & 0x07;
      min = 0x10000;
    } else {
      return std::nullopt;
    }
    if (i + length > text.size()) return std::nullopt;
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return std::nullopt;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    if (code_point < min || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return std::nullopt;
    }
    code_points.push_back(code_point);
    i += length;
  }
  return code_points;
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

// A hash of a random password, made on first use per cost (several hundred
// ms and 256 MiB for kModerate: only servers configured so pay it).
std::string DummyHash(PasswordCost cost) {
  static std::mutex mutex;
  static std::string hashes[2];
  const size_t index = cost == PasswordCost::kModerate ? 1 : 0;
  std::lock_guard lock(mutex);
  if (hashes[index].empty()) {
    // A failure (out of memory) leaves it empty: tried again next time.
    Result<std::string> hash = HashPassword(NewOneTimePassword(), cost);
    if (hash.ok()) hashes[index] = std::move(hash).value();
  }
  return hashes[index];
}

}  // namespace

Status ValidateNewPassword(std::string_view password, std::string_view email,
                           std::string_view field) {
  // Messages describe the rule, never the password.
  const std::string name(field);
  if (password.size() < kMinPasswordBytes || password.size() > kMaxPasswordBytes) {
    return Status::BadRequest(
        fmt::format("{} must be {} to {} bytes long", name, kMinPasswordBytes, kMaxPasswordBytes),
        name);
  }
  const std::optional<std::u32string> code_points = DecodeUtf8(password);
  if (!code_points) return Status::BadRequest(name + " must be valid UTF-8", name);
  if (code_points->find_first_not_of(code_points->front()) == std::u32string::npos) {
    return Status::BadRequest(name + " must not repeat a single character", name);
  }
  if (!email.empty() && EqualsIgnoringAsciiCase(password, email)) {
    return Status::BadRequest(name + " must not be the email address", name);
  }
  return Status::Ok();
}

Result<std::string> HashPassword(std::string_view password, PasswordCost cost) {
  InitSodiumOnce();
  const CostLimits limits = LimitsOf(cost);
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), limits.opslimit, limits.memlimit) !=
      0) {
    return Status::Internal("crypto_pwhash_str failed (out of memory)");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view password, std::string_view hash) {
  InitSodiumOnce();
  // libsodium reads a NUL-terminated string of less than STRBYTES.
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES ||
      hash.find('\0') != std::string_view::npos) {
    return false;
  }
  const std::string terminated(hash);
  // Also -1 for a malformed hash or one of another algorithm.
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

void VerifyAgainstDummyHash(std::string_view password, PasswordCost cost) {
  const std::string hash = DummyHash(cost);
  [[maybe_unused]] const bool matches = VerifyPassword(password, hash);
}

std::string NewOneTimePassword() {
  InitSodiumOnce();
  std::string password(kOneTimePasswordLength, '\0');
  for (char& c : password) {
    c = kOneTimeAlphabet[randombytes_uniform(static_cast<uint32_t>(kOneTimeAlphabet.size()))];
  }
  return password;
}

Result<std::string> NormalizeEmail(std::string_view email, std::string_view field) {
  const std::string name(field);
  constexpr std::string_view kSpaces = " \t\r\n";
  const size_t first = email.find_first_not_of(kSpaces);
  if (first == std::string_view::npos) return Status::BadRequest(name + " is required", name);
  email = email.substr(first, email.find_last_not_of(kSpaces) - first + 1);

  const Status invalid = Status::BadRequest(name + " must be an email address", name);
  if (email.size() > kMaxEmailBytes) {
    return Status::BadRequest(
        fmt::format("{} must be an email address of at most {} bytes", name, kMaxEmailBytes), name);
  }
  const size_t at = email.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == email.size() ||
      email.find('@', at + 1) != std::string_view::npos) {
    return invalid;
  }
  for (const char c : email) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7F) return invalid;  // spaces and controls
  }
  const std::optional<std::u32string> code_points = DecodeUtf8(email);
  if (!code_points) return invalid;
  for (const char32_t code_point : *code_points) {
    if (code_point >= 0x80 && code_point <= 0x9F) return invalid;  // C1 controls
  }
  std::string normalized(email);
  for (char& c : normalized) c = AsciiLower(c);
  return normalized;
}

}  // namespace cdp
