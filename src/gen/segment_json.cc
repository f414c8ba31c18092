#include "gen/segment_json.h"

#include <cstring>
#include <string_view>

namespace cdp::gen {

namespace {

constexpr int64_t kDayMs = 86'400'000;

constexpr std::string_view kBrowserLibrary =
    R"("library":{"name":"analytics.js","version":"npm:next-1.76.0"})";
constexpr std::string_view kServerLibrary =
    R"("library":{"name":"@segment/analytics-node","version":"2.1.2"})";

// Appends by memcpy; every piece written here is JSON-safe (see catalog.h).
class Out {
 public:
  explicit Out(std::string& s) : s_(s) {}
  Out& operator<<(std::string_view text) {
    s_.append(text.data(), text.size());
    return *this;
  }
  Out& operator<<(char c) {
    s_.push_back(c);
    return *this;
  }
  Out& Uint(uint64_t value) {
    char buffer[20];
    int n = 0;
    do {
      buffer[n++] = static_cast<char>('0' + value % 10);
      value /= 10;
    } while (value != 0);
    while (n > 0) s_.push_back(buffer[--n]);
    return *this;
  }
  // An amount in minor units as a JSON number with two decimals: 9900 -> 99.00.
  Out& Money(int64_t minor) {
    Uint(static_cast<uint64_t>(minor / 100));
    s_.push_back('.');
    s_.push_back(static_cast<char>('0' + (minor / 10) % 10));
    s_.push_back(static_cast<char>('0' + minor % 10));
    return *this;
  }
  Out& Ip(uint32_t ip) {
    Uint(ip >> 24) << '.';
    Uint((ip >> 16) & 255) << '.';
    Uint((ip >> 8) & 255) << '.';
    return Uint(ip & 255);
  }
  std::string& str() { return s_; }

 private:
  std::string& s_;
};

// Howard Hinnant's civil_from_days.
void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

void Two(unsigned value, char* out) {
  out[0] = static_cast<char>('0' + value / 10);
  out[1] = static_cast<char>('0' + value % 10);
}

void Referrer(Out& out, uint8_t referrer) {
  if (referrer == kNoReferrer) return;
  if (referrer >= kPageReferrer) {
    const Page& page = GetPage(static_cast<PageId>(referrer - kPageReferrer));
    out << page.origin << page.path;
    return;
  }
  out << ReferrerUrl(static_cast<ReferrerId>(referrer));
}

// {"path":...,"referrer":...,"search":...,"title":...,"url":...}: the page
// call's properties, and context.page of every browser event.
void PageObject(Out& out, const SimEvent& event) {
  const Page& page = GetPage(static_cast<PageId>(event.page));
  const std::string_view search = event.campaign == kNoCampaign
                                      ? std::string_view()
                                      : GetCampaign(static_cast<CampaignId>(event.campaign)).query;
  out << R"({"path":")" << page.path << R"(","referrer":")";
  Referrer(out, event.referrer);
  out << R"(","search":")" << search << R"(","title":")" << page.title << R"(","url":")"
      << page.origin << page.path << search << "\"}";
}

void Capitalized(Out& out, std::string_view name) {
  out << static_cast<char>(name[0] - 'a' + 'A') << name.substr(1);
}

int64_t PriceMinor(Plan plan, uint8_t billing, Currency currency) {
  return MonthlyPriceMinor(plan, currency) * (billing == 1 ? 10 : 1);
}

}  // namespace

void SegmentJsonWriter::FormatTimestamp(int64_t unix_ms, char* out) {
  const int64_t day = unix_ms >= 0 ? unix_ms / kDayMs : (unix_ms - kDayMs + 1) / kDayMs;
  if (day != cached_day_) {
    int64_t y;
    unsigned m, d;
    CivilFromDays(day, y, m, d);
    // The simulation window lies within years 1970..9999 (the options are checked).
    const auto year = static_cast<unsigned>(y);
    Two(year / 100, cached_date_);
    Two(year % 100, cached_date_ + 2);
    cached_date_[4] = '-';
    Two(m, cached_date_ + 5);
    cached_date_[7] = '-';
    Two(d, cached_date_ + 8);
    cached_day_ = day;
  }
  std::memcpy(out, cached_date_, 10);
  out[10] = 'T';
  auto in_day = static_cast<unsigned>(unix_ms - day * kDayMs);
  const unsigned ms = in_day % 1000;
  in_day /= 1000;
  Two(in_day / 3600, out + 11);
  out[13] = ':';
  Two((in_day / 60) % 60, out + 14);
  out[16] = ':';
  Two(in_day % 60, out + 17);
  out[19] = '.';
  out[20] = static_cast<char>('0' + ms / 100);
  Two(ms % 100, out + 21);
  out[23] = 'Z';
}

void SegmentJsonWriter::Write(const SimEvent& event, const Person& person, std::string& s) {
  Out out(s);
  char id[SyntheticIds::kUuidChars];
  char ts[24];
  const bool server = event.kind == EventKind::kOrderCompleted;
  const Region& region = Regions()[person.region];
  const Currency currency = region.currency;

  switch (event.kind) {
    case EventKind::kPage:
      out << R"({"type":"page",)";
      break;
    case EventKind::kIdentify:
      out << R"({"type":"identify",)";
      break;
    default:
      out << R"({"type":"track",)";
      break;
  }
  ids_.MessageId(event.person, event.seq, id);
  out << R"("messageId":")" << std::string_view(id, sizeof id);
  FormatTimestamp(event.ts_ms, ts);
  out << R"(","timestamp":")" << std::string_view(ts, sizeof ts) << '"';
  if (!server) {
    ids_.AnonymousId(event.person, event.device, id);
    out << R"(,"anonymousId":")" << std::string_view(id, sizeof id) << '"';
  }
  if (server || event.identified) {
    char user[SyntheticIds::kPrefixedChars];
    ids_.UserId(event.person, user);
    out << R"(,"userId":")" << std::string_view(user, sizeof user) << '"';
  }

  switch (event.kind) {
    case EventKind::kPage:
      out << R"(,"name":")" << GetPage(static_cast<PageId>(event.page)).name
          << R"(","properties":)";
      PageObject(out, event);
      break;
    case EventKind::kIdentify: {
      const std::string_view first = FirstNames()[person.first_name];
      const std::string_view last = LastNames()[person.last_name];
      out << R"(,"traits":{"email":")" << first << '.' << last;
      out.Uint(event.person) << '@' << kEmailDomains[person.email_domain] << R"(","name":")";
      Capitalized(out, first);
      out << ' ';
      Capitalized(out, last);
      FormatTimestamp(person.signup_ms, ts);
      out << R"(","plan":")" << PlanName(event.plan) << R"(","country":")" << region.country
          << R"(","created_at":")" << std::string_view(ts, sizeof ts) << "\"}";
      break;
    }
    case EventKind::kSignedUp:
      out << R"(,"event":"Signed Up","properties":{"method":")" << kSignupMethods[event.option]
          << R"(","plan":")" << PlanName(Plan::kFree) << "\"}";
      break;
    case EventKind::kSignedIn:
      out << R"(,"event":"Signed In","properties":{"method":")" << kSignupMethods[event.option]
          << "\"}";
      break;
    case EventKind::kProjectCreated: {
      char project[SyntheticIds::kPrefixedChars];
      ids_.ProjectId(event.person, event.number, project);
      out << R"(,"event":"Project Created","properties":{"project_id":")"
          << std::string_view(project, sizeof project) << R"(","template":")"
          << kProjectTemplates[event.option] << "\"}";
      break;
    }
    case EventKind::kFeatureUsed:
      out << R"(,"event":"Feature Used","properties":{"feature":")" << kFeatureNames[event.option]
          << R"(","duration_seconds":)";
      out.Uint(event.seconds) << '}';
      break;
    case EventKind::kCheckoutStarted:
      out << R"(,"event":"Checkout Started","properties":{"plan":")" << PlanName(event.plan)
          << R"(","billing_period":")" << kBillingPeriods[event.option] << R"(","price":)";
      out.Money(PriceMinor(event.plan, event.option, currency))
          << R"(,"currency":")" << CurrencyCode(currency) << "\"}";
      break;
    case EventKind::kOrderCompleted: {
      char order[SyntheticIds::kPrefixedChars];
      ids_.OrderId(event.person, event.number, order);
      const int64_t price = PriceMinor(event.plan, event.option, currency);
      const int64_t discount = event.coupon ? price / 5 : 0;
      out << R"(,"event":"Order Completed","properties":{"order_id":")"
          << std::string_view(order, sizeof order) << R"(","plan":")" << PlanName(event.plan)
          << R"(","billing_period":")" << kBillingPeriods[event.option] << R"(","price":)";
      out.Money(price) << R"(,"discount":)";
      out.Money(discount) << R"(,"revenue":)";
      out.Money(price - discount) << R"(,"currency":")" << CurrencyCode(currency) << '"';
      if (event.coupon) out << R"(,"coupon":")" << kCoupon << '"';
      out << '}';
      break;
    }
  }

  if (server) {
    out << R"(,"context":{)" << kServerLibrary << "}}";
    return;
  }
  out << R"(,"context":{"ip":")";
  out.Ip(person.ip[event.device]) << R"(","userAgent":")"
                                  << UserAgents()[person.user_agent[event.device]].text
                                  << R"(","locale":")" << region.locale << R"(","timezone":")"
                                  << region.timezone << R"(",)" << kBrowserLibrary << R"(,"page":)";
  PageObject(out, event);
  if (event.campaign != kNoCampaign) {
    const Campaign& campaign = GetCampaign(static_cast<CampaignId>(event.campaign));
    out << R"(,"campaign":{"name":")" << campaign.name << R"(","source":")" << campaign.source
        << R"(","medium":")" << campaign.medium << "\"}";
  }
  out << "}}";
}

}  // namespace cdp::gen
