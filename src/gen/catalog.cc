#include "gen/catalog.h"

#include <cassert>

#include "gen/split_mix64.h"

namespace cdp::gen {

WeightedIndex::WeightedIndex(std::span<const uint32_t> weights) : count_(weights.size()) {
  assert(count_ > 0 && count_ <= kMaxEntries);
  uint32_t total = 0;
  for (size_t i = 0; i < count_; ++i) {
    total += weights[i];
    cumulative_[i] = total;
  }
  assert(total > 0);
}

size_t WeightedIndex::Pick(SplitMix64& rng) const {
  const uint32_t draw = static_cast<uint32_t>(rng.Below(cumulative_[count_ - 1]));
  size_t i = 0;
  while (cumulative_[i] <= draw) ++i;
  return i;
}

std::string_view CurrencyCode(Currency currency) {
  static constexpr std::array<std::string_view, 8> kCodes = {"USD", "EUR", "GBP", "INR",
                                                             "BRL", "CAD", "JPY", "AUD"};
  return kCodes[static_cast<size_t>(currency)];
}

namespace {

constexpr uint16_t Net(int a, int b) { return static_cast<uint16_t>((a << 8) | b); }

// Networks checked with geoiplookup against Debian's GeoIP.dat (all 256 /24s).
constexpr std::array<Region, 18> kRegions = {{
    {"US",
     "en-US",
     "America/New_York",
     -300,
     Currency::kUsd,
     {Net(73, 12), Net(24, 30), Net(172, 56)},
     190},
    {"US",
     "en-US",
     "America/Chicago",
     -360,
     Currency::kUsd,
     {Net(98, 207), Net(71, 190), Net(107, 77)},
     60},
    {"US",
     "en-US",
     "America/Los_Angeles",
     -480,
     Currency::kUsd,
     {Net(76, 88), Net(24, 30), Net(172, 56)},
     120},
    {"GB",
     "en-GB",
     "Europe/London",
     0,
     Currency::kGbp,
     {Net(81, 96), Net(86, 128), Net(92, 40)},
     100},
    {"DE",
     "de-DE",
     "Europe/Berlin",
     60,
     Currency::kEur,
     {Net(84, 128), Net(91, 64), Net(93, 192)},
     90},
    {"FR",
     "fr-FR",
     "Europe/Paris",
     60,
     Currency::kEur,
     {Net(90, 0), Net(82, 64), Net(78, 192)},
     60},
    {"IN",
     "en-IN",
     "Asia/Kolkata",
     330,
     Currency::kInr,
     {Net(49, 36), Net(106, 192), Net(117, 96)},
     80},
    {"BR",
     "pt-BR",
     "America/Sao_Paulo",
     -180,
     Currency::kBrl,
     {Net(177, 0), Net(179, 96), Net(189, 6)},
     60},
    {"CA",
     "en-CA",
     "America/Toronto",
     -300,
     Currency::kCad,
     {Net(99, 224), Net(142, 112), Net(184, 144)},
     40},
    {"JP",
     "ja-JP",
     "Asia/Tokyo",
     540,
     Currency::kJpy,
     {Net(126, 0), Net(153, 240), Net(219, 100)},
     30},
    {"AU",
     "en-AU",
     "Australia/Sydney",
     600,
     Currency::kAud,
     {Net(1, 144), Net(101, 160), Net(120, 144)},
     30},
    {"NL",
     "nl-NL",
     "Europe/Amsterdam",
     60,
     Currency::kEur,
     {Net(77, 160), Net(83, 80), Net(145, 130)},
     30},
    {"ES",
     "es-ES",
     "Europe/Madrid",
     60,
     Currency::kEur,
     {Net(79, 144), Net(88, 0), Net(85, 48)},
     30},
    {"SE",
     "sv-SE",
     "Europe/Stockholm",
     60,
     Currency::kEur,
     {Net(90, 224), Net(83, 248), Net(78, 64)},
     20},
    {"PL", "pl-PL", "Europe/Warsaw", 60, Currency::kEur, {Net(83, 0), Net(89, 64), Net(31, 0)}, 20},
    {"MX",
     "es-MX",
     "America/Mexico_City",
     -360,
     Currency::kUsd,
     {Net(187, 128), Net(189, 128), Net(201, 141)},
     20},
    {"SG",
     "en-SG",
     "Asia/Singapore",
     480,
     Currency::kUsd,
     {Net(116, 86), Net(175, 156), Net(118, 200)},
     10},
    {"CA",
     "fr-CA",
     "America/Toronto",
     -300,
     Currency::kCad,
     {Net(70, 48), Net(99, 224), Net(184, 144)},
     10},
}};

constexpr std::array<UserAgent, 10> kUserAgents = {{
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36",
     false, 290},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36",
     false, 140},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/18.1 Safari/605.1.15",
     false, 80},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
     true, 160},
    {"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Mobile Safari/537.36",
     true, 140},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
     false, 70},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", false, 50},
    {"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", false, 20},
    {"Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
     "SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
     true, 30},
    {"Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/18.1 Mobile/15E148 Safari/604.1",
     true, 20},
}};

constexpr std::string_view kWww = "https://www.example.com";
constexpr std::string_view kApp = "https://app.example.com";

constexpr std::array<Page, kPageCount> kPages = {{
    {kWww, "/", "Home", "Acme: product analytics for modern teams"},
    {kWww, "/pricing", "Pricing", "Pricing | Acme"},
    {kWww, "/features", "Features", "Features | Acme"},
    {kWww, "/features/funnels", "Funnels", "Funnels | Acme"},
    {kWww, "/customers", "Customers", "Customers | Acme"},
    {kWww, "/blog", "Blog", "Blog | Acme"},
    {kWww, "/blog/how-to-measure-retention", "How to measure retention",
     "How to measure retention | Acme Blog"},
    {kWww, "/blog/event-tracking-plan", "Writing an event tracking plan",
     "Writing an event tracking plan | Acme Blog"},
    {kWww, "/blog/funnels-vs-paths", "Funnels vs. paths", "Funnels vs. paths | Acme Blog"},
    {kWww, "/docs", "Docs", "Documentation | Acme"},
    {kWww, "/docs/quickstart", "Quickstart", "Quickstart | Acme Docs"},
    {kApp, "/signup", "Sign Up", "Create your account | Acme"},
    {kApp, "/login", "Log In", "Log in | Acme"},
    {kApp, "/", "Dashboard", "Dashboard | Acme"},
    {kApp, "/projects", "Projects", "Projects | Acme"},
    {kApp, "/projects/new", "New Project", "New project | Acme"},
    {kApp, "/insights", "Insights", "Insights | Acme"},
    {kApp, "/funnels", "Funnels", "Funnels | Acme"},
    {kApp, "/retention", "Retention", "Retention | Acme"},
    {kApp, "/settings", "Settings", "Settings | Acme"},
    {kApp, "/settings/billing", "Billing", "Billing | Acme"},
    {kApp, "/checkout", "Checkout", "Checkout | Acme"},
}};

constexpr std::array<std::string_view, kReferrerCount> kReferrers = {
    "https://www.google.com/",       "https://www.bing.com/",
    "https://duckduckgo.com/",       "https://t.co/",
    "https://www.linkedin.com/",     "https://www.facebook.com/",
    "https://news.ycombinator.com/", "https://www.producthunt.com/",
    "https://github.com/",           "https://www.reddit.com/",
};

constexpr std::array<Campaign, kCampaignCount> kCampaigns = {{
    {"google", "cpc", "brand_search",
     "?utm_source=google&utm_medium=cpc&utm_campaign=brand_search"},
    {"google", "cpc", "product_analytics_generic",
     "?utm_source=google&utm_medium=cpc&utm_campaign=product_analytics_generic"},
    {"bing", "cpc", "brand_search", "?utm_source=bing&utm_medium=cpc&utm_campaign=brand_search"},
    {"linkedin", "paid_social", "q4_launch",
     "?utm_source=linkedin&utm_medium=paid_social&utm_campaign=q4_launch"},
    {"facebook", "paid_social", "retargeting",
     "?utm_source=facebook&utm_medium=paid_social&utm_campaign=retargeting"},
    {"newsletter", "email", "weekly_digest",
     "?utm_source=newsletter&utm_medium=email&utm_campaign=weekly_digest"},
    {"lifecycle", "email", "onboarding_day3",
     "?utm_source=lifecycle&utm_medium=email&utm_campaign=onboarding_day3"},
    {"lifecycle", "email", "winback",
     "?utm_source=lifecycle&utm_medium=email&utm_campaign=winback"},
}};

// Monthly list prices in minor units, per currency (USD, EUR, GBP, INR, BRL,
// CAD, JPY, AUD), for starter, pro and business.
constexpr std::array<std::array<int64_t, 3>, 8> kMonthlyPrices = {{
    {2900, 9900, 49900},
    {2700, 8900, 44900},
    {2400, 7900, 39900},
    {199900, 699900, 3499900},
    {14900, 49900, 249900},
    {3900, 12900, 64900},
    {400000, 1400000, 7000000},
    {4500, 14900, 74900},
}};

constexpr std::array<std::string_view, 32> kFirstNames = {
    "james",   "mary",   "wei",    "priya", "lucas",  "sofia",  "mohammed", "emma",
    "hiroshi", "olivia", "carlos", "ana",   "noah",   "fatima", "liam",     "chloe",
    "arjun",   "yuki",   "mateo",  "elena", "oliver", "amara",  "jonas",    "ines",
    "david",   "sara",   "pierre", "lena",  "rahul",  "grace",  "felix",    "nora",
};
constexpr std::array<std::string_view, 32> kLastNames = {
    "smith",  "garcia",    "muller",    "kim",      "silva",  "johnson", "nguyen", "tanaka",
    "brown",  "martin",    "rossi",     "kowalski", "patel",  "dubois",  "santos", "jensen",
    "lopez",  "schneider", "wilson",    "sato",     "murphy", "novak",   "ali",    "fischer",
    "moreau", "costa",     "andersson", "walker",   "singh",  "hughes",  "berg",   "taylor",
};

}  // namespace

std::span<const Region> Regions() { return kRegions; }
std::span<const UserAgent> UserAgents() { return kUserAgents; }
const Page& GetPage(PageId id) { return kPages[id]; }
std::string_view ReferrerUrl(ReferrerId id) { return kReferrers[id]; }
const Campaign& GetCampaign(CampaignId id) { return kCampaigns[id]; }

std::string_view PlanName(Plan plan) {
  static constexpr std::array<std::string_view, 4> kNames = {"free", "starter", "pro", "business"};
  return kNames[static_cast<size_t>(plan)];
}

int64_t MonthlyPriceMinor(Plan plan, Currency currency) {
  assert(plan != Plan::kFree);
  return kMonthlyPrices[static_cast<size_t>(currency)][static_cast<size_t>(plan) - 1];
}

std::span<const std::string_view> FirstNames() { return kFirstNames; }
std::span<const std::string_view> LastNames() { return kLastNames; }

}  // namespace cdp::gen
