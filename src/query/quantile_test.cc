#include "query/quantile.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "query/testing/reference_quantile.h"

namespace cdp::query {
namespace {

double Quantile(std::vector<int64_t> values, double q) {
  return InterpolatedQuantile(std::span(values), q);
}

TEST(InterpolatedQuantileTest, InterpolatesBetweenClosestRanksAsNumpy) {
  // numpy.quantile([1, 2, 3, 4], [0.5, 0.9]) == [2.5, 3.7]
  EXPECT_DOUBLE_EQ(Quantile({4, 1, 3, 2}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(Quantile({4, 1, 3, 2}, 0.9), 3.7);
  EXPECT_DOUBLE_EQ(Quantile({1, 10}, 0.9), 9.1);
  EXPECT_DOUBLE_EQ(Quantile({7}, 0.9), 7);
  EXPECT_DOUBLE_EQ(Quantile({5, 5, 5, 1}, 0.5), 5);
  EXPECT_DOUBLE_EQ(Quantile({3, 1, 2}, 0), 1);
  EXPECT_DOUBLE_EQ(Quantile({3, 1, 2}, 1), 3);
  EXPECT_DOUBLE_EQ(Quantile({}, 0.5), 0);
}

TEST(InterpolatedQuantileTest, MatchesSortingOnRandomValues) {
  std::mt19937_64 random(11);
  for (int round = 0; round < 300; ++round) {
    std::vector<int64_t> values(1 + random() % 60);
    for (int64_t& value : values) value = int64_t(random() % 20);
    std::vector<double> as_doubles(values.begin(), values.end());
    for (const double q : {0.0, 0.1, 0.5, 0.9, 0.99, 1.0}) {
      EXPECT_DOUBLE_EQ(Quantile(values, q), testing::ReferenceQuantile(as_doubles, q));
    }
  }
}

}  // namespace
}  // namespace cdp::query
