#pragma once

// The fixed vocabulary of the synthetic product: where visitors come from
// (regions with their IP networks, browsers, referrers, campaigns), what
// they see (pages) and what they buy (plans and prices). Every string here is
// JSON-safe as it stands (ASCII, no quote, backslash or control character),
// so the event writer copies them without escaping.

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace cdp::gen {

class SplitMix64;

// A table of integer weights; Pick draws an index with probability
// weight / total. Immutable after construction.
class WeightedIndex {
 public:
  WeightedIndex() = default;
  explicit WeightedIndex(std::span<const uint32_t> weights);
  size_t Pick(SplitMix64& rng) const;
  size_t size() const { return count_; }

 private:
  static constexpr size_t kMaxEntries = 32;
  std::array<uint32_t, kMaxEntries> cumulative_{};
  size_t count_ = 0;
};

enum class Currency : uint8_t { kUsd, kEur, kGbp, kInr, kBrl, kCad, kJpy, kAud };
std::string_view CurrencyCode(Currency currency);

// A country and one of its time zones. Offsets are standard time: the
// generator ignores daylight saving.
struct Region {
  std::string_view country;   // ISO 3166-1 alpha-2
  std::string_view locale;    // BCP 47, as browsers report navigator.language
  std::string_view timezone;  // IANA
  int utc_offset_minutes;
  Currency currency;
  // Three /16 networks of the country's ISPs, (a << 8) | b for "a.b.0.0/16";
  // every address of each maps to `country` in Debian's GeoIP database.
  std::array<uint16_t, 3> networks;
  uint32_t weight;  // share of visitors, in per mille
};
std::span<const Region> Regions();

struct UserAgent {
  std::string_view text;
  bool mobile;
  uint32_t weight;  // share of visitors, in per mille
};
std::span<const UserAgent> UserAgents();

// Pages of the product's site (www) and app (app). Ids are indexes into Pages().
enum PageId : uint8_t {
  kHome,
  kPricing,
  kFeatures,
  kFeatureFunnels,
  kCustomers,
  kBlog,
  kBlogRetention,
  kBlogTrackingPlan,
  kBlogFunnelsVsPaths,
  kDocs,
  kDocsQuickstart,
  kSignup,
  kLogin,
  kAppHome,
  kAppProjects,
  kAppNewProject,
  kAppInsights,
  kAppFunnels,
  kAppRetention,
  kAppSettings,
  kAppBilling,
  kCheckout,
  kPageCount,
};
struct Page {
  std::string_view origin;  // "https://www.example.com"
  std::string_view path;
  std::string_view name;   // the page call's name
  std::string_view title;  // document.title
};
const Page& GetPage(PageId id);

// External referrers (the referrer of a session's landing page).
enum ReferrerId : uint8_t {
  kGoogle,
  kBing,
  kDuckDuckGo,
  kTwitter,
  kLinkedIn,
  kFacebook,
  kHackerNews,
  kProductHunt,
  kGitHub,
  kReddit,
  kReferrerCount,
};
std::string_view ReferrerUrl(ReferrerId id);

struct Campaign {
  std::string_view source;
  std::string_view medium;
  std::string_view name;
  std::string_view query;  // "?utm_source=...&utm_medium=...&utm_campaign=..."
};
enum CampaignId : uint8_t {
  kBrandSearch,
  kGenericSearch,
  kBingBrand,
  kLinkedInLaunch,
  kFacebookRetargeting,
  kWeeklyDigest,
  kOnboardingEmail,
  kWinbackEmail,
  kCampaignCount,
};
const Campaign& GetCampaign(CampaignId id);

// How a session starts: where the visitor comes from and what they land on.
enum class Channel : uint8_t {
  kDirect,
  kOrganicSearch,
  kPaidSearch,
  kPaidSocial,
  kSocial,
  kReferral,
  kEmail,
};

// Paid plans; kFree is every new account's.
enum class Plan : uint8_t { kFree, kStarter, kPro, kBusiness };
std::string_view PlanName(Plan plan);
// The monthly price in the currency's minor units (cents); annual billing is
// ten months. REQUIRES: plan != kFree.
int64_t MonthlyPriceMinor(Plan plan, Currency currency);

inline constexpr std::array<std::string_view, 9> kFeatureNames = {
    "dashboards", "funnels", "retention", "trends", "sql", "cohorts", "paths", "alerts", "exports"};
inline constexpr std::array<uint32_t, 9> kFeatureWeights = {30, 18, 12, 20, 6, 5, 4, 3, 2};
inline constexpr std::array<std::string_view, 4> kProjectTemplates = {"blank", "web_app",
                                                                      "mobile_app", "ecommerce"};
inline constexpr std::array<std::string_view, 3> kSignupMethods = {"email", "google", "github"};
inline constexpr std::array<std::string_view, 2> kBillingPeriods = {"monthly", "annual"};
inline constexpr std::string_view kCoupon = "LAUNCH20";  // 20 % off

std::span<const std::string_view> FirstNames();  // lower case ASCII
std::span<const std::string_view> LastNames();   // lower case ASCII
// Reserved example domains (RFC 2606): no generated address reaches anyone.
inline constexpr std::array<std::string_view, 3> kEmailDomains = {"example.com", "example.org",
                                                                  "example.net"};

}  // namespace cdp::gen
