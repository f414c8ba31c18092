#include "core/iso8601.h"

#include <gtest/gtest.h>

namespace cdp {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

TEST(Iso8601Test, ReadsWhatFormatIso8601Writes) {
  const TimePoint t = sys_days{year{2026} / 11 / 25} + 21h + 6min + 11s + 123ms;
  EXPECT_EQ(FormatIso8601(t), "2026-11-25T21:06:11.123Z");
  EXPECT_EQ(*ParseIso8601("2026-11-25T21:06:11.123Z"), t);
  EXPECT_EQ(*ParseIso8601(FormatIso8601(TimePoint{})), TimePoint{});
}

TEST(Iso8601Test, AcceptsAnyFractionUpToNanoseconds) {
  const TimePoint base = sys_days{year{2024} / 2 / 29};
  EXPECT_EQ(*ParseIso8601("2024-02-29T00:00:00Z"), base);
  EXPECT_EQ(*ParseIso8601("2024-02-29T00:00:00.5Z"), base + 500ms);
  EXPECT_EQ(*ParseIso8601("2024-02-29T00:00:00.000000001Z"), base + 1ns);
}

TEST(Iso8601Test, RefusesAnythingElse) {
  for (const char* text :
       {"", "2026-11-25", "2026-11-25T21:06:11", "2026-11-25T21:06:11.123", "2026-11-25 21:06:11Z",
        "2026-11-25T21:06:11.Z", "2026-11-25T21:06:11.1234567890Z", "2026-11-25T21:06:11+01:00",
        "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-25T24:00:00Z",
        "2026-11-25T21:60:00Z", "2026-11-25T21:06:60Z", "2026-11-25T21:06:11.123Zjunk",
        "20x6-11-25T21:06:11Z"}) {
    auto parsed = ParseIso8601(text);
    EXPECT_FALSE(parsed.ok()) << text;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.status().code(), ErrorCode::kBadRequest);
    }
  }
}

TEST(Iso8601DateTimeTest, AcceptsZOffsetsAndNoZone) {
  const TimePoint ten = sys_days{year{2024} / 5 / 1} + 10h;
  EXPECT_EQ(ParseIso8601DateTime("2024-05-01T10:00:00Z"), ten);
  EXPECT_EQ(ParseIso8601DateTime("2024-05-01T10:00:00"), ten);
  EXPECT_EQ(ParseIso8601DateTime("2024-05-01T12:00:00+02:00"), ten);
  EXPECT_EQ(ParseIso8601DateTime("2024-05-01T12:00:00+0200"), ten);
  EXPECT_EQ(ParseIso8601DateTime("2024-05-01T12:00:00+02"), ten);
  EXPECT_EQ(ParseIso8601DateTime("2024-05-01T04:30:00-05:30"), ten);
  EXPECT_EQ(ParseIso8601DateTime("2024-05-01T00:30:00.250-09:30"), ten + 250ms);
}

TEST(Iso8601DateTimeTest, KeepsNanosecondsAndIgnoresFinerDigits) {
  const TimePoint ten = sys_days{year{2024} / 5 / 1} + 10h;
  EXPECT_EQ(ParseIso8601DateTime("2024-05-01T10:00:00.123456Z"), ten + 123456us);
  EXPECT_EQ(ParseIso8601DateTime("2024-05-01T10:00:00.1234567891234Z"), ten + 123456789ns);
}

TEST(Iso8601DateTimeTest, RefusesWhatIsNotAFullDateTime) {
  for (const char* text :
       {"", "2024-05-01", "2024-05-01T10:00", "2024-05-01 10:00:00Z", "2024-05-01T10:00:00.Z",
        "2024-05-01T10:00:00+2", "2024-05-01T10:00:00+24:00", "2024-05-01T10:00:00+02:60",
        "2024-05-01T10:00:00+02:", "2024-05-01T10:00:00+02:00junk", "2024-05-01T10:00:00z",
        "2024-05-01T10:00:00ZZ", "2023-02-29T10:00:00Z", "2024-05-01T25:00:00Z", "May 1, 2024",
        "1714557600"}) {
    EXPECT_FALSE(ParseIso8601DateTime(text).has_value()) << text;
  }
}

TEST(Iso8601DateTimeTest, YearsOutsideTheSupportedRangeAreNotTimes) {
  // Found by the fuzzer: these used to wrap around the 64-bit nanosecond count.
  for (const char* text :
       {"9999-12-31T23:59:59Z", "2263-01-01T00:00:00", "1600-01-01T00:00:00",
        "0000-01-01T00:00:00Z", "2201-01-01T00:00:00Z", "1699-12-31T23:59:59Z"}) {
    EXPECT_FALSE(ParseIso8601DateTime(text).has_value()) << text;
    EXPECT_FALSE(ParseIso8601(text).ok()) << text;
  }
  EXPECT_EQ(ParseIso8601DateTime("2200-12-31T23:59:59Z"),
            TimePoint(sys_days{year{2200} / 12 / 31} + 23h + 59min + 59s));
  EXPECT_EQ(ParseIso8601DateTime("1700-01-01T00:00:00Z"), TimePoint(sys_days{year{1700} / 1 / 1}));
}

}  // namespace
}  // namespace cdp
