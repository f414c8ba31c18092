#include "ingest/enrich/enricher.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "ingest/enrich/maxmind_geo_locator.h"
#include "ingest/property_test_util.h"

namespace cdp::ingest::enrich {
namespace {

constexpr std::string_view kIphone =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1";
constexpr std::string_view kGooglebot =
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

// A few rules in uap-core's format, enough for the enricher's own tests.
constexpr std::string_view kRules = R"yaml(
user_agent_parsers:
  - regex: '(Googlebot)/(\d+)\.(\d+)'
  - regex: 'Version/(\d+)\.(\d+)(?:\.(\d+)|).{0,100}Mobile.{0,100}Safari/'
    family_replacement: 'Mobile Safari'
    v1_replacement: '$1'
    v2_replacement: '$2'
    v3_replacement: '$3'
os_parsers:
  - regex: 'CPU iPhone OS (\d+)_(\d+)(?:_(\d+)|)'
    os_replacement: 'iOS'
    os_v1_replacement: '$1'
    os_v2_replacement: '$2'
    os_v3_replacement: '$3'
device_parsers:
  - regex: 'Googlebot'
    device_replacement: 'Spider'
    brand_replacement: 'Spider'
    model_replacement: 'Desktop'
  - regex: '(iPhone)'
    device_replacement: 'iPhone'
    brand_replacement: 'Apple'
    model_replacement: 'iPhone'
)yaml";

std::unique_ptr<CachingUserAgentParser> SmallParser() {
  auto parser = UserAgentParser::FromYaml(kRules);
  EXPECT_TRUE(parser.ok()) << parser.status().ToString();
  return std::make_unique<CachingUserAgentParser>(std::move(parser).value());
}

// Answers from a table and records what it was asked; "fail" fails.
class FakeGeoLocator final : public GeoLocator {
 public:
  Result<GeoLocation> Locate(std::string_view ip) const override {
    std::lock_guard lock(mutex_);
    asked_.emplace_back(ip);
    if (ip == "fail") return Status::Internal("corrupt test database");
    GeoLocation location;
    if (ip == "203.0.113.7" || ip == "2001:db8:1:2::3") {
      location.country_code = "NZ";
      location.region_code = "AUK";
      location.region_name = "Auckland";
      location.city = "Auckland";
    }
    return location;
  }
  std::string Describe() const override { return "fake"; }
  std::vector<std::string> asked() const {
    std::lock_guard lock(mutex_);
    return asked_;
  }

 private:
  mutable std::mutex mutex_;
  mutable std::vector<std::string> asked_;
};

Property StringProperty(std::string name, std::string value) {
  return Property{std::move(name), std::move(value), std::nullopt};
}

struct Fixture {
  explicit Fixture(IpPolicy policy = IpPolicy::kKeep) {
    auto geo = std::make_unique<FakeGeoLocator>();
    fake = geo.get();
    enricher = std::make_unique<Enricher>(SmallParser(), std::move(geo), EnricherOptions{policy});
  }
  FakeGeoLocator* fake;
  std::unique_ptr<Enricher> enricher;
};

const PropertyMap kIphoneInAuckland = {
    {"ip", "s:203.0.113.7"},         {"user_agent", "s:" + std::string(kIphone)},
    {"is_bot", "b:false"},           {"browser", "s:Mobile Safari"},
    {"browser_version", "s:17.1.2"}, {"os", "s:iOS"},
    {"os_version", "s:17.1.2"},      {"device_type", "s:mobile"},
    {"device_brand", "s:Apple"},     {"device_model", "s:iPhone"},
    {"geo_country", "s:NZ"},         {"geo_region", "s:AUK"},
    {"geo_city", "s:Auckland"},
};

TEST(EnricherTest, AddsEveryProperty) {
  Fixture f;
  Event event;
  event.context.push_back(StringProperty("page_url", "https://example.com/"));
  f.enricher->Enrich(event, "203.0.113.7", kIphone);
  PropertyMap expected = kIphoneInAuckland;
  expected["page_url"] = "s:https://example.com/";
  EXPECT_EQ(Describe(event.context), expected);
  EXPECT_EQ(event.context.front().name, "page_url");  // the client's come first, in order
  EXPECT_EQ(f.fake->asked(), std::vector<std::string>{"203.0.113.7"});
}

TEST(EnricherTest, TruncateStoresTheNetworkButLocatesTheFullAddress) {
  Fixture f(IpPolicy::kTruncate);
  Event event;
  f.enricher->Enrich(event, "203.0.113.7", kIphone);
  PropertyMap expected = kIphoneInAuckland;
  expected["ip"] = "s:203.0.113.0";
  EXPECT_EQ(Describe(event.context), expected);
  EXPECT_EQ(f.fake->asked(), std::vector<std::string>{"203.0.113.7"});

  Event v6;
  f.enricher->Enrich(v6, "2001:db8:1:2::3", "");
  EXPECT_EQ(Describe(v6.context), (PropertyMap{{"ip", "s:2001:db8:1::"},
                                               {"geo_country", "s:NZ"},
                                               {"geo_region", "s:AUK"},
                                               {"geo_city", "s:Auckland"}}));
}

TEST(EnricherTest, DropRemovesEveryIpTheEventCarries) {
  Fixture f(IpPolicy::kDrop);
  Event event;
  event.context.push_back(StringProperty("ip", "198.51.100.1"));  // the client's own
  f.enricher->Enrich(event, "203.0.113.7", kIphone);
  PropertyMap expected = kIphoneInAuckland;
  expected.erase("ip");
  EXPECT_EQ(Describe(event.context), expected);
}

TEST(EnricherTest, TheGivenIpAndUserAgentReplaceTheClients) {
  Fixture f;
  Event event;
  event.context.push_back(StringProperty("ip", "198.51.100.1"));
  event.context.push_back(StringProperty("user_agent", "SomethingElse/1.0"));
  f.enricher->Enrich(event, "203.0.113.7", kIphone);
  EXPECT_EQ(Describe(event.context), kIphoneInAuckland);
  EXPECT_EQ(event.context[0].name, "ip");  // replaced in place
  EXPECT_EQ(event.context[1].name, "user_agent");
}

TEST(EnricherTest, WithoutGivenValuesTheClientsAreUsed) {
  Fixture f(IpPolicy::kTruncate);
  Event event;
  event.context.push_back(StringProperty("ip", "203.0.113.7"));
  event.context.push_back(StringProperty("user_agent", std::string(kIphone)));
  f.enricher->Enrich(event, "", "");
  PropertyMap expected = kIphoneInAuckland;
  expected["ip"] = "s:203.0.113.0";  // the policy applies to the client's address too
  EXPECT_EQ(Describe(event.context), expected);
}

TEST(EnricherTest, DerivedValuesTheClientSentAreKept) {
  Fixture f;
  Event event;
  // What a mobile SDK sends: context.os.version, context.device.{model,type}.
  event.context.push_back(StringProperty("os_version", "17.1.1"));
  event.context.push_back(StringProperty("device_model", "iPhone14,2"));
  event.context.push_back(StringProperty("device_type", "ios"));
  event.context.push_back(Property{"browser", std::monostate{}, std::nullopt});  // null: filled
  event.context.push_back(StringProperty("geo_city", "Wellington"));
  f.enricher->Enrich(event, "203.0.113.7", kIphone);
  PropertyMap expected = kIphoneInAuckland;
  expected["os_version"] = "s:17.1.1";
  expected["device_model"] = "s:iPhone14,2";
  expected["device_type"] = "s:ios";
  expected["geo_city"] = "s:Wellington";
  EXPECT_EQ(Describe(event.context), expected);  // and no name twice
}

TEST(EnricherTest, IsBotIsTheServersJudgement) {
  Fixture f;
  Event event;
  event.context.push_back(Property{"is_bot", false, std::nullopt});
  f.enricher->Enrich(event, "203.0.113.7", kGooglebot);
  const PropertyMap context = Describe(event.context);
  EXPECT_EQ(context.at("is_bot"), "b:true");
  EXPECT_EQ(context.at("device_type"), "s:bot");
  EXPECT_EQ(context.at("browser"), "s:Googlebot");
  EXPECT_EQ(context.at("browser_version"), "s:2.1");
  EXPECT_EQ(context.at("os"), "s:Other");
  EXPECT_FALSE(context.contains("os_version"));
  EXPECT_EQ(context.at("device_brand"), "s:Spider");
}

TEST(EnricherTest, NothingOfAUserAgentWithoutOne) {
  Fixture f;
  Event event;
  f.enricher->Enrich(event, "198.51.100.1", "");
  EXPECT_EQ(Describe(event.context), (PropertyMap{{"ip", "s:198.51.100.1"}}));  // geo unknown

  Event nothing;
  f.enricher->Enrich(nothing, "", "");
  EXPECT_TRUE(nothing.context.empty());
  EXPECT_EQ(f.fake->asked(), std::vector<std::string>{"198.51.100.1"});
}

TEST(EnricherTest, AGeoFailureLeavesGeoOutAndIsCounted) {
  Fixture f;
  Event event;
  f.enricher->Enrich(event, "fail", kIphone);
  PropertyMap expected = kIphoneInAuckland;
  expected["ip"] = "s:fail";  // keep stores what it was given
  expected.erase("geo_country");
  expected.erase("geo_region");
  expected.erase("geo_city");
  EXPECT_EQ(Describe(event.context), expected);
  EXPECT_EQ(f.enricher->geo_errors(), 1u);
}

TEST(EnricherTest, WorksWithoutParserOrGeo) {
  Enricher enricher(nullptr, nullptr, EnricherOptions{IpPolicy::kTruncate});
  Event event;
  enricher.Enrich(event, "203.0.113.7", kIphone);
  EXPECT_EQ(Describe(event.context),
            (PropertyMap{{"ip", "s:203.0.113.0"}, {"user_agent", "s:" + std::string(kIphone)}}));
}

TEST(EnricherTest, UapCoreAndAMaxMindDatabase) {
  auto parser = UserAgentParser::Load(CDP_UAP_REGEXES);
  ASSERT_TRUE(parser.ok()) << parser.status().ToString();
  auto geo = OpenMaxMindGeoLocator(CDP_TEST_MMDB);
  ASSERT_TRUE(geo.ok()) << geo.status().ToString();
  const Enricher enricher(std::make_unique<CachingUserAgentParser>(std::move(parser).value()),
                          std::move(geo).value(), EnricherOptions{IpPolicy::kTruncate});
  Event event;
  enricher.Enrich(event, "81.2.69.142",
                  "Mozilla/5.0 (Linux; Android 12; SM-X700) AppleWebKit/537.36 (KHTML, like "
                  "Gecko) Chrome/119.0.0.0 Safari/537.36");
  EXPECT_EQ(Describe(event.context),
            (PropertyMap{
                {"ip", "s:81.2.69.0"},
                {"user_agent",
                 "s:Mozilla/5.0 (Linux; Android 12; SM-X700) AppleWebKit/537.36 (KHTML, like "
                 "Gecko) Chrome/119.0.0.0 Safari/537.36"},
                {"is_bot", "b:false"},
                {"browser", "s:Chrome"},
                {"browser_version", "s:119.0.0.0"},
                {"os", "s:Android"},
                {"os_version", "s:12"},
                {"device_type", "s:tablet"},
                {"device_brand", "s:Generic_Android_Tablet"},
                {"device_model", "s:SM-X700"},
                {"geo_country", "s:GB"},
                {"geo_region", "s:ENG"},
                {"geo_city", "s:London"},
            }));
}

// Prints what enriching an event costs with uap-core behind the cache and
// Debian's country database; asserts nothing about time.
TEST(EnricherTest, Timing) {
  auto parser = UserAgentParser::Load(CDP_UAP_REGEXES);
  ASSERT_TRUE(parser.ok()) << parser.status().ToString();
  auto geo = OpenGeoLocator(GeoLocatorOptions{});
  ASSERT_TRUE(geo.ok()) << geo.status().ToString();
  const Enricher enricher(std::make_unique<CachingUserAgentParser>(std::move(parser).value()),
                          std::move(geo).value(), EnricherOptions{IpPolicy::kTruncate});
  const std::vector<std::string> ips = {"8.8.8.8", "81.2.69.142",
                                        "2a02:2e0:3fe:1001:302::", "193.99.144.80", "10.0.0.1"};
  const std::vector<std::string_view> agents = {kIphone, kGooglebot};
  constexpr int kEvents = 20'000;
  Event template_event;
  template_event.context.push_back(StringProperty("library_name", "analytics.js"));
  template_event.context.push_back(StringProperty("page_url", "https://example.com/pricing"));
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kEvents; ++i) {
    Event event = template_event;
    enricher.Enrich(event, ips[i % ips.size()], agents[i % agents.size()]);
  }
  const double micros =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "enrich: %.2f us per event (cached user agents, GeoIP country, truncate), one thread\n",
      micros / kEvents);
}

TEST(EnricherTest, ConcurrentEnrichment) {
  Fixture f(IpPolicy::kTruncate);
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        Event event;
        f.enricher->Enrich(event, "203.0.113.7", i % 2 ? kIphone : kGooglebot);
        if (Describe(event.context).at("is_bot") != (i % 2 ? "b:false" : "b:true")) ++wrong[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace cdp::ingest::enrich
