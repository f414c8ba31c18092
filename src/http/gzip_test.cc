#include "http/gzip.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>

#include "support/raw_http_client.h"

namespace cdp::http {
namespace {

std::string Deflate(std::string_view text) {
  uLongf size = compressBound(text.size());
  std::string out(size, '\0');
  compress2(reinterpret_cast<Bytef*>(out.data()), &size,
            reinterpret_cast<const Bytef*>(text.data()), text.size(), 6);
  out.resize(size);
  return out;
}

std::string RandomText(size_t size, unsigned seed) {
  std::mt19937 rng(seed);
  std::string text(size, ' ');
  for (auto& c : text) c = static_cast<char>('a' + rng() % 26);
  return text;
}

TEST(GzipTest, IdentityPassesThrough) {
  auto body = DecodeContentEncoding("identity", "hello", 100);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, "hello");
  EXPECT_EQ(*DecodeContentEncoding("", "hello", 100), "hello");
}

TEST(GzipTest, InflatesGzipOfManySizes) {
  for (size_t size : {0, 1, 100, 4096, 100'000, 1'000'000}) {
    const std::string text = RandomText(size, static_cast<unsigned>(size));
    auto body = DecodeContentEncoding("gzip", testing::Gzip(text), 2'000'000);
    ASSERT_TRUE(body.ok()) << size << ": " << body.status().ToString();
    EXPECT_EQ(*body, text);
  }
}

TEST(GzipTest, AcceptsEncodingNamesCaseInsensitively) {
  EXPECT_EQ(*DecodeContentEncoding(" GZIP ", testing::Gzip("x"), 10), "x");
  EXPECT_EQ(*DecodeContentEncoding("x-gzip", testing::Gzip("x"), 10), "x");
  EXPECT_EQ(*DecodeContentEncoding("deflate", Deflate("yy"), 10), "yy");
}

TEST(GzipTest, DecodedSizeExactlyAtLimitIsAccepted) {
  const std::string text(1000, 'a');
  auto body = DecodeContentEncoding("gzip", testing::Gzip(text), 1000);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->size(), 1000u);
}

TEST(GzipTest, OneByteOverTheLimitIsPayloadTooLarge) {
  const std::string text(1001, 'a');
  auto body = DecodeContentEncoding("gzip", testing::Gzip(text), 1000);
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.status().code(), ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(body.status().http_status(), 413);
}

TEST(GzipTest, CompressionBombStopsAtTheLimit) {
  // 100 MB of zeros compresses to about 100 KB; decoding must stop at 1 MB.
  const std::string bomb = testing::Gzip(std::string(100 << 20, '\0'));
  ASSERT_LT(bomb.size(), 200'000u);
  auto body = DecodeContentEncoding("gzip", bomb, 1 << 20);
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.status().code(), ErrorCode::kPayloadTooLarge);
}

TEST(GzipTest, IdentityBodyOverLimitIsPayloadTooLarge) {
  auto body = DecodeContentEncoding("identity", std::string(11, 'a'), 10);
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.status().code(), ErrorCode::kPayloadTooLarge);
}

TEST(GzipTest, CorruptStreamIsBadRequest) {
  auto garbage = DecodeContentEncoding("gzip", "this is not gzip", 1000);
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.status().code(), ErrorCode::kBadRequest);

  std::string truncated = testing::Gzip(RandomText(10'000, 1));
  truncated.resize(truncated.size() / 2);
  auto cut = DecodeContentEncoding("gzip", truncated, 100'000);
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.status().code(), ErrorCode::kBadRequest);
  EXPECT_NE(cut.status().message().find("truncated"), std::string::npos);

  auto trailing = DecodeContentEncoding("gzip", testing::Gzip("abc") + "junk", 1000);
  ASSERT_FALSE(trailing.ok());
  EXPECT_EQ(trailing.status().code(), ErrorCode::kBadRequest);
}

TEST(GzipTest, UnknownEncodingIsUnsupportedMediaType) {
  auto body = DecodeContentEncoding("br", "....", 1000);
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.status().code(), ErrorCode::kUnsupportedMediaType);
  EXPECT_EQ(body.status().http_status(), 415);
}

}  // namespace
}  // namespace cdp::http
