#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "query/trends/trends_accumulators.h"
#include "query/trends/trends_timeline.h"

namespace cdp::query {

// What the person maths (unique_persons, dau, wau, mau, count_per_person_*)
// of one scan read, per period, breakdown group and bucket, and per period
// and group over the whole period.
struct PersonCounts {
  // Which of the optional parts to compute.
  struct Needs {
    bool count_lists = false;          // count_per_person_median / _p90
    bool windows[2] = {false, false};  // wau (7 days), mau (30 days)
  };

  PersonCounts(const TrendsTimeline& timeline, size_t groups, Needs needs);

  size_t BucketIndex(size_t period, size_t group, size_t bucket) const {
    return bucket_base_[period] + group * bucket_counts_[period] + bucket;
  }
  size_t TotalIndex(size_t period, size_t group) const { return period * groups_ + group; }
  size_t bucket_indices() const { return bucket_base_.back(); }
  size_t total_indices() const { return bucket_counts_.size() * groups_; }

  Needs needs;
  std::vector<uint64_t> persons;        // per bucket index: distinct persons
  std::vector<uint64_t> events;         // per bucket index: their events
  std::vector<uint64_t> total_persons;  // per total index
  std::vector<uint64_t> total_events;
  std::vector<uint64_t> window_persons[2];  // per bucket index: distinct persons of the window
  // Events per person, grouped by bucket index and by total index.
  GroupedValues per_person_events;
  GroupedValues total_per_person_events;

 private:
  friend class PersonCounter;
  size_t groups_;
  std::vector<size_t> bucket_counts_;  // per period
  std::vector<size_t> bucket_base_;    // per period, and the end
};

// Counts persons from the records scan workers kept: records[worker][p] holds
// the records of persons whose key's top bits are p (so each partition is
// walked by one thread on its own), with cells (local group x slice) in the
// worker's own group numbering; `final_group[worker][local]` maps it to the
// answer's group, or kDroppedGroup for rows no group shows.
inline constexpr uint32_t kDroppedGroup = UINT32_MAX;

PersonCounts CountPersons(int parallelism, const TrendsTimeline& timeline, size_t groups,
                          PersonCounts::Needs needs,
                          std::vector<std::vector<std::vector<PersonRecord>>>& records,
                          const std::vector<std::vector<uint32_t>>& final_group);

}  // namespace cdp::query
