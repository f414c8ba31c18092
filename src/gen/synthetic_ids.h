#pragma once

#include <cstdint>

namespace cdp::gen {

// Deterministic ids for generated data. Each is an injective function of
// (seed, inputs): distinct inputs never give the same id, so uniqueness holds
// by construction, not by chance, while the ids still look random.
class SyntheticIds {
 public:
  explicit SyntheticIds(uint64_t seed);

  // A UUID-shaped id (RFC 9562 version 4 layout, 36 characters, lower-case
  // hex) that is a keyed 122-bit permutation of (a, b): a 4-round Feistel
  // network over two 61-bit halves. REQUIRES: a, b < 2^61.
  // `out` receives exactly 36 characters (no terminator).
  void MessageId(uint64_t person, uint64_t seq, char* out) const;
  void AnonymousId(uint64_t person, uint64_t device, char* out) const;
  // "usr_" + 16 hex digits: 20 characters.
  void UserId(uint64_t person, char* out) const;
  // "ord_" / "prj_" + 16 hex digits: 20 characters. REQUIRES: number < 2^16,
  // person < 2^48.
  void OrderId(uint64_t person, uint64_t number, char* out) const;
  void ProjectId(uint64_t person, uint64_t number, char* out) const;

  static constexpr int kUuidChars = 36;
  static constexpr int kPrefixedChars = 20;

 private:
  void Uuid(const uint64_t keys[4], uint64_t a, uint64_t b, char* out) const;
  void Prefixed(const char prefix[4], uint64_t key, uint64_t value, char* out) const;

  uint64_t message_keys_[4];
  uint64_t anonymous_keys_[4];
  uint64_t user_key_;
  uint64_t order_key_;
  uint64_t project_key_;
};

}  // namespace cdp::gen
