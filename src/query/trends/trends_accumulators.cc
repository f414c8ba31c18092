#include "query/trends/trends_accumulators.h"

#include "query/quantile.h"

namespace cdp::query {

std::optional<double> Quantile(std::span<double> values, double q) {
  if (values.empty()) return std::nullopt;
  return InterpolatedQuantile(values, q);
}

GroupedValues::GroupedValues(size_t key_count, std::span<const std::pair<uint32_t, double>> entries)
    : offsets_(key_count + 1, 0), values_(entries.size()) {
  for (const auto& [key, value] : entries) ++offsets_[key + 1];
  for (size_t key = 0; key < key_count; ++key) offsets_[key + 1] += offsets_[key];
  std::vector<size_t> next(offsets_.begin(), offsets_.end() - 1);
  for (const auto& [key, value] : entries) values_[next[key]++] = value;
}

}  // namespace cdp::query
