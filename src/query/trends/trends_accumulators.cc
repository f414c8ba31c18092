#include "query/trends/trends_accumulators.h"

#include <cmath>

namespace cdp::query {

std::optional<double> Quantile(std::span<double> values, double q) {
  if (values.empty()) return std::nullopt;
  const double position = q * double(values.size() - 1);
  const size_t below = size_t(std::floor(position));
  std::nth_element(values.begin(), values.begin() + below, values.end());
  const double low = values[below];
  if (below + 1 >= values.size()) return low;
  // After nth_element everything past `below` is >= it: the next rank is
  // their minimum.
  const double high = *std::min_element(values.begin() + below + 1, values.end());
  return low + (position - double(below)) * (high - low);
}

GroupedValues::GroupedValues(size_t key_count, std::span<const std::pair<uint32_t, double>> entries)
    : offsets_(key_count + 1, 0), values_(entries.size()) {
  for (const auto& [key, value] : entries) ++offsets_[key + 1];
  for (size_t key = 0; key < key_count; ++key) offsets_[key + 1] += offsets_[key];
  std::vector<size_t> next(offsets_.begin(), offsets_.end() - 1);
  for (const auto& [key, value] : entries) values_[next[key]++] = value;
}

}  // namespace cdp::query
