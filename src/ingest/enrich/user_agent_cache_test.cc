#include "ingest/enrich/user_agent_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace cdp::ingest::enrich {
namespace {

constexpr std::string_view kRules = R"yaml(
user_agent_parsers:
  - regex: '(Browser)/(\d+)'
os_parsers:
  - regex: '(Os) (\d+)'
device_parsers:
  - regex: '(Phone)(\d+)'
)yaml";

std::unique_ptr<UserAgentParser> Parser() {
  auto parser = UserAgentParser::FromYaml(kRules);
  EXPECT_TRUE(parser.ok()) << parser.status().ToString();
  return std::move(parser).value();
}

TEST(CachingUserAgentParserTest, HitsReturnTheCachedValue) {
  CachingUserAgentParser cache(Parser());
  const auto first = cache.Parse("Browser/7 (Os 3; Phone12)");
  const auto second = cache.Parse("Browser/7 (Os 3; Phone12)");
  EXPECT_EQ(first, second);  // the same entry
  EXPECT_EQ(*first, cache.parser().Parse("Browser/7 (Os 3; Phone12)"));
  EXPECT_EQ(first->browser_family, "Browser");
  EXPECT_EQ(first->OsVersion(), "3");
  EXPECT_EQ(first->device_model, "Phone");
  const auto stats = cache.stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.entries, 1u);
}

TEST(CachingUserAgentParserTest, EvictsTheLeastRecentlyUsed) {
  CachingUserAgentParser cache(Parser(), /*capacity=*/2, /*shards=*/1);
  const auto a = cache.Parse("Browser/1");
  cache.Parse("Browser/2");
  cache.Parse("Browser/1");  // now 2 is the least recently used
  cache.Parse("Browser/3");  // evicts 2
  EXPECT_EQ(cache.stats().entries, 2u);
  const uint64_t misses = cache.stats().misses;
  cache.Parse("Browser/1");
  cache.Parse("Browser/3");
  EXPECT_EQ(cache.stats().misses, misses);
  cache.Parse("Browser/2");
  EXPECT_EQ(cache.stats().misses, misses + 1);
  // An evicted entry stays valid for whoever holds it.
  cache.Parse("Browser/4");
  cache.Parse("Browser/5");
  EXPECT_EQ(a->browser_major, "1");
}

TEST(CachingUserAgentParserTest, StaysWithinCapacity) {
  CachingUserAgentParser cache(Parser(), /*capacity=*/64);
  for (int i = 0; i < 5000; ++i) cache.Parse("Browser/" + std::to_string(i));
  // Each of the 16 shards holds at most 64 / 16 entries.
  EXPECT_LE(cache.stats().entries, 64u);
  EXPECT_EQ(cache.stats().misses, 5000u);
}

TEST(CachingUserAgentParserTest, KeysOnWhatTheParserReads) {
  CachingUserAgentParser cache(Parser());
  const std::string prefix = "Browser/1 " + std::string(kMaxUserAgentBytes, 'x');
  EXPECT_EQ(cache.Parse(prefix + "a"), cache.Parse(prefix + "b"));
}

TEST(CachingUserAgentParserTest, ConcurrentParsesAgreeWithTheParser) {
  CachingUserAgentParser cache(Parser(), /*capacity=*/32);  // small: constant eviction
  std::vector<std::string> agents;
  for (int i = 0; i < 100; ++i) {
    agents.push_back("Browser/" + std::to_string(i) + " (Os " + std::to_string(i % 7) + "; Phone" +
                     std::to_string(i % 13) + ")");
  }
  std::vector<UserAgentInfo> expected;
  for (const std::string& agent : agents) expected.push_back(cache.parser().Parse(agent));
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 3000; ++i) {
        const size_t index = (i * 7 + t * 13) % agents.size();
        if (*cache.Parse(agents[index]) != expected[index]) ++mismatches[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
  const auto stats = cache.stats();
  EXPECT_EQ(stats.hits + stats.misses, 12000u);
  EXPECT_LE(stats.entries, 32u);
}

}  // namespace
}  // namespace cdp::ingest::enrich
