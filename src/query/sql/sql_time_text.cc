#include "query/sql/sql_time_text.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "core/clock.h"

namespace cdp::query {

namespace {

constexpr int64_t kMicrosPerDay = int64_t{86'400} * 1'000'000;

void WriteDigits(char* out, int64_t value, int digits) {
  for (int i = digits - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// The first time m in [MinSqlTimeMicros, MaxSqlTimeMicros + 1) whose text
// compares with `text` so that `after(comparison)` holds; the end when none.
// REQUIRES: `after` is monotone in m (false then true).
template <typename After>
int64_t FirstTime(std::string_view text, After after) {
  int64_t low = MinSqlTimeMicros();
  int64_t high = MaxSqlTimeMicros() + 1;  // the answer is in [low, high]
  char buffer[kSqlTimeTextSize];
  while (low < high) {
    const int64_t middle = low + (high - low) / 2;
    FormatSqlTime(middle, buffer);
    const std::string_view formatted(buffer, kSqlTimeTextSize);
    if (after(formatted.compare(text))) {
      high = middle;
    } else {
      low = middle + 1;
    }
  }
  return low;
}

}  // namespace

int64_t MinSqlTimeMicros() { return UnixMicros(TimePoint::min()) + 1; }
int64_t MaxSqlTimeMicros() { return UnixMicros(TimePoint::max()) - 1; }

void FormatSqlTime(int64_t micros, char* out) {
  using namespace std::chrono;
  micros = std::clamp(micros, MinSqlTimeMicros(), MaxSqlTimeMicros());
  // Floor division: times before 1970 count back from the day's start.
  int64_t days = micros / kMicrosPerDay;
  int64_t in_day = micros % kMicrosPerDay;
  if (in_day < 0) {
    in_day += kMicrosPerDay;
    --days;
  }
  const year_month_day date{sys_days{std::chrono::days{days}}};
  const int64_t seconds = in_day / 1'000'000;
  WriteDigits(out, int{date.year()}, 4);
  out[4] = '-';
  WriteDigits(out + 5, unsigned{date.month()}, 2);
  out[7] = '-';
  WriteDigits(out + 8, unsigned{date.day()}, 2);
  out[10] = 'T';
  WriteDigits(out + 11, seconds / 3600, 2);
  out[13] = ':';
  WriteDigits(out + 14, seconds / 60 % 60, 2);
  out[16] = ':';
  WriteDigits(out + 17, seconds % 60, 2);
  out[19] = '.';
  WriteDigits(out + 20, in_day % 1'000'000, 6);
  out[26] = 'Z';
}

std::string SqlTimeText(int64_t micros) {
  std::string text(kSqlTimeTextSize, '\0');
  FormatSqlTime(micros, text.data());
  return text;
}

int64_t FirstSqlTimeNotBefore(std::string_view text) {
  return FirstTime(text, [](int comparison) { return comparison >= 0; });
}

int64_t FirstSqlTimeAfter(std::string_view text) {
  return FirstTime(text, [](int comparison) { return comparison > 0; });
}

}  // namespace cdp::query
