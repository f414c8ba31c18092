#include "meta/iso8601.h"

#include <chrono>
#include <cstdint>

namespace cdp {

namespace {

// Reads `count` decimal digits at `pos`; false if any is not a digit.
bool ReadDigits(std::string_view text, size_t pos, size_t count, int64_t& out) {
  if (pos + count > text.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

bool IsAt(std::string_view text, size_t pos, char c) { return pos < text.size() && text[pos] == c; }

}  // namespace

Result<TimePoint> ParseIso8601(std::string_view text) {
  using namespace std::chrono;
  const auto invalid = [&] {
    return Status::BadRequest(
        "expected an ISO-8601 UTC time such as 2026-11-25T21:06:11.123Z, got '" +
        std::string(text) + "'");
  };
  // YYYY-MM-DDTHH:MM:SS
  int64_t y, mo, d, h, mi, s;
  if (!ReadDigits(text, 0, 4, y) || !IsAt(text, 4, '-') || !ReadDigits(text, 5, 2, mo) ||
      !IsAt(text, 7, '-') || !ReadDigits(text, 8, 2, d) || !IsAt(text, 10, 'T') ||
      !ReadDigits(text, 11, 2, h) || !IsAt(text, 13, ':') || !ReadDigits(text, 14, 2, mi) ||
      !IsAt(text, 16, ':') || !ReadDigits(text, 17, 2, s)) {
    return invalid();
  }
  size_t pos = 19;
  int64_t nanos = 0;
  if (IsAt(text, pos, '.')) {
    ++pos;
    int digits = 0;
    for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++digits) {
      if (digits == 9) return invalid();
      nanos = nanos * 10 + (text[pos] - '0');
    }
    if (digits == 0) return invalid();
    for (int i = digits; i < 9; ++i) nanos *= 10;
  }
  if (!IsAt(text, pos, 'Z') || pos + 1 != text.size()) return invalid();

  const year_month_day date{year(static_cast<int>(y)), month(static_cast<unsigned>(mo)),
                            day(static_cast<unsigned>(d))};
  if (!date.ok() || h > 23 || mi > 59 || s > 59) return invalid();
  const auto since_epoch =
      sys_days(date).time_since_epoch() + hours(h) + minutes(mi) + seconds(s) + nanoseconds(nanos);
  return TimePoint(duration_cast<TimePoint::duration>(since_epoch));
}

}  // namespace cdp
