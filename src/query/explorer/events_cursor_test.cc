#include "query/explorer/events_cursor.h"

#include <gtest/gtest.h>

#include <cctype>
#include <limits>
#include <random>

namespace cdp::query {
namespace {

TEST(EventsCursorTest, RoundTripsPositions) {
  const EventPosition positions[] = {
      {0, ""},
      {1'767'225'600'000'000, "0192f3c4-aaaa-7bbb-8ccc-0123456789ab"},
      {-86'400'000'000, "before 1970"},
      {std::numeric_limits<int64_t>::max(), "ünïcödé \"quoted\" \\ and \x01 bytes"},
      {std::numeric_limits<int64_t>::min(), std::string(1000, 'x')},
  };
  for (const EventsOrder order : {EventsOrder::kNewestFirst, EventsOrder::kOldestFirst}) {
    for (const EventPosition& position : positions) {
      const std::string cursor = EncodeEventsCursor(order, position);
      for (const char c : cursor) EXPECT_TRUE(std::isalnum(uint8_t(c)) || c == '-' || c == '_');
      const Result<EventPosition> decoded = DecodeEventsCursor(cursor, order, "cursor");
      ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
      EXPECT_EQ(*decoded, position);
    }
  }
}

TEST(EventsCursorTest, RefusesACursorOfTheOtherOrder) {
  const std::string cursor = EncodeEventsCursor(EventsOrder::kNewestFirst, {42, "m1"});
  const Result<EventPosition> decoded = DecodeEventsCursor(cursor, EventsOrder::kOldestFirst, "c");
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), ErrorCode::kBadRequest);
  EXPECT_EQ(decoded.status().field(), "c");
}

TEST(EventsCursorTest, RefusesEveryOneCharacterEdit) {
  const std::string cursor = EncodeEventsCursor(EventsOrder::kOldestFirst, {1'767'225'600, "m-17"});
  const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/.";
  for (size_t i = 0; i < cursor.size(); ++i) {
    for (const char c : alphabet) {
      if (c == cursor[i]) continue;
      std::string edited = cursor;
      edited[i] = c;
      EXPECT_FALSE(DecodeEventsCursor(edited, EventsOrder::kOldestFirst, "cursor").ok()) << edited;
    }
    // Dropped and doubled characters too.
    std::string shorter = cursor;
    shorter.erase(i, 1);
    EXPECT_FALSE(DecodeEventsCursor(shorter, EventsOrder::kOldestFirst, "cursor").ok());
    std::string longer = cursor;
    longer.insert(i, 1, cursor[i]);
    EXPECT_FALSE(DecodeEventsCursor(longer, EventsOrder::kOldestFirst, "cursor").ok());
  }
}

TEST(EventsCursorTest, RandomTextIsABadRequestNeverACrash) {
  std::mt19937_64 random(11);
  for (int i = 0; i < 20'000; ++i) {
    std::string text(random() % 40, '\0');
    for (char& c : text) c = static_cast<char>(random() % 256);
    const Result<EventPosition> decoded = DecodeEventsCursor(text, EventsOrder::kNewestFirst, "c");
    ASSERT_FALSE(decoded.ok()) << text;
    EXPECT_EQ(decoded.status().code(), ErrorCode::kBadRequest);
    EXPECT_EQ(decoded.status().field(), "c");
  }
  EXPECT_FALSE(DecodeEventsCursor("", EventsOrder::kNewestFirst, "c").ok());
  EXPECT_FALSE(DecodeEventsCursor(std::string(5000, 'A'), EventsOrder::kNewestFirst, "c").ok());
}

}  // namespace
}  // namespace cdp::query
