#pragma once

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace cdp::query {

// How analyses group time: by calendar hour, day, week (Monday to Sunday, as
// ISO 8601) or month in the request's time zone.
enum class Interval { kHour, kDay, kWeek, kMonth };

std::string_view IntervalName(Interval interval);  // "hour", "day", "week", "month"

// An IANA time zone ("Europe/Paris", "UTC"), read from the system's tzdata.
class TimeZone {
 public:
  // BadRequest (field `field`) when the name is unknown.
  static Result<TimeZone> Load(std::string_view name, std::string field);
  static TimeZone Utc();

  const std::string& name() const { return name_; }
  const cctz::time_zone& zone() const { return zone_; }
  // The wall-clock time at `t`, to the second.
  cctz::civil_second Civil(TimePoint t) const;
  // The first instant whose wall-clock time is `civil` or later: `civil`
  // itself, the earlier of two when the clocks went back, the end of the gap
  // when they went forward over it.
  TimePoint Instant(const cctz::civil_second& civil) const;
  // "2026-03-29T03:00:00+02:00": `t` on the wall clock with its UTC offset.
  std::string Format(TimePoint t) const;

 private:
  TimeZone(std::string name, cctz::time_zone zone) : name_(std::move(name)), zone_(zone) {}

  std::string name_;
  cctz::time_zone zone_;
};

// The wall-clock start of the interval holding `civil` (hour, day, Monday,
// first of the month).
cctz::civil_second FloorToInterval(const cctz::civil_second& civil, Interval interval);
// The wall-clock start of the interval after the one starting at `start`.
cctz::civil_second NextInterval(const cctz::civil_second& start, Interval interval);

// The intervals that cover a half-open range [from, to) on the wall clock of
// a time zone, as consecutive instants: bucket i holds [start(i),
// start(i + 1)) (the last one ends at `to`). The first starts at or before
// `from` (the interval holding it). A wall-clock hour that does not exist
// (clocks went forward over it) is no bucket; an hour that happened twice is
// one bucket two hours long.
class TimeBuckets {
 public:
  static constexpr size_t kMaxBuckets = 10'000;

  // BadRequest (field `field`) when the range would need more than
  // kMaxBuckets buckets. REQUIRES: from < to.
  static Result<TimeBuckets> Make(const TimeZone& zone, Interval interval, TimePoint from,
                                  TimePoint to, std::string field);

  size_t size() const { return starts_.size(); }
  int64_t start_micros(size_t bucket) const { return starts_[bucket]; }
  TimePoint start(size_t bucket) const { return FromUnixMicros(starts_[bucket]); }
  // The bucket holding the instant; -1 before the first bucket or at or after `to`.
  int Index(int64_t micros) const;
  // The bucket's start as TimeZone::Format writes it: what responses show.
  std::string Label(size_t bucket) const;

 private:
  TimeBuckets(const TimeZone& zone, std::vector<int64_t> starts, int64_t end)
      : zone_(zone), starts_(std::move(starts)), end_(end) {}

  TimeZone zone_;
  std::vector<int64_t> starts_;  // ascending, microseconds since the epoch
  int64_t end_ = 0;              // `to`
};

}  // namespace cdp::query
