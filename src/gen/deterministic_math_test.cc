#include "gen/deterministic_math.h"

#include <gtest/gtest.h>

#include <cmath>

namespace cdp::gen {
namespace {

TEST(DeterministicMathTest, LogMatchesTheLibraryToAFewUlp) {
  for (double x : {1e-300, 1e-9, 0.001, 0.1, 0.5, 0.7071, 0.99999, 1.0, 1.00001, 2.0, 3.14159, 10.0,
                   1234.5, 1e9, 1e300}) {
    EXPECT_NEAR(DeterministicLog(x), std::log(x), 4e-16 * std::max(1.0, std::fabs(std::log(x))))
        << x;
  }
  EXPECT_EQ(DeterministicLog(1.0), 0.0);
}

TEST(DeterministicMathTest, ExpMatchesTheLibraryToAFewUlp) {
  for (double x :
       {-700.0, -30.0, -1.0, -0.35, -1e-9, 0.0, 1e-9, 0.35, 0.5, 1.0, 2.5, 30.0, 700.0}) {
    EXPECT_NEAR(DeterministicExp(x) / std::exp(x), 1.0, 2e-15) << x;
  }
  EXPECT_EQ(DeterministicExp(0.0), 1.0);
  EXPECT_NEAR(DeterministicPow(12.0, 0.7), std::pow(12.0, 0.7), 1e-14);
}

}  // namespace
}  // namespace cdp::gen
