#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cdp::query {

// How the SQL tables show times: ISO-8601 in UTC with exactly six fractional
// digits, "2026-03-01T10:00:00.000000Z".
//
// Why this format: every time formats to the same width with a four-digit
// year (a TimePoint spans the years 1677 to 2262), so comparing two texts
// bytewise (SQLite's BINARY collation) orders them exactly as the times. A
// date compares as its midnight should from below: `timestamp >= '2026-03-01'`
// keeps midnight on ("2026-03-01T..." sorts after its prefix "2026-03-01") and
// `timestamp < '2026-03-02'` stops before the next midnight. Six digits keep
// the store's microsecond precision (a shorter fraction would make distinct
// times compare equal, and a variable one would break the order: '.' sorts
// before 'Z'). SQLite's date functions (date(), strftime(), unixepoch(), ...)
// read the format as it is, though they keep milliseconds only (rounded, so
// 23:59:59.999999 is the next midnight to them); timestamp_us is exact.
inline constexpr size_t kSqlTimeTextSize = 27;

// The first and last microsecond a TimePoint can hold: every stored time is in
// between, and FromUnixMicros of both (and of the last plus one) cannot
// overflow.
int64_t MinSqlTimeMicros();
int64_t MaxSqlTimeMicros();

// Writes the text of `micros` (clamped to [MinSqlTimeMicros, MaxSqlTimeMicros])
// to `out`, which holds kSqlTimeTextSize bytes; no terminating NUL.
void FormatSqlTime(int64_t micros, char* out);
std::string SqlTimeText(int64_t micros);

// The first time whose text sorts at or after `text` (bytewise), or after it
// (strictly): what `timestamp >= 'text'` and `timestamp > 'text'` select from,
// for any text at all ('2026', '2026-03-01 10:00', 'abc'). MaxSqlTimeMicros() +
// 1 when no time's text does. Since formatting is strictly increasing, the
// times whose text satisfies a comparison form one range, found by binary
// search over the times themselves.
int64_t FirstSqlTimeNotBefore(std::string_view text);
int64_t FirstSqlTimeAfter(std::string_view text);

}  // namespace cdp::query
