#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "query/person_key.h"

namespace cdp::query {

// The running state of sum / avg / min / max over one cell's values.
struct Moments {
  uint64_t count = 0;
  double sum = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();

  void Add(double value) {
    ++count;
    sum += value;
    min = std::min(min, value);
    max = std::max(max, value);
  }
  void Merge(const Moments& other) {
    count += other.count;
    sum += other.sum;
    min = std::min(min, other.min);
    max = std::max(max, other.max);
  }
};

// One person's events in one cell (breakdown group x time slice), as scan
// workers record them: consecutive rows of one person in one cell (the store
// keeps a person's rows together) become one record with a count.
struct PersonRecord {
  PersonKey person = 0;
  uint32_t cell = 0;
  uint32_t count = 0;
};

// The quantile q of `values` by linear interpolation between closest ranks
// (numpy's default); reorders `values`. nullopt when empty. O(n): two
// selections, no sort.
std::optional<double> Quantile(std::span<double> values, double q);

// Values grouped by a dense key (a cell, a bucket), built with a counting
// sort so that the values of a run of consecutive keys are one contiguous
// span: a bucket's values are its slices' cells side by side.
class GroupedValues {
 public:
  GroupedValues() = default;
  // `entries` are (key, value) with key < key_count.
  GroupedValues(size_t key_count, std::span<const std::pair<uint32_t, double>> entries);
  // The values of keys [first, last).
  std::span<double> Of(size_t first, size_t last) {
    return std::span<double>(values_).subspan(offsets_[first], offsets_[last] - offsets_[first]);
  }

 private:
  std::vector<size_t> offsets_;  // key_count + 1
  std::vector<double> values_;
};

}  // namespace cdp::query
