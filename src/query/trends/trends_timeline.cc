#include "query/trends/trends_timeline.h"

#include <algorithm>
#include <cassert>

namespace cdp::query {

namespace {

constexpr int kWindowDays[2] = {7, 30};

// The end of bucket b of a period: the next bucket's start, or `to`.
int64_t BucketEnd(const TrendsPeriod& period, size_t bucket) {
  return bucket + 1 < period.buckets.size() ? period.buckets.start_micros(bucket + 1)
                                            : UnixMicros(period.to);
}

}  // namespace

TrendsTimeline::TrendsTimeline(const TrendsRequest& request) {
  bool windows[2] = {false, false};
  for (const TrendsSeries& series : request.series) {
    const int days = WindowDaysOf(series.math);
    if (days != 0) windows[days == 7 ? 0 : 1] = true;
  }
  for (const TrendsPeriod& period : request.periods) {
    bounds_.push_back(UnixMicros(period.from));
    bounds_.push_back(UnixMicros(period.to));
    for (size_t bucket = 0; bucket < period.buckets.size(); ++bucket) {
      if (bucket > 0) bounds_.push_back(period.buckets.start_micros(bucket));
      for (int w = 0; w < 2; ++w) {
        if (!windows[w]) continue;
        const TimePoint end = FromUnixMicros(BucketEnd(period, bucket));
        bounds_.push_back(UnixMicros(WindowStart(request.time_zone, end, kWindowDays[w])));
      }
    }
  }
  std::sort(bounds_.begin(), bounds_.end());
  bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());

  while ((size_t(1) << slice_bits_) < slices()) ++slice_bits_;

  // Cells: about four per slice, at least 4096 (so that short slices rarely
  // share a cell) and at most 65536 (a table that stays in cache).
  const uint64_t span = uint64_t(bounds_.back() - bounds_.front());
  const uint64_t cells = std::clamp<uint64_t>(4 * slices(), 4096, 65536);
  while ((span >> shift_) >= cells) ++shift_;
  table_.resize(((span - 1) >> shift_) + 1);
  uint32_t slice = 0;
  for (size_t cell = 0; cell < table_.size(); ++cell) {
    const int64_t start = bounds_.front() + int64_t(uint64_t(cell) << shift_);
    while (bounds_[slice + 1] <= start) ++slice;
    table_[cell] = slice;
  }

  for (const TrendsPeriod& request_period : request.periods) {
    Period& period = periods_.emplace_back();
    period.range = {SliceStartingAt(UnixMicros(request_period.from)),
                    SliceStartingAt(UnixMicros(request_period.to))};
    period.bucket_of.assign(slices(), -1);
    for (size_t bucket = 0; bucket < request_period.buckets.size(); ++bucket) {
      const int64_t start =
          std::max(request_period.buckets.start_micros(bucket), UnixMicros(request_period.from));
      const Range range{SliceStartingAt(start), SliceStartingAt(BucketEnd(request_period, bucket))};
      for (uint32_t s = range.first; s < range.last; ++s) period.bucket_of[s] = int32_t(bucket);
      period.buckets.push_back(range);
    }
    for (int w = 0; w < 2; ++w) {
      if (!windows[w]) continue;
      // Window b is slices [starts[b], ends[b]); both ascend with b, so the
      // windows holding one slice are a run of consecutive buckets.
      std::vector<uint32_t> starts;
      std::vector<uint32_t> ends;
      for (size_t bucket = 0; bucket < request_period.buckets.size(); ++bucket) {
        const int64_t end = BucketEnd(request_period, bucket);
        starts.push_back(SliceStartingAt(
            UnixMicros(WindowStart(request.time_zone, FromUnixMicros(end), kWindowDays[w]))));
        ends.push_back(SliceStartingAt(end));
      }
      auto& per_slice = period.window_buckets[w];
      per_slice.resize(slices());
      for (uint32_t s = 0; s < slices(); ++s) {
        const auto first = std::upper_bound(ends.begin(), ends.end(), s) - ends.begin();
        const auto last = std::upper_bound(starts.begin(), starts.end(), s) - starts.begin();
        per_slice[s] = {uint32_t(first), uint32_t(std::max(first, last))};
      }
    }
  }
}

uint32_t TrendsTimeline::SliceStartingAt(int64_t micros) const {
  const auto found = std::lower_bound(bounds_.begin(), bounds_.end(), micros);
  assert(found != bounds_.end() && *found == micros);
  return uint32_t(found - bounds_.begin());
}

}  // namespace cdp::query
