#include "gen/catalog.h"

#include <gtest/gtest.h>

#include <set>

#include "gen/split_mix64.h"

namespace cdp::gen {
namespace {

// The event writer copies catalog strings without escaping.
bool JsonSafe(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x80 || c == '"' || c == '\\') return false;
  }
  return true;
}

TEST(CatalogTest, WeightsArePerMille) {
  uint32_t regions = 0;
  for (const Region& region : Regions()) regions += region.weight;
  EXPECT_EQ(regions, 1000u);
  uint32_t agents = 0;
  for (const UserAgent& agent : UserAgents()) agents += agent.weight;
  EXPECT_EQ(agents, 1000u);
}

TEST(CatalogTest, EveryStringIsJsonSafe) {
  for (const Region& region : Regions()) {
    EXPECT_TRUE(JsonSafe(region.country) && JsonSafe(region.locale) && JsonSafe(region.timezone));
  }
  for (const UserAgent& agent : UserAgents()) EXPECT_TRUE(JsonSafe(agent.text)) << agent.text;
  for (int page = 0; page < kPageCount; ++page) {
    const Page& p = GetPage(static_cast<PageId>(page));
    EXPECT_TRUE(JsonSafe(p.origin) && JsonSafe(p.path) && JsonSafe(p.name) && JsonSafe(p.title))
        << p.path;
  }
  for (int referrer = 0; referrer < kReferrerCount; ++referrer) {
    EXPECT_TRUE(JsonSafe(ReferrerUrl(static_cast<ReferrerId>(referrer))));
  }
  for (int campaign = 0; campaign < kCampaignCount; ++campaign) {
    const Campaign& c = GetCampaign(static_cast<CampaignId>(campaign));
    EXPECT_TRUE(JsonSafe(c.source) && JsonSafe(c.medium) && JsonSafe(c.name) && JsonSafe(c.query));
    EXPECT_EQ(c.query, "?utm_source=" + std::string(c.source) + "&utm_medium=" +
                           std::string(c.medium) + "&utm_campaign=" + std::string(c.name));
  }
  for (std::string_view name : FirstNames()) EXPECT_TRUE(JsonSafe(name) && name[0] >= 'a');
  for (std::string_view name : LastNames()) EXPECT_TRUE(JsonSafe(name) && name[0] >= 'a');
}

TEST(CatalogTest, PricesAreSetForEveryPlanAndCurrency) {
  for (int currency = 0; currency < 8; ++currency) {
    const auto c = static_cast<Currency>(currency);
    EXPECT_EQ(CurrencyCode(c).size(), 3u);
    EXPECT_LT(MonthlyPriceMinor(Plan::kStarter, c), MonthlyPriceMinor(Plan::kPro, c));
    EXPECT_LT(MonthlyPriceMinor(Plan::kPro, c), MonthlyPriceMinor(Plan::kBusiness, c));
  }
}

TEST(CatalogTest, WeightedIndexFollowsItsWeights) {
  const uint32_t weights[] = {1, 0, 3};
  const WeightedIndex index(weights);
  SplitMix64 rng(7);
  int counts[3] = {0, 0, 0};
  for (int i = 0; i < 40000; ++i) ++counts[index.Pick(rng)];
  EXPECT_EQ(counts[1], 0);
  EXPECT_NEAR(counts[0] / 40000.0, 0.25, 0.01);
  EXPECT_NEAR(counts[2] / 40000.0, 0.75, 0.01);
}

}  // namespace
}  // namespace cdp::gen
