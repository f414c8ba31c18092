#include "identity/link_request.h"

#include <gtest/gtest.h>

namespace cdp::identity {
namespace {

Event MakeEvent(EventType type, std::string anonymous_id, std::string user_id,
                std::string previous_id = "") {
  Event event;
  event.workspace_id = "ws";
  event.type = type;
  event.anonymous_id = std::move(anonymous_id);
  event.user_id = std::move(user_id);
  event.previous_id = std::move(previous_id);
  return event;
}

TEST(LinkRequestTest, IdentifyLinksTheAnonymousIdToTheUserId) {
  const Event event = MakeEvent(EventType::kIdentify, "anon", "user");
  const std::optional<LinkRequest> request = LinkRequestOf(event);
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->from, "anon");
  EXPECT_EQ(request->to, "user");
  EXPECT_EQ(request->kind, LinkKind::kIdentify);
}

TEST(LinkRequestTest, AliasLinksThePreviousIdToTheUserId) {
  const Event event = MakeEvent(EventType::kAlias, "anon", "user", "old");
  const std::optional<LinkRequest> request = LinkRequestOf(event);
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->from, "old");
  EXPECT_EQ(request->to, "user");
  EXPECT_EQ(request->kind, LinkKind::kAlias);
}

TEST(LinkRequestTest, NoLinkWithoutTwoDifferentIds) {
  EXPECT_FALSE(LinkRequestOf(MakeEvent(EventType::kIdentify, "", "user")).has_value());
  EXPECT_FALSE(LinkRequestOf(MakeEvent(EventType::kIdentify, "anon", "")).has_value());
  EXPECT_FALSE(LinkRequestOf(MakeEvent(EventType::kIdentify, "same", "same")).has_value());
  EXPECT_FALSE(LinkRequestOf(MakeEvent(EventType::kAlias, "anon", "user", "")).has_value());
  EXPECT_FALSE(LinkRequestOf(MakeEvent(EventType::kAlias, "", "user", "user")).has_value());
  for (const EventType type :
       {EventType::kTrack, EventType::kPage, EventType::kScreen, EventType::kGroup}) {
    EXPECT_FALSE(LinkRequestOf(MakeEvent(type, "anon", "user", "old")).has_value());
  }
}

TEST(LinkRequestTest, OnlyABooleanTrueMergesDangerously) {
  Event event = MakeEvent(EventType::kAlias, "", "user", "old");
  event.context.push_back({"ip", std::string("203.0.113.1"), std::nullopt});
  event.context.push_back({"merge_dangerously", true, std::nullopt});
  EXPECT_EQ(LinkRequestOf(event)->kind, LinkKind::kMergeDangerously);

  event.context.back().value = false;
  EXPECT_EQ(LinkRequestOf(event)->kind, LinkKind::kAlias);
  event.context.back().value = std::string("true");
  EXPECT_EQ(LinkRequestOf(event)->kind, LinkKind::kAlias);
  event.context.back().value = 1.0;
  EXPECT_EQ(LinkRequestOf(event)->kind, LinkKind::kAlias);

  Event identify = MakeEvent(EventType::kIdentify, "anon", "user");
  identify.context.push_back({"merge_dangerously", true, std::nullopt});
  EXPECT_EQ(LinkRequestOf(identify)->kind, LinkKind::kMergeDangerously);
  // A property of that name elsewhere in the event is no request.
  Event in_properties = MakeEvent(EventType::kIdentify, "anon", "user");
  in_properties.properties.push_back({"merge_dangerously", true, std::nullopt});
  in_properties.traits.push_back({"merge_dangerously", true, std::nullopt});
  EXPECT_EQ(LinkRequestOf(in_properties)->kind, LinkKind::kIdentify);
}

}  // namespace
}  // namespace cdp::identity
