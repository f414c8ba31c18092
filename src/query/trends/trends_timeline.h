#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "query/trends/trends_request.h"

namespace cdp::query {

// The time axis of a trends query cut into slices: the intervals between
// every instant where some bucket, period or rolling window starts or ends.
// Each bucket of each period, each period and each wau / mau window is then
// a contiguous range of slices, so the engine accumulates per slice and sums
// slices into buckets at the end: one scan serves the range, the previous
// period and the windows reaching back before them.
//
// SliceOf costs a table lookup and usually no loop iteration: the table maps
// fixed-width cells of the axis to the slice their start is in, and cells are
// narrower than most slices.
//
// Immutable after Make; safe to share between scan threads.
class TrendsTimeline {
 public:
  // Slices [first, last).
  struct Range {
    uint32_t first = 0;
    uint32_t last = 0;
  };

  explicit TrendsTimeline(const TrendsRequest& request);

  size_t slices() const { return bounds_.size() - 1; }
  // Accumulator cells are (group << slice_bits()) | slice: shifts and masks
  // instead of divisions, at the price of unused cells up to a power of two.
  int slice_bits() const { return slice_bits_; }
  uint32_t slice_mask() const { return (uint32_t(1) << slice_bits_) - 1; }
  size_t cells_per_group() const { return size_t(1) << slice_bits_; }
  // The axis [begin, end): from the earliest window start (or period start)
  // to the request's `to`.
  int64_t begin_micros() const { return bounds_.front(); }
  int64_t end_micros() const { return bounds_.back(); }
  // The slice holding `micros`; -1 outside [begin, end).
  int SliceOf(int64_t micros) const {
    if (micros < bounds_.front() || micros >= bounds_.back()) return -1;
    uint32_t slice = table_[uint64_t(micros - bounds_.front()) >> shift_];
    while (bounds_[slice + 1] <= micros) ++slice;
    return static_cast<int>(slice);
  }

  size_t periods() const { return periods_.size(); }
  // The period's [from, to), and its buckets clipped to it.
  Range period(size_t p) const { return periods_[p].range; }
  const std::vector<Range>& buckets(size_t p) const { return periods_[p].buckets; }
  // The bucket of `period` a slice belongs to; -1 when outside the period.
  int BucketOf(size_t p, size_t slice) const { return periods_[p].bucket_of[slice]; }
  // The buckets of period `p` whose window of `days` (7 or 30) holds the
  // slice: [first, last), possibly empty. REQUIRES: the request has a math
  // with that window.
  Range WindowBucketsOf(size_t p, int days, size_t slice) const {
    return periods_[p].window_buckets[days == 7 ? 0 : 1][slice];
  }

 private:
  struct Period {
    Range range;
    std::vector<Range> buckets;
    std::vector<int32_t> bucket_of;        // per slice
    std::vector<Range> window_buckets[2];  // 7 and 30 days: per slice
  };

  uint32_t SliceStartingAt(int64_t micros) const;

  std::vector<int64_t> bounds_;  // ascending; slice s is [bounds_[s], bounds_[s + 1])
  std::vector<uint32_t> table_;  // per cell of 2^shift_ microseconds from begin
  int shift_ = 0;
  int slice_bits_ = 0;
  std::vector<Period> periods_;
};

}  // namespace cdp::query
