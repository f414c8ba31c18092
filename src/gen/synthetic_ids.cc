#include "gen/synthetic_ids.h"

#include <cassert>
#include <cstring>

#include "gen/split_mix64.h"

namespace cdp::gen {

namespace {

constexpr uint64_t kHalfMask = (uint64_t{1} << 61) - 1;
constexpr char kHex[] = "0123456789abcdef";

void WriteHex(uint64_t value, int digits, char* out) {
  for (int i = digits - 1; i >= 0; --i) {
    out[i] = kHex[value & 15];
    value >>= 4;
  }
}

void DeriveKeys(uint64_t seed, uint64_t purpose, uint64_t keys[4]) {
  SplitMix64 rng(Mix64(seed) ^ Mix64(purpose));
  for (int i = 0; i < 4; ++i) keys[i] = rng.Next();
}

}  // namespace

SyntheticIds::SyntheticIds(uint64_t seed) {
  DeriveKeys(seed, 1, message_keys_);
  DeriveKeys(seed, 2, anonymous_keys_);
  uint64_t other[4];
  DeriveKeys(seed, 3, other);
  user_key_ = other[0];
  order_key_ = other[1];
  project_key_ = other[2];
}

void SyntheticIds::Uuid(const uint64_t keys[4], uint64_t a, uint64_t b, char* out) const {
  assert(a <= kHalfMask && b <= kHalfMask);
  // Feistel rounds: (l, r) -> (r, l ^ F(r)) is a bijection whatever F is.
  uint64_t l = a;
  uint64_t r = b;
  for (int round = 0; round < 4; ++round) {
    const uint64_t f = Mix64(r ^ keys[round]) & kHalfMask;
    const uint64_t next_r = l ^ f;
    l = r;
    r = next_r;
  }
  // 122 bits around the version (4) and variant (10) bits:
  // hi = 48 bits of l | version | 12 bits of l; lo = variant | 1 bit of l | r.
  const uint64_t l60 = l >> 1;
  const uint64_t hi = ((l60 >> 12) << 16) | 0x4000 | (l60 & 0xFFF);
  const uint64_t lo = (uint64_t{2} << 62) | ((l & 1) << 61) | r;
  WriteHex(hi >> 32, 8, out);
  out[8] = '-';
  WriteHex(hi >> 16, 4, out + 9);
  out[13] = '-';
  WriteHex(hi, 4, out + 14);
  out[18] = '-';
  WriteHex(lo >> 48, 4, out + 19);
  out[23] = '-';
  WriteHex(lo, 12, out + 24);
}

void SyntheticIds::Prefixed(const char prefix[4], uint64_t key, uint64_t value, char* out) const {
  std::memcpy(out, prefix, 4);
  // Mix64 is a bijection, and so is xor with a key: distinct values, distinct ids.
  WriteHex(Mix64(value ^ key), 16, out + 4);
}

void SyntheticIds::MessageId(uint64_t person, uint64_t seq, char* out) const {
  Uuid(message_keys_, person, seq, out);
}

void SyntheticIds::AnonymousId(uint64_t person, uint64_t device, char* out) const {
  Uuid(anonymous_keys_, person, device, out);
}

void SyntheticIds::UserId(uint64_t person, char* out) const {
  Prefixed("usr_", user_key_, person, out);
}

void SyntheticIds::OrderId(uint64_t person, uint64_t number, char* out) const {
  assert(number < (1 << 16) && person < (uint64_t{1} << 48));
  Prefixed("ord_", order_key_, (person << 16) | number, out);
}

void SyntheticIds::ProjectId(uint64_t person, uint64_t number, char* out) const {
  assert(number < (1 << 16) && person < (uint64_t{1} << 48));
  Prefixed("prj_", project_key_, (person << 16) | number, out);
}

}  // namespace cdp::gen
