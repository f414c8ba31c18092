#include "ingest/event_time.h"

#include <gtest/gtest.h>

#include "core/iso8601.h"

namespace cdp::ingest {
namespace {

using namespace std::chrono_literals;

TimePoint At(const char* text) { return *ParseIso8601(text); }

TEST(CorrectedTimestampTest, SubtractsTheClientIntervalFromReceivedAt) {
  // The client's clock is 5 s behind: it stamped 12:00:00, sent at 12:00:05
  // by its clock, and the server received at 12:00:10.
  EXPECT_EQ(CorrectedTimestamp(At("2024-05-01T12:00:10Z"), At("2024-05-01T12:00:05Z"),
                               At("2024-05-01T12:00:00Z")),
            At("2024-05-01T12:00:05Z"));
}

TEST(CorrectedTimestampTest, WorksForAClockHoursAhead) {
  EXPECT_EQ(CorrectedTimestamp(At("2024-05-01T12:00:00Z"), At("2024-05-01T15:00:00.500Z"),
                               At("2024-05-01T14:59:30Z")),
            At("2024-05-01T11:59:29.500Z"));
}

TEST(CorrectedTimestampTest, TakesTheClientTimestampWithoutSentAt) {
  EXPECT_EQ(
      CorrectedTimestamp(At("2024-05-01T12:00:10Z"), std::nullopt, At("2024-05-01T09:00:00Z")),
      At("2024-05-01T09:00:00Z"));
}

TEST(CorrectedTimestampTest, FallsBackToReceivedAt) {
  EXPECT_EQ(CorrectedTimestamp(At("2024-05-01T12:00:10Z"), std::nullopt, std::nullopt),
            At("2024-05-01T12:00:10Z"));
  // sentAt alone says nothing about when the event happened.
  EXPECT_EQ(
      CorrectedTimestamp(At("2024-05-01T12:00:10Z"), At("2024-05-01T12:00:00Z"), std::nullopt),
      At("2024-05-01T12:00:10Z"));
}

TEST(CorrectedTimestampTest, KeepsTheClientsTimestampWhenTheCorrectionWouldOverflow) {
  // Found by the fuzzer: a timestamp and a sentAt 550 years apart.
  EXPECT_EQ(CorrectedTimestamp(At("2026-11-25T12:00:00Z"), At("2200-01-01T00:00:00Z"),
                               At("1700-01-01T00:00:00Z")),
            At("1700-01-01T00:00:00Z"));
  // 290 years apart: the skew fits, the corrected time (2316) does not.
  EXPECT_EQ(CorrectedTimestamp(At("2026-11-25T12:00:00Z"), At("1750-01-01T00:00:00Z"),
                               At("2040-01-01T00:00:00Z")),
            At("2040-01-01T00:00:00Z"));
}

}  // namespace
}  // namespace cdp::ingest
