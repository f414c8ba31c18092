#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/json_writer.h"
#include "query/session/person_steps.h"
#include "query/session/step_names.h"
#include "query/time_buckets.h"

namespace cdp::query {

// The bins of the result's histograms, each [edge, next edge), the last one
// open: durations in seconds (the first bin holds the one-event sessions),
// events per session. Fixed, so that charts of two ranges compare.
inline constexpr std::array<int64_t, 10> kSessionDurationEdgesSeconds = {
    0, 1, 10, 30, 60, 180, 600, 1800, 3600, 10800};
inline constexpr std::array<int64_t, 10> kSessionEventCountEdges = {1, 2,  3,  4,  5,
                                                                    6, 11, 21, 51, 101};

// What the sessions of some persons add up to: one per thread of the walk
// over persons (no locks), merged at the end, then written as the result of
// POST /query/session. Keeps every session's duration and event count, so
// that medians and p90s are exact.
class SessionTotals {
 public:
  SessionTotals(size_t names, size_t buckets);

  // Adds the sessions of one person's steps (in order). A session belongs to
  // the bucket of its first event.
  void AddPerson(std::span<const Step> steps, int64_t timeout_micros, const TimeBuckets& buckets);
  // Adds `other`'s totals to these; `other` is left spent.
  void Merge(SessionTotals& other);

  // Writes the result object (format in session_query.h); returns how many
  // rows it holds (buckets, entry and exit events). Reorders the kept
  // durations and counts.
  uint64_t Write(JsonWriter& out, const StepDictionary& names, const TimeBuckets& buckets,
                 size_t entry_exit_limit);

 private:
  uint64_t sessions_ = 0;
  uint64_t persons_ = 0;
  uint64_t events_ = 0;
  double duration_micros_ = 0;
  std::vector<int64_t> durations_;      // micros, one per session
  std::vector<uint32_t> event_counts_;  // one per session
  std::array<uint64_t, kSessionDurationEdgesSeconds.size()> duration_bins_{};
  std::array<uint64_t, kSessionEventCountEdges.size()> event_count_bins_{};
  std::vector<uint64_t> entries_;  // sessions by the name of their first event
  std::vector<uint64_t> exits_;    // and of their last
  std::vector<uint64_t> bucket_sessions_;
  std::vector<uint64_t> bucket_persons_;
  std::vector<double> bucket_duration_micros_;
};

}  // namespace cdp::query
