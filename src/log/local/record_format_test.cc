#include "log/local/record_format.h"

#include <gtest/gtest.h>

#include <random>

namespace cdp::local_log {
namespace {

std::string RandomBytes(std::mt19937& rng, size_t size) {
  std::string out(size, '\0');
  for (auto& c : out) c = static_cast<char>(rng());
  return out;
}

TEST(RecordFormatTest, RoundTripsRandomRecords) {
  std::mt19937 rng(7);
  std::string buffer;
  std::vector<std::pair<std::string, std::string>> written;
  for (uint64_t offset = 0; offset < 500; ++offset) {
    std::string key = RandomBytes(rng, rng() % 40);
    std::string payload = RandomBytes(rng, rng() % 3000);
    AppendFramedRecord(buffer, 1000 + offset, key, payload);
    written.emplace_back(std::move(key), std::move(payload));
  }
  std::string_view rest = buffer;
  for (uint64_t i = 0; i < written.size(); ++i) {
    DecodedRecord record;
    ASSERT_EQ(DecodeFramedRecord(rest, record), DecodeResult::kRecord) << i;
    EXPECT_EQ(record.offset, 1000 + i);
    EXPECT_EQ(record.key, written[i].first);
    EXPECT_EQ(record.payload, written[i].second);
    EXPECT_EQ(record.frame_bytes, FramedRecordSize(written[i].first, written[i].second));
    rest.remove_prefix(record.frame_bytes);
  }
  EXPECT_TRUE(rest.empty());
}

TEST(RecordFormatTest, EveryTruncationIsIncompleteNeverARecord) {
  std::string buffer;
  AppendFramedRecord(buffer, 42, "anon-1", R"({"event":"Signed Up"})");
  for (size_t length = 0; length < buffer.size(); ++length) {
    DecodedRecord record;
    EXPECT_EQ(DecodeFramedRecord(std::string_view(buffer).substr(0, length), record),
              DecodeResult::kIncomplete)
        << length;
  }
}

TEST(RecordFormatTest, AnyFlippedBodyByteIsCorrupt) {
  std::string original;
  AppendFramedRecord(original, 7, "key", "payload bytes");
  for (size_t i = kFrameHeaderBytes; i < original.size(); ++i) {
    std::string damaged = original;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x10);
    DecodedRecord record;
    EXPECT_EQ(DecodeFramedRecord(damaged, record), DecodeResult::kCorrupt) << i;
  }
}

TEST(RecordFormatTest, AbsurdLengthIsCorrupt) {
  std::string buffer(16, '\xff');
  DecodedRecord record;
  EXPECT_EQ(DecodeFramedRecord(buffer, record), DecodeResult::kCorrupt);
  std::string tiny(16, '\0');  // length 0 is below the body header
  EXPECT_EQ(DecodeFramedRecord(tiny, record), DecodeResult::kCorrupt);
}

}  // namespace
}  // namespace cdp::local_log
