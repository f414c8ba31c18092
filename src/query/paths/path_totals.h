#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/json_writer.h"
#include "query/paths/key_counter.h"
#include "query/paths/paths_request.h"
#include "query/session/person_steps.h"
#include "query/session/step_names.h"

namespace cdp::query {

// How paths are cut from sessions (from PathsRequest).
struct PathShape {
  PathDirection direction = PathDirection::kNext;
  bool anchored = false;  // steps marked Step::anchor start (end) paths
  int steps = 5;
  int64_t timeout_micros = 0;
  bool collapse_repeats = false;
};

// The paths of some persons' sessions: one per thread of the walk over
// persons (no locks), merged at the end, then written as the result of
// POST /query/paths. Per step, the sessions of each transition and of each
// drop-off, keyed by step name codes.
class PathTotals {
 public:
  explicit PathTotals(const PathShape& shape);

  // Adds the path of each session of one person's steps (in order).
  void AddPerson(std::span<const Step> steps);
  void Merge(const PathTotals& other);

  // Writes the result object (format in paths_query.h), keeping per step the
  // `limit` transitions and drop-offs with the most sessions; returns how
  // many it wrote.
  uint64_t Write(JsonWriter& out, const StepDictionary& names, size_t limit) const;

 private:
  void AddSession(std::span<const Step> session);

  PathShape shape_;
  uint64_t start_count_ = 0;
  // [i]: the (i + 1)-th transition from the anchor, keyed by
  // earlier name << 32 | later name.
  std::vector<KeyCounter> transitions_;
  // [i]: paths that ended at the step i transitions from the anchor, keyed
  // by that step's name.
  std::vector<KeyCounter> dropoffs_;
};

}  // namespace cdp::query
