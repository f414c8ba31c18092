#pragma once

// The two queries every engine runs, their results in one text form (so the
// script can compare engines with diff), and how long loads and queries took.

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "core/result.h"

namespace cdp::bench {

// (a) SELECT event, count() WHERE workspace_id = W GROUP BY event
// (b) SELECT count(), sum(sum_column) WHERE workspace_id = W AND event = E
//       AND filter_column = V AND timestamp >= from AND timestamp < to
struct BenchQueries {
  std::string workspace_id;
  std::string event;          // "Feature Used"
  std::string filter_column;  // "properties.feature"
  std::string filter_value;   // "retention"
  std::string sum_column;     // "properties.duration_seconds"
  int64_t from_micros = 0;    // inclusive
  int64_t to_micros = 0;      // exclusive
};

struct CountByEvent {
  std::map<std::string, uint64_t> counts;  // by event name; "" for identify
};
struct FilteredSum {
  uint64_t count = 0;
  double sum = 0;  // of the non-null values; 0 when none
};

// "a\t<event>\t<count>" lines in byte order of the names, then
// "b\t<count>\t<sum with 6 decimals>".
std::string FormatResults(const CountByEvent& a, const FilteredSum& b);

// What loading took: only the engine's own work, not reading the NDJSON.
struct LoadReport {
  uint64_t events = 0;
  double seconds = 0;  // wall, of the engine's calls only
  // CPU of the whole process (every thread, background ones included) while
  // loading, minus what reading and parsing the NDJSON took.
  double cpu_seconds = 0;
};

// Measures a load: the loading thread calls StartEngine() before and
// StopEngine() after each batch of the engine's calls; anything else it does
// (reading and parsing) is not counted. Finish() fills the report.
class LoadClock {
 public:
  LoadClock();
  void StartEngine();
  void StopEngine();  // REQUIRES: after StartEngine
  LoadReport Finish(uint64_t events) const;

 private:
  double process_cpu_start_;
  double thread_cpu_mark_ = 0;
  double parse_cpu_ = 0;
  double engine_seconds_ = 0;
  double wall_mark_ = 0;
};

// The best of `runs` runs of a query, and what all of them took together.
struct QueryTiming {
  int runs = 0;
  double best_seconds = 0;
  double total_seconds = 0;      // wall
  double total_cpu_seconds = 0;  // user + system of this process (every thread)
};

// Runs `query` `runs` times (REQUIRES: runs >= 1); the first error stops it.
Result<QueryTiming> TimeRuns(int runs, const std::function<Status()>& query);

// "<name> <runs> <best_seconds> <total_seconds> <total_cpu_seconds>", the
// line the script reads.
std::string FormatTiming(std::string_view name, const QueryTiming& timing);

}  // namespace cdp::bench
