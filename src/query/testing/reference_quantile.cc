#include "query/testing/reference_quantile.h"

#include <algorithm>
#include <cmath>

namespace cdp::query::testing {

double ReferenceQuantile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double rank = q * double(values.size() - 1);
  const size_t low = size_t(std::floor(rank));
  const size_t high = std::min(low + 1, values.size() - 1);
  return values[low] + (rank - double(low)) * (values[high] - values[low]);
}

}  // namespace cdp::query::testing
