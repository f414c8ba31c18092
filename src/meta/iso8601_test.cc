#include "meta/iso8601.h"

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

}  // namespace
}  // namespace cdp
