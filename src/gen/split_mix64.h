#pragma once

#include <cmath>
#include <cstdint>

#include "gen/deterministic_math.h"

namespace cdp::gen {

// SplitMix64's output function: a bijection on 64-bit values that mixes every
// input bit into every output bit. Used to derive seeds and ids.
constexpr uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

inline constexpr uint64_t kGoldenGamma = 0x9E3779B97F4A7C15ULL;

// Steele, Lea and Flood's SplitMix64: 8 bytes of state, passes BigCrush, a
// few cycles per draw. Each synthetic person owns one, so a person's story
// depends only on the seed and the person's index. Not thread-safe.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t state = 0) : state_(state) {}

  uint64_t Next() {
    state_ += kGoldenGamma;
    return Mix64(state_);
  }
  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [lo, hi]. REQUIRES: lo <= hi.
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  // Uniform in [0, n). REQUIRES: n > 0. (Lemire's multiply-shift; the bias
  // for the small n used here is below 2^-40.)
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
  bool Chance(double p) { return Uniform() < p; }
  // Exponential with the given mean.
  double Exponential(double mean) {
    return -mean * DeterministicLog(1.0 - Uniform());  // 1 - U is exact, in (0, 1]
  }
  // Standard normal (Marsaglia's polar method; the second value is dropped).
  // sqrt is correctly rounded by IEEE-754, so this is the same everywhere.
  double Normal() {
    for (;;) {
      const double u = 2 * Uniform() - 1;
      const double v = 2 * Uniform() - 1;
      const double s = u * u + v * v;
      if (s > 0 && s < 1) return u * std::sqrt(-2 * DeterministicLog(s) / s);
    }
  }
  // Log-normal: exp(N(log(median), sigma)).
  double LogNormal(double median, double sigma) {
    return median * DeterministicExp(sigma * Normal());
  }

  uint64_t state() const { return state_; }

 private:
  uint64_t state_;
};

}  // namespace cdp::gen
