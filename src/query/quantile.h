#pragma once

#include <algorithm>
#include <cmath>
#include <span>

namespace cdp::query {

// The q-quantile (0 <= q <= 1) of `values`, interpolating linearly between
// the closest ranks as numpy's default method does: at rank h = (n - 1) q it
// is x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]) over the
// values in ascending order. 0 when there are none.
// Reorders `values`: two selections (nth_element), no full sort.
template <typename T>
double InterpolatedQuantile(std::span<T> values, double q) {
  if (values.empty()) return 0;
  const double rank = double(values.size() - 1) * q;
  const auto low = static_cast<size_t>(std::floor(rank));
  std::nth_element(values.begin(), values.begin() + low, values.end());
  const double low_value = double(values[low]);
  const double fraction = rank - double(low);
  if (fraction == 0 || low + 1 >= values.size()) return low_value;
  // Everything after position `low` is now at least values[low]: the next
  // rank is the smallest of them.
  const double high_value = double(*std::min_element(values.begin() + low + 1, values.end()));
  return low_value + fraction * (high_value - low_value);
}

}  // namespace cdp::query
