#pragma once

#include <vector>

namespace cdp::query::testing {

// The q-quantile of `values` straight from the definition the analyses use
// (numpy's default): sort, then interpolate linearly at rank (n - 1) q.
// 0 when there are none. The reference the engines' quantiles are tested
// against.
double ReferenceQuantile(std::vector<double> values, double q);

}  // namespace cdp::query::testing
