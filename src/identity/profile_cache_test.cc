#include "identity/profile_cache.h"

#include <gtest/gtest.h>

namespace cdp::identity {
namespace {

ProfileView ViewOf(std::string person, int64_t events) {
  ProfileView view;
  view.profile_id = "prs_" + person;
  view.profile.person = std::move(person);
  view.profile.event_count = events;
  return view;
}

TEST(ProfileCacheTest, KeepsAViewForTheTtl) {
  ManualClock clock(FromUnixMicros(1'000'000));
  ProfileCache cache(clock, std::chrono::seconds(30), 10);
  EXPECT_FALSE(cache.Get("ws", "a").has_value());
  cache.Put("ws", "a", ViewOf("a", 1));
  clock.Advance(std::chrono::seconds(29));
  ASSERT_TRUE(cache.Get("ws", "a").has_value());
  EXPECT_EQ(cache.Get("ws", "a")->profile.event_count, 1);
  EXPECT_FALSE(cache.Get("ws2", "a").has_value());
  EXPECT_FALSE(cache.Get("ws", "b").has_value());
  clock.Advance(std::chrono::seconds(1));
  EXPECT_FALSE(cache.Get("ws", "a").has_value());
  EXPECT_EQ(cache.size(), 0u);
}

TEST(ProfileCacheTest, APutReplacesAndRestartsTheTtl) {
  ManualClock clock;
  ProfileCache cache(clock, std::chrono::seconds(30), 10);
  cache.Put("ws", "a", ViewOf("a", 1));
  clock.Advance(std::chrono::seconds(20));
  cache.Put("ws", "a", ViewOf("a", 2));
  clock.Advance(std::chrono::seconds(20));
  ASSERT_TRUE(cache.Get("ws", "a").has_value());
  EXPECT_EQ(cache.Get("ws", "a")->profile.event_count, 2);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(ProfileCacheTest, DropsTheLeastRecentlyUsedBeyondItsSize) {
  ManualClock clock;
  ProfileCache cache(clock, std::chrono::seconds(30), 3);
  cache.Put("ws", "a", ViewOf("a", 1));
  cache.Put("ws", "b", ViewOf("b", 1));
  cache.Put("ws", "c", ViewOf("c", 1));
  ASSERT_TRUE(cache.Get("ws", "a").has_value());  // b is now the least recently used
  cache.Put("ws", "d", ViewOf("d", 1));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_TRUE(cache.Get("ws", "a").has_value());
  EXPECT_FALSE(cache.Get("ws", "b").has_value());
  EXPECT_TRUE(cache.Get("ws", "c").has_value());
  EXPECT_TRUE(cache.Get("ws", "d").has_value());
}

TEST(ProfileCacheTest, ErasesOneWorkspace) {
  ManualClock clock;
  ProfileCache cache(clock, std::chrono::seconds(30), 10);
  cache.Put("ws1", "a", ViewOf("a", 1));
  cache.Put("ws2", "a", ViewOf("a", 1));
  cache.Put("ws1", "b", ViewOf("b", 1));
  cache.EraseWorkspace("ws1");
  EXPECT_FALSE(cache.Get("ws1", "a").has_value());
  EXPECT_FALSE(cache.Get("ws1", "b").has_value());
  EXPECT_TRUE(cache.Get("ws2", "a").has_value());
}

TEST(ProfileCacheTest, AZeroTtlOrSizeKeepsNothing) {
  ManualClock clock;
  ProfileCache no_ttl(clock, std::chrono::seconds(0), 10);
  no_ttl.Put("ws", "a", ViewOf("a", 1));
  EXPECT_FALSE(no_ttl.Get("ws", "a").has_value());
  ProfileCache no_room(clock, std::chrono::seconds(30), 0);
  no_room.Put("ws", "a", ViewOf("a", 1));
  EXPECT_FALSE(no_room.Get("ws", "a").has_value());
}

}  // namespace
}  // namespace cdp::identity
