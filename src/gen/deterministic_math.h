#pragma once

// log and exp from IEEE-754 additions, multiplications and divisions only,
// so that they give the same bits on every machine: the C library's versions
// may differ in the last bit between implementations (and glibc picks an FMA
// variant at run time), which could change a generated event. Accurate to a
// few ulp, far more than a random model needs. (cdp builds in ISO C++ mode,
// so the compiler does not contract a * b + c into an FMA.)

#include <cmath>

namespace cdp::gen {

inline constexpr double kLn2 = 0.6931471805599453;

// Natural logarithm. REQUIRES: x > 0 and finite.
inline double DeterministicLog(double x) {
  int exponent = 0;
  double m = std::frexp(x, &exponent);  // exact: x = m * 2^exponent, m in [0.5, 1)
  if (m < 0.7071067811865476) {
    m *= 2;  // exact
    --exponent;
  }
  // log(m) = 2 atanh(s) with s = (m - 1) / (m + 1), |s| < 0.172.
  const double s = (m - 1) / (m + 1);
  const double s2 = s * s;
  double series = 1.0 / 17;
  for (int k = 15; k >= 1; k -= 2) series = 1.0 / k + s2 * series;
  return exponent * kLn2 + 2 * s * series;
}

// e^x. REQUIRES: |x| < 700.
inline double DeterministicExp(double x) {
  // ln 2 in two parts (fdlibm's): k * kLn2High is exact for |k| < 2^20.
  constexpr double kLn2High = 6.93147180369123816490e-01;
  constexpr double kLn2Low = 1.90821492927058770002e-10;
  const double k = std::nearbyint(x / kLn2);          // exact rounding, the same everywhere
  const double r = (x - k * kLn2High) - k * kLn2Low;  // |r| <= 0.35
  double sum = 1;
  double term = 1;
  for (int n = 1; n <= 16; ++n) {
    term = term * r / n;
    sum += term;
  }
  return std::ldexp(sum, static_cast<int>(k));  // exact
}

// x^y for x > 0.
inline double DeterministicPow(double x, double y) {
  return DeterministicExp(y * DeterministicLog(x));
}

}  // namespace cdp::gen
