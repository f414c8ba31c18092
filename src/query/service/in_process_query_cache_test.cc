#include "query/service/in_process_query_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace cdp::query {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

CachedQueryResult Result(std::string json, uint64_t rows = 1) { return {std::move(json), rows}; }

TEST(QueryCacheKeyTest, NamesWorkspaceKindPersonsVersionAndHash) {
  const std::string key = QueryCacheKey("ws_a", QueryKind::kFunnel, R"({"a":1})", 7);
  EXPECT_TRUE(key.starts_with("query:ws_a:funnel:p7:")) << key;
  EXPECT_EQ(key.size(), std::string("query:ws_a:funnel:p7:").size() + 32);
  EXPECT_EQ(key, QueryCacheKey("ws_a", QueryKind::kFunnel, R"({"a":1})", 7));
  EXPECT_NE(key, QueryCacheKey("ws_b", QueryKind::kFunnel, R"({"a":1})", 7));
  EXPECT_NE(key, QueryCacheKey("ws_a", QueryKind::kTrends, R"({"a":1})", 7));
  EXPECT_NE(key, QueryCacheKey("ws_a", QueryKind::kFunnel, R"({"a":2})", 7));
  // A merge makes a new snapshot version: answers from before it miss.
  EXPECT_NE(key, QueryCacheKey("ws_a", QueryKind::kFunnel, R"({"a":1})", 8));
}

TEST(InProcessQueryCacheTest, KeepsUntilTheTtlEnds) {
  ManualClock clock(TimePoint{} + seconds(1000));
  InProcessQueryCache cache(1 << 20, clock);
  EXPECT_FALSE(cache.Get("k").has_value());
  cache.Put("k", Result(R"({"count":3})", 7), seconds(60));
  clock.Advance(seconds(59));
  const std::optional<CachedQueryResult> hit = cache.Get("k");
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->result_json, R"({"count":3})");
  EXPECT_EQ(hit->rows, 7u);
  clock.Advance(seconds(1));
  EXPECT_FALSE(cache.Get("k").has_value());
  // The expired entry is gone, not merely hidden.
  EXPECT_EQ(cache.entries(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(InProcessQueryCacheTest, PutReplacesAndRestartsTheTtl) {
  ManualClock clock;
  InProcessQueryCache cache(1 << 20, clock);
  cache.Put("k", Result("1"), seconds(10));
  clock.Advance(seconds(8));
  cache.Put("k", Result("2"), seconds(10));
  clock.Advance(seconds(8));
  ASSERT_TRUE(cache.Get("k").has_value());
  EXPECT_EQ(cache.Get("k")->result_json, "2");
  EXPECT_EQ(cache.entries(), 1u);
  EXPECT_EQ(cache.bytes(), InProcessQueryCache::EntryBytes("k", Result("2")));
}

TEST(InProcessQueryCacheTest, StaysWithinItsBytesDroppingTheLeastRecentlyUsed) {
  ManualClock clock;
  const std::string value(1000, 'x');
  const size_t entry = InProcessQueryCache::EntryBytes("k0", Result(value));
  InProcessQueryCache cache(3 * entry, clock);
  cache.Put("k0", Result(value), seconds(60));
  cache.Put("k1", Result(value), seconds(60));
  cache.Put("k2", Result(value), seconds(60));
  EXPECT_EQ(cache.entries(), 3u);
  // k0 becomes the most recently used; k1 is then the least.
  ASSERT_TRUE(cache.Get("k0").has_value());
  cache.Put("k3", Result(value), seconds(60));
  EXPECT_EQ(cache.entries(), 3u);
  EXPECT_LE(cache.bytes(), 3 * entry);
  EXPECT_TRUE(cache.Get("k0").has_value());
  EXPECT_FALSE(cache.Get("k1").has_value());
  EXPECT_TRUE(cache.Get("k2").has_value());
  EXPECT_TRUE(cache.Get("k3").has_value());

  // A larger entry pushes out as many as it needs.
  cache.Put("big", Result(std::string(2500, 'y')), seconds(60));
  EXPECT_LE(cache.bytes(), 3 * entry);
  EXPECT_TRUE(cache.Get("big").has_value());
  EXPECT_EQ(cache.entries(), 1u);
}

TEST(InProcessQueryCacheTest, NeverKeepsAnEntryLargerThanTheBound) {
  ManualClock clock;
  InProcessQueryCache cache(4096, clock);
  cache.Put("small", Result("1"), seconds(60));
  cache.Put("huge", Result(std::string(8192, 'x')), seconds(60));
  EXPECT_FALSE(cache.Get("huge").has_value());
  EXPECT_TRUE(cache.Get("small").has_value());
}

TEST(InProcessQueryCacheTest, ManyKeysKeepTheAccountingExact) {
  ManualClock clock;
  InProcessQueryCache cache(50'000, clock);
  size_t expected_max = 0;
  for (int i = 0; i < 2000; ++i) {
    const std::string key = "key" + std::to_string(i % 300);
    cache.Put(key, Result(std::string(i % 97, 'v')), milliseconds(1 + i % 5 * 1000));
    if (i % 3 == 0) clock.Advance(milliseconds(700));
    (void)cache.Get("key" + std::to_string((i * 7) % 300));
    expected_max = std::max(expected_max, cache.bytes());
  }
  EXPECT_LE(expected_max, 50'000u);
  // Every entry's bytes add up to the total: erase everything by expiry.
  clock.Advance(seconds(3600));
  for (int i = 0; i < 300; ++i) EXPECT_FALSE(cache.Get("key" + std::to_string(i)).has_value());
  EXPECT_EQ(cache.entries(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
}

}  // namespace
}  // namespace cdp::query
