#include "core/random.h"

#include <sodium.h>

#include <cstdlib>
#include <random>

namespace cdp {

namespace {

// xoshiro256** by Blackman and Vigna: small state, passes BigCrush.
class Xoshiro256 {
 public:
  Xoshiro256() {
    std::random_device device;
    for (auto& word : state_) word = (uint64_t{device()} << 32) | device();
  }
  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t state_[4];
};

}  // namespace

void InitSodiumOnce() {
  static const bool initialized = [] {
    if (sodium_init() < 0) std::abort();  // no entropy source: nothing safe to do
    return true;
  }();
  (void)initialized;
}

uint64_t FastRandom64() {
  thread_local Xoshiro256 generator;
  return generator.Next();
}

std::string SecureRandomToken(size_t length) {
  static constexpr char kAlphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  InitSodiumOnce();
  std::string out(length, '\0');
  for (auto& c : out) c = kAlphabet[randombytes_uniform(62)];  // unbiased
  return out;
}

}  // namespace cdp
