#pragma once

#include <optional>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace cdp {

// TimePoint counts nanoseconds in 64 bits, which spans the years 1678 to 2261.
// Both parsers refuse years outside [kMinIso8601Year, kMaxIso8601Year]: a
// "never" sentinel such as 9999-12-31 is not a time here (it stays a string),
// rather than a time silently wrapped into the 19th century.
inline constexpr int kMinIso8601Year = 1700;
inline constexpr int kMaxIso8601Year = 2200;

// Parses what FormatIso8601 writes ("2026-11-25T21:06:11.123Z"): a UTC time
// with 'Z', and a fraction of 0 to 9 digits (kept to the nanosecond). Offsets
// other than Z are refused: stored times are always UTC. BadRequest when
// `text` is anything else.
Result<TimePoint> ParseIso8601(std::string_view text);

// Parses a date-time as clients send it: "YYYY-MM-DDTHH:MM:SS", then an
// optional fraction of any length (kept to the nanosecond, further digits
// ignored), then 'Z', an offset "+HH:MM" / "+HHMM" / "+HH" (or '-'), or
// nothing, which means UTC. A date alone, a time without seconds or a space
// instead of 'T' are not date-times. nullopt when `text` is not one; it never
// allocates, so it is cheap enough to sniff every string property.
std::optional<TimePoint> ParseIso8601DateTime(std::string_view text);

}  // namespace cdp
