// Damaged parts: truncated, bit-flipped, overwritten at random, or with a
// footer of garbage under a valid checksum. PartReader must report an error
// (at Open, or when the damaged block is read) and never crash or return
// wrong bytes as good ones. Run it under ASan (CDP_SANITIZE) too.

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <random>
#include <set>

#include "store/columnar/io/part_format.h"
#include "store/columnar/io/part_reader.h"
#include "store/columnar/io/part_test_util.h"
#include "store/columnar/io/posix_file_system.h"
#include "support/temp_dir.h"

namespace cdp::columnar {
namespace {

enum class Outcome { kRejectedAtOpen, kBlockRejected, kIntact };

class PartReaderCorruptionTest : public ::testing::Test {
 protected:
  // The bytes of `part` as PartWriter writes them.
  std::string Encode(const test::PartSpec& part) {
    const std::string path = dir_.File("encoded_" + std::to_string(encoded_++));
    EXPECT_TRUE(test::WritePart(fs_, path, part).ok());
    auto file = fs_.Map(path);
    EXPECT_TRUE(file.ok());
    return file.ok() ? std::string((*file)->data()) : std::string();
  }

  // Reads all of `bytes` as a part expected to hold `part`. A successful read
  // of wrong bytes, or of a wrong footer, is a test failure.
  static Outcome ReadAll(std::string_view bytes, const test::PartSpec& part,
                         BlockVerification verification = BlockVerification::kFirstRead) {
    auto reader = PartReader::Open(NewMemoryMappedFile("damaged", bytes), {verification});
    if (!reader.ok()) {
      EXPECT_NE(reader.status().cause().find("part damaged"), std::string::npos)
          << reader.status().ToString();
      return Outcome::kRejectedAtOpen;
    }
    const PartReader& r = **reader;
    // The footer passed its checksum: it must be the original.
    EXPECT_EQ(r.columns().size(), part.columns.size());
    EXPECT_EQ(r.metadata().size(), part.metadata.size());
    if (r.columns().size() != part.columns.size()) return Outcome::kIntact;
    Outcome outcome = Outcome::kIntact;
    for (size_t c = 0; c < part.columns.size(); ++c) {
      EXPECT_EQ(r.columns()[c].name, part.columns[c].name);
      EXPECT_EQ(r.columns()[c].blocks.size(), part.columns[c].blocks.size());
      if (r.columns()[c].blocks.size() != part.columns[c].blocks.size()) continue;
      for (size_t b = 0; b < part.columns[c].blocks.size(); ++b) {
        EXPECT_EQ(r.columns()[c].blocks[b].stats, part.columns[c].blocks[b].stats);
        auto block = r.ReadBlock(c, b);
        if (!block.ok()) {
          EXPECT_NE(block.status().cause().find("fails its checksum"), std::string::npos)
              << block.status().ToString();
          outcome = Outcome::kBlockRejected;
          continue;
        }
        if (verification != BlockVerification::kNever) {
          EXPECT_EQ(*block, part.columns[c].blocks[b].data) << "wrong bytes read as good";
        }
      }
    }
    return outcome;
  }

  // Bytes of `bytes` (an encoded part) that no checksum covers: the padding
  // before blocks.
  static std::set<size_t> PaddingPositions(std::string_view bytes) {
    auto reader = PartReader::Open(NewMemoryMappedFile("original", bytes), {});
    EXPECT_TRUE(reader.ok());
    std::vector<bool> covered(bytes.size(), false);
    const PartTrailer trailer = *DecodePartTrailer(bytes.substr(bytes.size() - 40), "original");
    for (size_t i = 0; i < kPartHeaderSize; ++i) covered[i] = true;
    for (size_t i = trailer.footer_offset; i < bytes.size(); ++i) covered[i] = true;
    for (const PartColumn& column : (*reader)->columns()) {
      for (const PartBlock& block : column.blocks) {
        for (size_t i = 0; i < block.size; ++i) covered[block.offset + i] = true;
      }
    }
    std::set<size_t> padding;
    for (size_t i = 0; i < bytes.size(); ++i) {
      if (!covered[i]) padding.insert(i);
    }
    return padding;
  }

  PosixFileSystem fs_;
  testing::TempDir dir_;
  int encoded_ = 0;
};

TEST_F(PartReaderCorruptionTest, TruncationAtEveryLength) {
  const test::PartSpec part = test::SmallPart();
  const std::string bytes = Encode(part);
  ASSERT_EQ(ReadAll(bytes, part), Outcome::kIntact);
  for (size_t length = 0; length < bytes.size(); ++length) {
    // Through a real file and mmap, and through memory.
    const std::string path = dir_.File("truncated");
    {
      auto file = fs_.NewWritableFile(path);
      ASSERT_TRUE(file.ok());
      ASSERT_TRUE((*file)->Append(std::string_view(bytes).substr(0, length)).ok());
      ASSERT_TRUE((*file)->Close().ok());
    }
    auto reader = PartReader::Open(fs_, path);
    EXPECT_FALSE(reader.ok()) << "truncated to " << length;
    EXPECT_EQ(ReadAll(std::string_view(bytes).substr(0, length), part), Outcome::kRejectedAtOpen)
        << "truncated to " << length;
  }
}

TEST_F(PartReaderCorruptionTest, EveryBitFlipIsDetectedOrHarmless) {
  const test::PartSpec part = test::SmallPart();
  const std::string bytes = Encode(part);
  const std::set<size_t> padding = PaddingPositions(bytes);
  EXPECT_FALSE(padding.empty());
  for (size_t position = 0; position < bytes.size(); ++position) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = bytes;
      damaged[position] = static_cast<char>(damaged[position] ^ (1 << bit));
      const Outcome outcome = ReadAll(damaged, part);
      if (padding.count(position) > 0) {
        EXPECT_EQ(outcome, Outcome::kIntact) << "padding byte " << position;
      } else {
        EXPECT_NE(outcome, Outcome::kIntact) << "byte " << position << " bit " << bit;
      }
    }
  }
}

TEST_F(PartReaderCorruptionTest, RandomDamageNeverReadsWrongBytes) {
  std::mt19937_64 random(1234);
  int detected = 0;
  for (int i = 0; i < 300; ++i) {
    const test::PartSpec part = test::RandomPart(random, 6, 5, 300);
    const std::string bytes = Encode(part);
    for (int round = 0; round < 10; ++round) {
      std::string damaged = bytes;
      const int damages = 1 + static_cast<int>(random() % 8);
      for (int d = 0; d < damages; ++d) {
        damaged[random() % damaged.size()] = static_cast<char>(random());
      }
      if (random() % 4 == 0) damaged.resize(random() % damaged.size());
      const bool changed = damaged != bytes;
      for (auto mode : {BlockVerification::kFirstRead, BlockVerification::kEveryRead,
                        BlockVerification::kNever}) {
        const Outcome outcome = ReadAll(damaged, part, mode);
        if (mode == BlockVerification::kEveryRead && changed && outcome != Outcome::kIntact) {
          ++detected;
        }
      }
    }
  }
  EXPECT_GT(detected, 2000);
}

// Rebuilds a part around `footer`, with a trailer that matches it: the
// footer's checksum passes, its contents are on their own.
std::string WithFooter(std::string_view blocks_area, std::string_view footer,
                       uint32_t version = kPartFormatVersion) {
  std::string bytes(kPartMagic);
  bytes += blocks_area;
  const PartTrailer trailer{bytes.size(), footer.size(), PartChecksum(footer), version};
  bytes += footer;
  bytes += EncodePartTrailer(trailer);
  return bytes;
}

TEST_F(PartReaderCorruptionTest, GarbageFootersWithValidChecksums) {
  const std::string bytes = Encode(test::SmallPart());
  const PartTrailer trailer = *DecodePartTrailer(bytes.substr(bytes.size() - 40), "small");
  const std::string_view blocks_area =
      std::string_view(bytes).substr(kPartHeaderSize, trailer.footer_offset - kPartHeaderSize);
  const std::string footer = bytes.substr(trailer.footer_offset, trailer.footer_size);
  std::mt19937_64 random(5);
  int opened = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string garbage = footer;
    switch (random() % 5) {
      case 0:  // a few bytes changed
        for (int d = 0, n = 1 + static_cast<int>(random() % 4); d < n; ++d) {
          garbage[random() % garbage.size()] = static_cast<char>(random());
        }
        break;
      case 1:  // a byte inserted
        garbage.insert(garbage.begin() + static_cast<long>(random() % (garbage.size() + 1)),
                       static_cast<char>(random()));
        break;
      case 2:  // a byte dropped
        garbage.erase(garbage.begin() + static_cast<long>(random() % garbage.size()));
        break;
      case 3:  // cut short
        garbage.resize(random() % garbage.size());
        break;
      case 4:  // all random
        garbage = test::RandomBytes(random, random() % 64);
        break;
    }
    for (auto mode : {BlockVerification::kNever, BlockVerification::kEveryRead}) {
      const std::string damaged = WithFooter(blocks_area, garbage);
      auto reader = PartReader::Open(NewMemoryMappedFile("garbage", damaged), {mode});
      if (!reader.ok()) continue;
      ++opened;
      // Whatever it found, every block lies inside the blocks area.
      for (size_t c = 0; c < (*reader)->columns().size(); ++c) {
        const auto& blocks = (*reader)->columns()[c].blocks;
        for (size_t b = 0; b < blocks.size(); ++b) {
          EXPECT_LE(blocks[b].offset + blocks[b].size, kPartHeaderSize + blocks_area.size());
          auto block = (*reader)->ReadBlock(c, b);
          if (block.ok()) {
            volatile char sink = 0;
            for (char byte : *block) sink = static_cast<char>(sink ^ byte);  // ASan checks
          }
        }
      }
    }
  }
  EXPECT_GT(opened, 0);  // some mutations (stats, metadata values) still parse
}

// Hand-made footers, each breaking one rule of part_format.h.
class CraftedFooterTest : public ::testing::Test {
 protected:
  // One column "c" with blocks at the given (offset, size); `blocks_area`
  // zeros after the header.
  static std::string Footer(const std::vector<std::pair<uint64_t, uint64_t>>& blocks) {
    std::string footer;
    PutVarint64(footer, 1);
    PutLengthPrefixed(footer, "c");
    footer.push_back(0);
    PutVarint64(footer, blocks.size());
    for (const auto& [offset, size] : blocks) {
      PutVarint64(footer, offset);
      PutVarint64(footer, size);
      PutVarint64(footer, 1);
      PutFixed64(footer, PartChecksum(std::string(size < 1000 ? size : 0, '\0')));
      PutLengthPrefixed(footer, "");
    }
    PutVarint64(footer, 0);
    return footer;
  }

  static Status OpenStatus(const std::string& bytes) {
    auto reader = PartReader::Open(NewMemoryMappedFile("crafted", bytes), {});
    return reader.ok() ? Status::Ok() : reader.status();
  }

  static void ExpectCorrupt(const std::string& bytes, std::string_view why) {
    const Status status = OpenStatus(bytes);
    EXPECT_FALSE(status.ok()) << why;
    EXPECT_NE(status.cause().find(why), std::string::npos) << status.ToString();
  }

  const std::string area_ = std::string(64, '\0');  // blocks area: offsets 8 to 72
};

TEST_F(CraftedFooterTest, AValidFooterOpens) {
  const Status status = OpenStatus(WithFooter(area_, Footer({{8, 16}, {24, 0}, {72, 0}, {64, 8}})));
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST_F(CraftedFooterTest, BlocksOutsideTheBlocksArea) {
  ExpectCorrupt(WithFooter(area_, Footer({{0, 8}})), "not an aligned range");
  ExpectCorrupt(WithFooter(area_, Footer({{12, 8}})), "not an aligned range");
  ExpectCorrupt(WithFooter(area_, Footer({{64, 9}})), "not an aligned range");
  ExpectCorrupt(WithFooter(area_, Footer({{80, 0}})), "not an aligned range");
  ExpectCorrupt(WithFooter(area_, Footer({{8, std::numeric_limits<uint64_t>::max()}})),
                "not an aligned range");
  ExpectCorrupt(WithFooter(area_, Footer({{std::numeric_limits<uint64_t>::max() - 7, 16}})),
                "not an aligned range");
}

TEST_F(CraftedFooterTest, OverlappingBlocks) {
  ExpectCorrupt(WithFooter(area_, Footer({{8, 16}, {16, 8}})), "overlap");
  ExpectCorrupt(WithFooter(area_, Footer({{8, 64}, {40, 8}})), "overlap");
}

TEST_F(CraftedFooterTest, ColumnRules) {
  auto one_column = [](std::string_view name) {
    std::string footer;
    PutVarint64(footer, 1);
    PutLengthPrefixed(footer, name);
    footer.push_back(0);
    PutVarint64(footer, 0);
    PutVarint64(footer, 0);
    return footer;
  };
  ExpectCorrupt(WithFooter(area_, one_column("")), "bad column 0");
  std::string twice;
  PutVarint64(twice, 2);
  for (int i = 0; i < 2; ++i) {
    PutLengthPrefixed(twice, "c");
    twice.push_back(static_cast<char>(i));
    PutVarint64(twice, 0);
  }
  PutVarint64(twice, 0);
  ExpectCorrupt(WithFooter(area_, twice), "column c twice");
  std::string huge;
  PutVarint64(huge, uint64_t{1} << 60);
  ExpectCorrupt(WithFooter(area_, huge), "bad column count");
  std::string many_blocks;
  PutVarint64(many_blocks, 1);
  PutLengthPrefixed(many_blocks, "c");
  many_blocks.push_back(0);
  PutVarint64(many_blocks, uint64_t{1} << 40);
  ExpectCorrupt(WithFooter(area_, many_blocks), "bad column 0");
}

TEST_F(CraftedFooterTest, RowCountOverflow) {
  std::string footer;
  PutVarint64(footer, 1);
  PutLengthPrefixed(footer, "c");
  footer.push_back(0);
  PutVarint64(footer, 2);
  for (int i = 0; i < 2; ++i) {
    PutVarint64(footer, 8);
    PutVarint64(footer, 0);
    PutVarint64(footer, std::numeric_limits<uint64_t>::max());
    PutFixed64(footer, PartChecksum(""));
    PutLengthPrefixed(footer, "");
  }
  PutVarint64(footer, 0);
  ExpectCorrupt(WithFooter(area_, footer), "row count overflows");
}

TEST_F(CraftedFooterTest, MetadataRules) {
  auto with_keys = [](std::vector<std::string> keys) {
    std::string footer;
    PutVarint64(footer, 0);
    PutVarint64(footer, keys.size());
    for (const auto& key : keys) {
      PutLengthPrefixed(footer, key);
      PutLengthPrefixed(footer, "v");
    }
    return footer;
  };
  EXPECT_TRUE(OpenStatus(WithFooter(area_, with_keys({"a", "ab", "b"}))).ok());
  ExpectCorrupt(WithFooter(area_, with_keys({"b", "a"})), "ascending");
  ExpectCorrupt(WithFooter(area_, with_keys({"a", "a"})), "ascending");
  std::string cut = with_keys({"a"});
  cut.pop_back();
  ExpectCorrupt(WithFooter(area_, cut), "bad metadata entry 0");
}

TEST_F(CraftedFooterTest, Varints) {
  // 11 bytes, and a 10th byte past 2^64.
  std::string eleven(10, '\x80');
  eleven.push_back(0);
  ExpectCorrupt(WithFooter(area_, eleven), "bad column count");
  std::string too_big(9, '\xff');
  too_big.push_back(2);
  ExpectCorrupt(WithFooter(area_, too_big), "bad column count");
  // The longest valid form of 0 parses (a non-minimal varint is accepted).
  std::string long_zero(9, '\x80');
  long_zero.push_back(0);
  long_zero.push_back(0);  // metadata count
  EXPECT_TRUE(OpenStatus(WithFooter(area_, long_zero)).ok());
}

TEST_F(CraftedFooterTest, TrailingBytes) {
  std::string footer = Footer({{8, 8}});
  footer.push_back(0);
  ExpectCorrupt(WithFooter(area_, footer), "after its end");
}

TEST_F(CraftedFooterTest, TrailerRules) {
  const std::string good = WithFooter(area_, Footer({{8, 8}}));
  ExpectCorrupt(WithFooter(area_, Footer({{8, 8}}), 2), "format version 2");
  std::string no_header = good;
  no_header[0] = 'X';
  ExpectCorrupt(no_header, "no magic at the start");
  std::string no_magic = good;
  no_magic.back() = 'X';
  ExpectCorrupt(no_magic, "no magic at the end");
  // A trailer that points the footer elsewhere, with a valid trailer checksum.
  std::string moved = good;
  const PartTrailer trailer = *DecodePartTrailer(good.substr(good.size() - 40), "good");
  PartTrailer shifted = trailer;
  shifted.footer_offset -= 8;
  moved.replace(moved.size() - 40, 40, EncodePartTrailer(shifted));
  ExpectCorrupt(moved, "does not end where the trailer starts");
  PartTrailer huge = trailer;
  huge.footer_size = std::numeric_limits<uint64_t>::max();
  moved.replace(moved.size() - 40, 40, EncodePartTrailer(huge));
  ExpectCorrupt(moved, "does not end where the trailer starts");
  std::string checksum = good;
  checksum[good.size() - 40] ^= 1;
  ExpectCorrupt(checksum, "trailer checksum mismatch");
}

// A MappedFile whose bytes the test changes under the reader (which a real
// part never does): shows what each BlockVerification checks.
class MutableMappedFile final : public MappedFile {
 public:
  explicit MutableMappedFile(std::string_view bytes)
      : words_(bytes.size() / 8 + 1), size_(bytes.size()) {
    std::memcpy(words_.data(), bytes.data(), bytes.size());
  }
  std::string_view data() const override {
    return {reinterpret_cast<const char*>(words_.data()), size_};
  }
  const std::string& path() const override { return path_; }
  char* mutable_bytes() { return reinterpret_cast<char*>(words_.data()); }

 private:
  std::vector<uint64_t> words_;
  size_t size_;
  std::string path_ = "mutable";
};

TEST_F(PartReaderCorruptionTest, VerificationModes) {
  const test::PartSpec part = test::SmallPart();
  const std::string bytes = Encode(part);
  for (auto mode :
       {BlockVerification::kFirstRead, BlockVerification::kEveryRead, BlockVerification::kNever}) {
    auto file = std::make_shared<MutableMappedFile>(bytes);
    auto reader = PartReader::Open(file, {mode});
    ASSERT_TRUE(reader.ok());
    ASSERT_TRUE((*reader)->ReadBlock(0, 0).ok());
    file->mutable_bytes()[(*reader)->columns()[0].blocks[0].offset] ^= 1;
    file->mutable_bytes()[(*reader)->columns()[0].blocks[1].offset] ^= 1;
    // Block 0 was checked before the damage; block 1 was not.
    EXPECT_EQ((*reader)->ReadBlock(0, 0).ok(), mode != BlockVerification::kEveryRead);
    EXPECT_EQ((*reader)->ReadBlock(0, 1).ok(), mode == BlockVerification::kNever);
    // The scrub checks all, whatever the mode.
    EXPECT_FALSE((*reader)->VerifyAllBlocks().ok());
  }
}

TEST_F(PartReaderCorruptionTest, ABlockFailsEveryTimeItIsRead) {
  const test::PartSpec part = test::SmallPart();
  std::string bytes = Encode(part);
  bytes[8] ^= 0x10;  // the first byte of the first block
  auto reader = PartReader::Open(NewMemoryMappedFile("damaged", bytes), {});
  ASSERT_TRUE(reader.ok());
  EXPECT_FALSE((*reader)->ReadBlock(0, 0).ok());
  EXPECT_FALSE((*reader)->ReadBlock(0, 0).ok());
  EXPECT_TRUE((*reader)->ReadBlock(0, 1).ok());
  const Status status = (*reader)->VerifyAllBlocks();
  EXPECT_NE(status.cause().find("block 0 of column timestamp fails its checksum"),
            std::string::npos)
      << status.ToString();
}

TEST_F(PartReaderCorruptionTest, MisalignedMappingIsRefused) {
  const std::string bytes = Encode(test::SmallPart());
  class Shifted final : public MappedFile {
   public:
    explicit Shifted(std::string_view bytes) : storage_(" " + std::string(bytes)) {}
    std::string_view data() const override { return std::string_view(storage_).substr(1); }
    const std::string& path() const override { return path_; }

   private:
    std::string storage_;
    std::string path_ = "shifted";
  };
  auto shifted = std::make_shared<Shifted>(bytes);
  if (reinterpret_cast<uintptr_t>(shifted->data().data()) % 8 == 0) GTEST_SKIP();
  EXPECT_FALSE(PartReader::Open(shifted, {}).ok());
}

}  // namespace
}  // namespace cdp::columnar
