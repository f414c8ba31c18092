#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "store/columnar/io/part_format.h"
#include "store/columnar/io/part_reader.h"
#include "store/columnar/io/part_test_util.h"
#include "store/columnar/io/part_writer.h"
#include "store/columnar/io/posix_file_system.h"
#include "support/temp_dir.h"

namespace cdp::columnar {
namespace {

using test::PartSpec;

class PartRoundTripTest : public ::testing::Test {
 protected:
  std::vector<std::string> Files() {
    auto names = fs_.ListDirectory(dir_.path());
    EXPECT_TRUE(names.ok()) << names.status().ToString();
    return names.ok() ? *names : std::vector<std::string>{};
  }

  PosixFileSystem fs_;
  testing::TempDir dir_;
};

TEST_F(PartRoundTripTest, RandomPartsReadBackExactly) {
  std::mt19937_64 random(20240601);
  for (int i = 0; i < 40; ++i) {
    const PartSpec part = test::RandomPart(random, 60, 12, 3000);
    const std::string path = dir_.File("part_" + std::to_string(i));
    ASSERT_TRUE(test::WritePart(fs_, path, part).ok());
    EXPECT_TRUE(test::ReadsBack(fs_, path, part)) << "part " << i;
  }
  for (const std::string& name : Files()) EXPECT_TRUE(name.starts_with("part_")) << name;
}

TEST_F(PartRoundTripTest, ManyColumnsAndBlocks) {
  std::mt19937_64 random(7);
  PartSpec part;
  for (int c = 0; c < 300; ++c) {
    test::ColumnSpec column{"properties.p" + std::to_string(c), static_cast<uint8_t>(c % 4), {}};
    for (int b = 0; b < 40; ++b) {
      column.blocks.push_back({test::RandomBytes(random, random() % 200), "stats", 8192});
    }
    part.columns.push_back(std::move(column));
  }
  part.metadata["rows"] = std::to_string(40 * 8192);
  ASSERT_TRUE(test::WritePart(fs_, dir_.File("wide"), part).ok());
  EXPECT_TRUE(test::ReadsBack(fs_, dir_.File("wide"), part));
}

TEST_F(PartRoundTripTest, LargeBlocks) {
  std::mt19937_64 random(8);
  PartSpec part;
  part.columns.push_back({"a", 0, {{test::RandomBytes(random, 3 << 20), "", 1 << 20}}});
  part.columns.push_back({"b", 1, {{test::RandomBytes(random, 1 << 20), "x", 5}}});
  ASSERT_TRUE(test::WritePart(fs_, dir_.File("large"), part).ok());
  EXPECT_TRUE(test::ReadsBack(fs_, dir_.File("large"), part));
}

TEST_F(PartRoundTripTest, EmptyPartIsTheSmallestFile) {
  ASSERT_TRUE(test::WritePart(fs_, dir_.File("empty"), PartSpec{}).ok());
  EXPECT_EQ(*fs_.FileSize(dir_.File("empty")), kMinPartSize);
  EXPECT_TRUE(test::ReadsBack(fs_, dir_.File("empty"), PartSpec{}));
}

TEST_F(PartRoundTripTest, SmallPartLayoutIsAsDocumented) {
  const PartSpec part = test::SmallPart();
  const std::string path = dir_.File("small");
  ASSERT_TRUE(test::WritePart(fs_, path, part).ok());
  auto reader = PartReader::Open(fs_, path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const std::string_view bytes = (*reader)->mapped_file()->data();
  EXPECT_EQ(bytes.substr(0, 8), "CDP-PART");
  EXPECT_EQ(bytes.substr(bytes.size() - 8), "CDP-PART");
  const auto& blocks = (*reader)->columns()[0].blocks;
  EXPECT_EQ(blocks[0].offset, 8u);  // right after the header
  EXPECT_EQ(blocks[0].size, 13u);
  EXPECT_EQ(blocks[1].offset, 24u);  // 21 rounded up to a multiple of 8
  EXPECT_EQ(bytes.substr(21, 3), std::string(3, '\0'));
  EXPECT_EQ(blocks[0].checksum, PartChecksum("0123456789abc"));
  EXPECT_EQ((*reader)->columns()[2].row_count, 0u);
  EXPECT_EQ((*reader)->columns()[0].row_count, 15u);
  EXPECT_EQ((*reader)->FindColumn("nope"), std::nullopt);
  EXPECT_EQ((*reader)->FindMetadata("rows"), "15");
  EXPECT_EQ((*reader)->FindMetadata("row"), std::nullopt);
  EXPECT_TRUE((*reader)->VerifyAllBlocks().ok());
}

TEST_F(PartRoundTripTest, MetadataLaterValueWins) {
  auto writer = PartWriter::Create(fs_, dir_.File("meta"));
  ASSERT_TRUE(writer.ok());
  (*writer)->SetMetadata("k", "first");
  (*writer)->SetMetadata("k", "second");
  (*writer)->SetMetadata(std::string("\xff", 1), "high byte sorts last");
  (*writer)->SetMetadata("", "empty key");
  ASSERT_TRUE((*writer)->Finish().ok());
  auto reader = PartReader::Open(fs_, dir_.File("meta"));
  ASSERT_TRUE(reader.ok());
  ASSERT_EQ((*reader)->metadata().size(), 3u);
  EXPECT_EQ((*reader)->metadata()[0].first, "");
  EXPECT_EQ((*reader)->metadata()[2].first, "\xff");
  EXPECT_EQ((*reader)->FindMetadata("k"), "second");
}

TEST_F(PartRoundTripTest, CreateRefusesAnExistingPartAndTemporaryNames) {
  ASSERT_TRUE(test::WritePart(fs_, dir_.File("p"), test::SmallPart()).ok());
  auto again = PartWriter::Create(fs_, dir_.File("p"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), ErrorCode::kConflict);
  EXPECT_TRUE(test::ReadsBack(fs_, dir_.File("p"), test::SmallPart()));

  EXPECT_FALSE(PartWriter::Create(fs_, dir_.File("tmp_p")).ok());
  EXPECT_FALSE(PartWriter::Create(fs_, dir_.path() + "/").ok());
  auto missing_dir = PartWriter::Create(fs_, dir_.File("no/such/dir/p"));
  ASSERT_FALSE(missing_dir.ok());
  EXPECT_EQ(missing_dir.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(Files(), std::vector<std::string>{"p"});
}

TEST_F(PartRoundTripTest, WritesToATemporaryNameUntilFinish) {
  auto writer = PartWriter::Create(fs_, dir_.File("p"));
  ASSERT_TRUE(writer.ok());
  EXPECT_EQ((*writer)->temporary_path(), dir_.File("tmp_p"));
  ASSERT_TRUE((*writer)->StartColumn("c", 0).ok());
  ASSERT_TRUE((*writer)->AppendBlock("abc", "", 3).ok());
  EXPECT_EQ((*writer)->bytes_written(), 11u);
  EXPECT_EQ(Files(), std::vector<std::string>{"tmp_p"});
  ASSERT_TRUE((*writer)->Finish().ok());
  EXPECT_EQ(Files(), std::vector<std::string>{"p"});
}

TEST_F(PartRoundTripTest, DuplicateColumnFailsTheWriterAndRemovesItsFile) {
  auto writer = PartWriter::Create(fs_, dir_.File("p"));
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->StartColumn("c", 0).ok());
  const Status status = (*writer)->StartColumn("c", 1);
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(Files().empty());
  EXPECT_EQ((*writer)->AppendBlock("x", "", 1).ToString(), status.ToString());
  EXPECT_EQ((*writer)->Finish().ToString(), status.ToString());
  EXPECT_TRUE((*writer)->Abandon().ok());
  EXPECT_TRUE(Files().empty());
}

TEST_F(PartRoundTripTest, EmptyColumnNameIsRefused) {
  auto writer = PartWriter::Create(fs_, dir_.File("p"));
  ASSERT_TRUE(writer.ok());
  EXPECT_FALSE((*writer)->StartColumn("", 0).ok());
  EXPECT_TRUE(Files().empty());
}

TEST_F(PartRoundTripTest, AbandonAndDestructionRemoveTheTemporaryFile) {
  {
    auto writer = PartWriter::Create(fs_, dir_.File("a"));
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->StartColumn("c", 0).ok());
    ASSERT_TRUE((*writer)->AppendBlock("abc", "", 3).ok());
    EXPECT_TRUE((*writer)->Abandon().ok());
    EXPECT_TRUE(Files().empty());
    EXPECT_TRUE((*writer)->Abandon().ok());
  }
  {
    auto writer = PartWriter::Create(fs_, dir_.File("b"));
    ASSERT_TRUE(writer.ok());
    EXPECT_EQ(Files(), std::vector<std::string>{"tmp_b"});
  }
  EXPECT_TRUE(Files().empty());
}

TEST_F(PartRoundTripTest, RemoveTemporaryPartsRemovesOnlyTemporaryFiles) {
  ASSERT_TRUE(test::WritePart(fs_, dir_.File("p"), test::SmallPart()).ok());
  for (const char* name : {"tmp_q", "tmp_", "tmp_r"}) {
    auto file = fs_.NewWritableFile(dir_.File(name));
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Append("debris").ok());
  }
  auto other = fs_.NewWritableFile(dir_.File("tmpx"));
  ASSERT_TRUE(other.ok());
  auto removed = RemoveTemporaryParts(fs_, dir_.path());
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(*removed, 3u);
  EXPECT_EQ(Files(), (std::vector<std::string>{"p", "tmpx"}));
  EXPECT_EQ(*RemoveTemporaryParts(fs_, dir_.path()), 0u);
  EXPECT_FALSE(RemoveTemporaryParts(fs_, dir_.File("missing")).ok());
}

TEST_F(PartRoundTripTest, VerificationModesAllReadTheSameBytes) {
  std::mt19937_64 random(3);
  const PartSpec part = test::RandomPart(random, 10, 10, 500);
  ASSERT_TRUE(test::WritePart(fs_, dir_.File("p"), part).ok());
  for (auto mode :
       {BlockVerification::kFirstRead, BlockVerification::kEveryRead, BlockVerification::kNever}) {
    auto reader = PartReader::Open(fs_, dir_.File("p"), {mode});
    ASSERT_TRUE(reader.ok());
    EXPECT_TRUE(test::HoldsPart(**reader, part));
    EXPECT_TRUE(test::HoldsPart(**reader, part));  // the second read, cached or not
  }
}

TEST_F(PartRoundTripTest, ConcurrentReads) {
  std::mt19937_64 random(4);
  PartSpec part;
  for (int c = 0; c < 8; ++c) {
    test::ColumnSpec column{"c" + std::to_string(c), 0, {}};
    for (int b = 0; b < 50; ++b) column.blocks.push_back({test::RandomBytes(random, 4096), "", 1});
    part.columns.push_back(std::move(column));
  }
  ASSERT_TRUE(test::WritePart(fs_, dir_.File("p"), part).ok());
  auto reader = PartReader::Open(fs_, dir_.File("p"));
  ASSERT_TRUE(reader.ok());
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        for (size_t c = 0; c < part.columns.size(); ++c) {
          for (size_t b = 0; b < part.columns[c].blocks.size(); ++b) {
            const size_t column = (c + t) % part.columns.size();
            auto bytes = (*reader)->ReadBlock(column, b);
            if (!bytes.ok() || *bytes != part.columns[column].blocks[b].data) ++mismatches;
          }
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST_F(PartRoundTripTest, ReaderOutlivesTheRemovedFile) {
  ASSERT_TRUE(test::WritePart(fs_, dir_.File("p"), test::SmallPart()).ok());
  auto reader = PartReader::Open(fs_, dir_.File("p"));
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE(fs_.RemoveFile(dir_.File("p")).ok());  // a merge dropped it; the scan goes on
  EXPECT_TRUE(test::HoldsPart(**reader, test::SmallPart()));
}

TEST_F(PartRoundTripTest, OpenMissingPartIsNotFound) {
  auto reader = PartReader::Open(fs_, dir_.File("missing"));
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace cdp::columnar
