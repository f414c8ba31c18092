#include "query/time_buckets.h"

#include <fmt/format.h>

#include <algorithm>

namespace cdp::query {

namespace {

using std::chrono::seconds;

}  // namespace

std::string_view IntervalName(Interval interval) {
  switch (interval) {
    case Interval::kHour:
      return "hour";
    case Interval::kDay:
      return "day";
    case Interval::kWeek:
      return "week";
    case Interval::kMonth:
      return "month";
  }
  return "";
}

Result<TimeZone> TimeZone::Load(std::string_view name, std::string field) {
  cctz::time_zone zone;
  // load_time_zone falls back to UTC for unknown names: refuse them instead.
  if (name.empty() || !cctz::load_time_zone(std::string(name), &zone)) {
    return Status::BadRequest(
        fmt::format("unknown time zone '{}'; expected an IANA name such as Europe/Paris or UTC",
                    name),
        std::move(field));
  }
  return TimeZone(std::string(name), zone);
}

TimeZone TimeZone::Utc() { return TimeZone("UTC", cctz::utc_time_zone()); }

cctz::civil_second TimeZone::Civil(TimePoint t) const {
  return cctz::convert(std::chrono::floor<seconds>(t), zone_);
}

TimePoint TimeZone::Instant(const cctz::civil_second& civil) const {
  const cctz::time_zone::civil_lookup lookup = zone_.lookup(civil);
  const auto instant =
      lookup.kind == cctz::time_zone::civil_lookup::SKIPPED ? lookup.trans : lookup.pre;
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(instant.time_since_epoch()));
}

std::string TimeZone::Format(TimePoint t) const {
  const auto whole = std::chrono::floor<seconds>(t);
  const cctz::time_zone::absolute_lookup lookup = zone_.lookup(whole);
  const cctz::civil_second c = lookup.cs;
  const int offset_minutes = lookup.offset / 60;
  const int magnitude = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}", c.year(), c.month(),
                     c.day(), c.hour(), c.minute(), c.second(), offset_minutes < 0 ? '-' : '+',
                     magnitude / 60, magnitude % 60);
}

cctz::civil_second FloorToInterval(const cctz::civil_second& civil, Interval interval) {
  switch (interval) {
    case Interval::kHour:
      return cctz::civil_hour(civil);
    case Interval::kDay:
      return cctz::civil_day(civil);
    case Interval::kWeek: {
      const cctz::civil_day day(civil);
      return cctz::get_weekday(day) == cctz::weekday::monday
                 ? day
                 : cctz::prev_weekday(day, cctz::weekday::monday);
    }
    case Interval::kMonth:
      return cctz::civil_month(civil);
  }
  return civil;
}

cctz::civil_second NextInterval(const cctz::civil_second& start, Interval interval) {
  switch (interval) {
    case Interval::kHour:
      return cctz::civil_hour(start) + 1;
    case Interval::kDay:
      return cctz::civil_day(start) + 1;
    case Interval::kWeek:
      return cctz::civil_day(start) + 7;
    case Interval::kMonth:
      return cctz::civil_month(start) + 1;
  }
  return start;
}

Result<TimeBuckets> TimeBuckets::Make(const TimeZone& zone, Interval interval, TimePoint from,
                                      TimePoint to, std::string field) {
  std::vector<int64_t> starts;
  const int64_t end = UnixMicros(to);
  cctz::civil_second civil = FloorToInterval(zone.Civil(from), interval);
  while (true) {
    const int64_t start = UnixMicros(zone.Instant(civil));
    if (start >= end) break;
    // A skipped wall-clock hour starts where the next one does: no bucket.
    if (starts.empty() || start > starts.back()) starts.push_back(start);
    if (starts.size() > kMaxBuckets) {
      return Status::BadRequest(
          fmt::format("the range holds more than {} {}s; choose a longer interval or a shorter "
                      "range",
                      kMaxBuckets, IntervalName(interval)),
          std::move(field));
    }
    civil = NextInterval(civil, interval);
  }
  return TimeBuckets(zone, std::move(starts), end);
}

int TimeBuckets::Index(int64_t micros) const {
  if (starts_.empty() || micros < starts_.front() || micros >= end_) return -1;
  const auto after = std::upper_bound(starts_.begin(), starts_.end(), micros);
  return static_cast<int>(after - starts_.begin()) - 1;
}

std::string TimeBuckets::Label(size_t bucket) const { return zone_.Format(start(bucket)); }

}  // namespace cdp::query
