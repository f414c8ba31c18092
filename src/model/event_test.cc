#include "model/event.h"

#include <gtest/gtest.h>

namespace cdp {
namespace {

TEST(EventTypeTest, NamesRoundTrip) {
  for (EventType type : {EventType::kTrack, EventType::kIdentify, EventType::kPage,
                         EventType::kScreen, EventType::kGroup, EventType::kAlias}) {
    EXPECT_EQ(ParseEventType(EventTypeName(type)), type);
  }
  EXPECT_EQ(EventTypeName(EventType::kIdentify), "identify");
  EXPECT_EQ(ParseEventType("Track"), std::nullopt);
  EXPECT_EQ(ParseEventType(""), std::nullopt);
  EXPECT_EQ(ParseEventType("batch"), std::nullopt);
}

TEST(PropertyTest, TypeFollowsTheValue) {
  const Property text{"a", std::string("x"), std::nullopt};
  const Property number{"a", 1.5, std::nullopt};
  const Property boolean{"a", true, std::nullopt};
  const Property time{"a", std::string("2024-05-01T10:00:00Z"), TimePoint{}};
  const Property null{"a", std::monostate{}, std::nullopt};
  EXPECT_EQ(text.type(), PropertyType::kString);
  EXPECT_EQ(number.type(), PropertyType::kNumber);
  EXPECT_EQ(boolean.type(), PropertyType::kBoolean);
  EXPECT_EQ(time.type(), PropertyType::kTimestamp);
  EXPECT_TRUE(null.is_null());
  EXPECT_FALSE(text.is_null());
}

TEST(PropertyTypeTest, Names) {
  EXPECT_EQ(PropertyTypeName(PropertyType::kString), "string");
  EXPECT_EQ(PropertyTypeName(PropertyType::kNumber), "number");
  EXPECT_EQ(PropertyTypeName(PropertyType::kBoolean), "boolean");
  EXPECT_EQ(PropertyTypeName(PropertyType::kTimestamp), "timestamp");
}

}  // namespace
}  // namespace cdp
