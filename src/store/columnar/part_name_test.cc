#include "store/columnar/part_name.h"

#include <gtest/gtest.h>

namespace cdp::columnar {
namespace {

TEST(PartNameTest, FileNamesRoundTrip) {
  const PartName name{12, 340, 2};
  EXPECT_EQ(name.FileName(), "12_340_2.part");
  EXPECT_EQ(ParsePartFileName("12_340_2.part"), name);
  for (const char* bad : {"12_340_2", "12_340.part", "a_1_0.part", "2_1_0.part", "01_2_0.part",
                          "1_2_0.part.tmp", "tmp_1_1_0.part", "1_2_-1.part", "1__0.part"}) {
    EXPECT_EQ(ParsePartFileName(bad), std::nullopt) << bad;
  }
}

TEST(PartNameTest, CoveringFollowsBlockRangesAndLevels) {
  const PartName merged{3, 9, 1};
  EXPECT_TRUE(merged.Covers(PartName{3, 3, 0}));
  EXPECT_TRUE(merged.Covers(PartName{9, 9, 0}));
  EXPECT_FALSE(merged.Covers(PartName{10, 10, 0}));
  EXPECT_FALSE(merged.Covers(merged));
  const PartName fresh{5, 5, 0};
  EXPECT_FALSE(fresh.Covers(fresh));
}

TEST(PartNameTest, PartitionPaths) {
  EXPECT_EQ(PartitionPath("ws_1", 0), "ws_1/19700101");
  EXPECT_EQ(PartitionPath("ws_1", 20'454), "ws_1/20260101");
  EXPECT_EQ(PartitionPath("a/b", -1), "~612f62/19691231");
  EXPECT_EQ(WorkspaceOfDirectory("~612f62"), "a/b");
  EXPECT_EQ(WorkspaceOfDirectory("ws_1"), "ws_1");
  EXPECT_EQ(WorkspaceOfDirectory("~7773"), std::nullopt);  // "ws" would not be hex-encoded
  EXPECT_EQ(WorkspaceOfDirectory("~6"), std::nullopt);
  EXPECT_EQ(DayOfDirectory("20260101"), 20'454);
  EXPECT_EQ(DayOfDirectory("19691231"), -1);
  EXPECT_EQ(DayOfDirectory("20260230"), std::nullopt);
  EXPECT_EQ(DayOfDirectory("2026011"), std::nullopt);
}

TEST(PartNameTest, DaysOfTimes) {
  EXPECT_EQ(DayOfMicros(0), 0);
  EXPECT_EQ(DayOfMicros(86'400'000'000 - 1), 0);
  EXPECT_EQ(DayOfMicros(86'400'000'000), 1);
  EXPECT_EQ(DayOfMicros(-1), -1);
  EXPECT_EQ(DayOfMicros(-86'400'000'000), -1);
  EXPECT_EQ(DayOfMicros(-86'400'000'001), -2);
}

}  // namespace
}  // namespace cdp::columnar
