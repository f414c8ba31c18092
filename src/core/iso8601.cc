#include "core/iso8601.h"

#include <chrono>
#include <cstdint>
#include <string>

namespace cdp {

namespace {

// What the stored-time reader refuses and the client-time reader accepts.
enum class Dialect { kStoredUtc, kClient };

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

// Reads the zone designator at `pos` to the end of `text` as an offset east of
// UTC; false when it is not one `dialect` accepts.
bool ReadZone(std::string_view text, size_t pos, Dialect dialect, std::chrono::minutes& offset) {
  offset = std::chrono::minutes(0);
  if (pos == text.size()) return dialect == Dialect::kClient;  // no designator: UTC
  if (text[pos] == 'Z') return pos + 1 == text.size();
  if (dialect != Dialect::kClient || (text[pos] != '+' && text[pos] != '-')) return false;
  const int sign = text[pos] == '+' ? 1 : -1;
  int64_t hours = 0, minutes = 0;
  if (!ReadDigits(text, pos + 1, 2, hours) || hours > 23) return false;
  size_t end = pos + 3;
  if (end < text.size()) {
    if (text[end] == ':') ++end;
    if (!ReadDigits(text, end, 2, minutes) || minutes > 59) return false;
    end += 2;
  }
  if (end != text.size()) return false;
  offset = std::chrono::minutes(sign * (hours * 60 + minutes));
  return true;
}

std::optional<TimePoint> Parse(std::string_view text, Dialect dialect) {
  using namespace std::chrono;
  // YYYY-MM-DDTHH:MM:SS
  int64_t y, mo, d, h, mi, s;
  if (!ReadDigits(text, 0, 4, y) || !IsAt(text, 4, '-') || !ReadDigits(text, 5, 2, mo) ||
      !IsAt(text, 7, '-') || !ReadDigits(text, 8, 2, d) || !IsAt(text, 10, 'T') ||
      !ReadDigits(text, 11, 2, h) || !IsAt(text, 13, ':') || !ReadDigits(text, 14, 2, mi) ||
      !IsAt(text, 16, ':') || !ReadDigits(text, 17, 2, s)) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t nanos = 0;
  if (IsAt(text, pos, '.')) {
    ++pos;
    int digits = 0;
    for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++digits) {
      if (digits >= 9) {
        if (dialect == Dialect::kStoredUtc) return std::nullopt;
        continue;  // finer than a nanosecond: ignored
      }
      nanos = nanos * 10 + (text[pos] - '0');
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 9; ++i) nanos *= 10;
  }
  minutes offset;
  if (!ReadZone(text, pos, dialect, offset)) return std::nullopt;

  const year_month_day date{year(static_cast<int>(y)), month(static_cast<unsigned>(mo)),
                            day(static_cast<unsigned>(d))};
  if (!date.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
  if (y < kMinIso8601Year || y > kMaxIso8601Year) return std::nullopt;
  const auto since_epoch = sys_days(date).time_since_epoch() + hours(h) + minutes(mi) + seconds(s) +
                           nanoseconds(nanos) - offset;
  return TimePoint(duration_cast<TimePoint::duration>(since_epoch));
}

}  // namespace

Result<TimePoint> ParseIso8601(std::string_view text) {
  std::optional<TimePoint> time = Parse(text, Dialect::kStoredUtc);
  if (!time) {
    return Status::BadRequest(
        "expected an ISO-8601 UTC time such as 2026-11-25T21:06:11.123Z, got '" +
        std::string(text) + "'");
  }
  return *time;
}

std::optional<TimePoint> ParseIso8601DateTime(std::string_view text) {
  return Parse(text, Dialect::kClient);
}

}  // namespace cdp
