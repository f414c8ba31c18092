#include "gen/simulation.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace cdp::gen {

namespace {

constexpr int64_t kSecond = 1000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
// Sessions are separated by more than this much inactivity (PostHog's and
// Segment's 30 minutes), and no two events of one session are this far apart.
constexpr int64_t kSessionGap = 30 * kMinute;

// ---- Model parameters (docs/gen.md explains them) -------------------------

// Returns follow a churn hazard per day that falls with the person's age
// (people who stay a while tend to stay), lower for people further down the
// funnel and for engaged people: after a session, the next one is drawn
// after an exponential gap, and happens if the person "survives" the gap.
constexpr double kChurnPerDay[] = {0.45, 0.18, 0.09, 0.05};  // by Stage
// Mean time between the end of one session and the next, in days, by Stage.
constexpr double kReturnMeanDays[] = {2.5, 2.0, 1.4, 1.2};
// The hazard at age t days is kChurnPerDay / (1 + t / kHazardDecayDays).
constexpr double kHazardDecayDays = 7.0;
// Half of first-time visitors never come back, whatever else happens.
constexpr double kFirstVisitReturnChance = 0.5;

// Local hour of day weights: quiet nights, a morning and an evening peak.
constexpr uint32_t kHourWeights[24] = {20,  10,  6,   5,   5,   8,   20, 45, 80, 110, 125, 125,
                                       115, 120, 125, 120, 110, 100, 95, 95, 90, 75,  55,  35};

// ---- Small helpers ---------------------------------------------------------

template <typename T, size_t N>
struct Choices {
  std::array<T, N> values;
  WeightedIndex index;
  Choices(std::array<T, N> v, std::array<uint32_t, N> w) : values(v), index(w) {}
  T Pick(SplitMix64& rng) const { return values[index.Pick(rng)]; }
};

const WeightedIndex& RegionIndex() {
  static const WeightedIndex index = [] {
    std::vector<uint32_t> weights;
    for (const Region& region : Regions()) weights.push_back(region.weight);
    return WeightedIndex(weights);
  }();
  return index;
}

const WeightedIndex& UserAgentIndex() {
  static const WeightedIndex index = [] {
    std::vector<uint32_t> weights;
    for (const UserAgent& agent : UserAgents()) weights.push_back(agent.weight);
    return WeightedIndex(weights);
  }();
  return index;
}

const WeightedIndex& HourIndex() {
  static const WeightedIndex index(kHourWeights);
  return index;
}

// 0 = Sunday.
int DayOfWeek(int64_t unix_ms) {
  const int64_t days = unix_ms >= 0 ? unix_ms / kDay : (unix_ms - kDay + 1) / kDay;
  return static_cast<int>(((days + 4) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
}

int64_t FloorMod(int64_t a, int64_t b) { return ((a % b) + b) % b; }

// A page-to-page reading time: log-normal around 35 s, within a session.
int64_t ReadingTime(SplitMix64& rng) {
  const double ms = rng.LogNormal(35.0 * kSecond, 1.0);
  return std::clamp(static_cast<int64_t>(ms), 3 * kSecond, 15 * kMinute);
}

// The time between an action and the next on the same page.
int64_t ActionTime(SplitMix64& rng) {
  return std::min<int64_t>(kSecond + static_cast<int64_t>(rng.Exponential(6.0 * kSecond)),
                           5 * kMinute);
}

}  // namespace

// ---- One session -----------------------------------------------------------

// The cursor of the session being simulated: its clock, device and page.
class Simulation::Session {
 public:
  Session(Simulation& sim, uint32_t index, int64_t start_ms)
      : sim_(sim), person_(sim.persons_[index]), index_(index), t_(start_ms) {}

  Person& person() { return person_; }
  SplitMix64& rng() { return person_.rng; }
  int64_t now() const { return t_; }
  void Wait(int64_t ms) { t_ += ms; }
  PageId page() const { return page_; }
  uint8_t device() const { return device_; }
  bool identified() const { return identified_; }

  void UseDevice(uint8_t device) {
    device_ = device;
    identified_ = (person_.logged_in >> device) & 1;
  }
  void MarkIdentified() {
    person_.logged_in |= static_cast<uint8_t>(1 << device_);
    identified_ = true;
  }

  // The session's first page view, from an external referrer or none.
  void Land(PageId page, uint8_t referrer, uint8_t campaign) {
    page_ = page;
    referrer_ = referrer;
    SimEvent event = Make(EventKind::kPage);
    event.campaign = campaign;
    Push(event);
  }

  // A later page view, after `wait` ms; the previous page is its referrer.
  void View(PageId page, int64_t wait) {
    t_ += wait;
    referrer_ = static_cast<uint8_t>(kPageReferrer + page_);
    page_ = page;
    Push(Make(EventKind::kPage));
  }

  // An event on the current page (or, for Order Completed, from the server).
  SimEvent Make(EventKind kind) const {
    SimEvent event;
    event.ts_ms = t_;
    event.person = index_;
    event.kind = kind;
    event.device = device_;
    event.identified = identified_;
    event.page = page_;
    event.referrer = referrer_;
    event.plan = person_.plan;
    return event;
  }

  void Push(SimEvent event) {
    // The window's end cuts a session short; the story goes on off-screen.
    if (event.ts_ms >= sim_.end_ms_) return;
    event.seq = person_.seq++;
    sim_.pending_.push(event);
  }

 private:
  Simulation& sim_;
  Person& person_;
  uint32_t index_;
  int64_t t_;
  uint8_t device_ = 0;
  bool identified_ = false;
  PageId page_ = kHome;
  uint8_t referrer_ = kNoReferrer;
};

namespace {

using Session = Simulation::Session;

const std::array<PageId, 3> kBlogPosts = {kBlogRetention, kBlogTrackingPlan, kBlogFunnelsVsPaths};

PageId NextMarketingPage(SplitMix64& rng, PageId current) {
  static const Choices<PageId, 11> kNext(
      {kHome, kPricing, kFeatures, kFeatureFunnels, kCustomers, kBlog, kBlogRetention,
       kBlogTrackingPlan, kBlogFunnelsVsPaths, kDocs, kDocsQuickstart},
      {12, 22, 14, 10, 8, 8, 6, 5, 5, 6, 4});
  PageId next = kNext.Pick(rng);
  if (next == current) next = kNext.Pick(rng);
  return next;
}

PageId NextAppPage(SplitMix64& rng, PageId current, Stage stage) {
  static const Choices<PageId, 7> kNew(
      {kAppHome, kAppProjects, kAppInsights, kAppFunnels, kAppRetention, kAppSettings, kDocs},
      {30, 25, 15, 5, 5, 10, 10});
  static const Choices<PageId, 7> kActive(
      {kAppHome, kAppProjects, kAppInsights, kAppFunnels, kAppRetention, kAppSettings, kAppBilling},
      {20, 12, 30, 18, 12, 5, 3});
  const auto& choices = stage == Stage::kSignedUp ? kNew : kActive;
  PageId next = choices.Pick(rng);
  if (next == current) next = choices.Pick(rng);
  return next;
}

struct Entry {
  PageId page = kHome;
  uint8_t referrer = kNoReferrer;
  uint8_t campaign = kNoCampaign;
};

PageId BlogPost(SplitMix64& rng) { return kBlogPosts[rng.Below(kBlogPosts.size())]; }

// Where a session comes from and lands.
Entry PickEntry(SplitMix64& rng, Channel channel, const Person& person, bool identified) {
  Entry entry;
  const bool known = person.stage != Stage::kAnonymous;
  switch (channel) {
    case Channel::kDirect: {
      if (known && !identified) {
        entry.page = rng.Chance(0.7) ? kLogin : kHome;
      } else if (known) {
        static const Choices<PageId, 3> kPages({kAppHome, kPricing, kDocs}, {85, 5, 10});
        entry.page = kPages.Pick(rng);
      } else {
        static const Choices<PageId, 4> kPages({kHome, kPricing, kDocs, kBlog}, {60, 15, 10, 15});
        entry.page = kPages.Pick(rng);
        if (entry.page == kBlog) entry.page = BlogPost(rng);
      }
      break;
    }
    case Channel::kOrganicSearch: {
      static const Choices<uint8_t, 3> kEngines({kGoogle, kBing, kDuckDuckGo}, {85, 10, 5});
      static const Choices<PageId, 5> kPages(
          {kBlog, kHome, kFeatures, kFeatureFunnels, kDocsQuickstart}, {50, 20, 10, 5, 15});
      entry.referrer = kEngines.Pick(rng);
      entry.page = kPages.Pick(rng);
      if (entry.page == kBlog) entry.page = BlogPost(rng);
      break;
    }
    case Channel::kPaidSearch: {
      static const Choices<PageId, 3> kPages({kHome, kPricing, kFeatures}, {55, 30, 15});
      if (rng.Chance(0.85)) {
        entry.referrer = kGoogle;
        entry.campaign = rng.Chance(0.6) ? kBrandSearch : kGenericSearch;
      } else {
        entry.referrer = kBing;
        entry.campaign = kBingBrand;
      }
      entry.page = kPages.Pick(rng);
      break;
    }
    case Channel::kPaidSocial: {
      static const Choices<PageId, 3> kPages({kFeatureFunnels, kHome, kPricing}, {45, 35, 20});
      if (!known && person.sessions == 0 && rng.Chance(0.6)) {
        entry.referrer = kLinkedIn;
        entry.campaign = kLinkedInLaunch;
      } else {
        entry.referrer = kFacebook;
        entry.campaign = kFacebookRetargeting;
      }
      entry.page = kPages.Pick(rng);
      break;
    }
    case Channel::kSocial: {
      static const Choices<uint8_t, 3> kSites({kTwitter, kLinkedIn, kReddit}, {40, 30, 30});
      entry.referrer = kSites.Pick(rng);
      entry.page = rng.Chance(0.75) ? BlogPost(rng) : kHome;
      break;
    }
    case Channel::kReferral: {
      static const Choices<uint8_t, 3> kSites({kHackerNews, kProductHunt, kGitHub}, {40, 30, 30});
      static const Choices<PageId, 3> kPages({kHome, kBlog, kDocs}, {60, 20, 20});
      entry.referrer = kSites.Pick(rng);
      entry.page = kPages.Pick(rng);
      if (entry.page == kBlog) entry.page = BlogPost(rng);
      break;
    }
    case Channel::kEmail: {
      if (known && identified) {
        const bool new_account = person.stage == Stage::kSignedUp && person.sessions < 4;
        entry.campaign = new_account       ? kOnboardingEmail
                         : rng.Chance(0.5) ? kWinbackEmail
                                           : kWeeklyDigest;
        entry.page = entry.campaign == kWeeklyDigest ? BlogPost(rng) : kAppHome;
      } else {
        entry.campaign = kWeeklyDigest;
        entry.page = rng.Chance(0.8) ? BlogPost(rng) : kPricing;
      }
      break;
    }
  }
  return entry;
}

Channel ReturningChannel(SplitMix64& rng, const Person& person, bool identified) {
  if (person.stage == Stage::kAnonymous) {
    static const Choices<Channel, 7> kAnonymous(
        {Channel::kDirect, Channel::kOrganicSearch, Channel::kPaidSearch, Channel::kPaidSocial,
         Channel::kSocial, Channel::kReferral, Channel::kEmail},
        {45, 25, 5, 10, 5, 5, 5});
    return kAnonymous.Pick(rng);
  }
  if (!identified) return Channel::kDirect;  // a second device: typed in, then logs in
  static const Choices<Channel, 4> kKnown(
      {Channel::kDirect, Channel::kEmail, Channel::kOrganicSearch, Channel::kSocial},
      {65, 20, 10, 5});
  return kKnown.Pick(rng);
}

// "Project Created": the activation moment.
void Activate(Session& s) {
  Person& p = s.person();
  s.View(kAppNewProject, ReadingTime(s.rng()));
  s.Wait(s.rng().Between(15 * kSecond, 90 * kSecond));
  static const Choices<uint8_t, 4> kTemplates({0, 1, 2, 3}, {30, 40, 15, 15});
  SimEvent event = s.Make(EventKind::kProjectCreated);
  event.option = kTemplates.Pick(s.rng());
  event.number = ++p.projects;
  s.Push(event);
  p.stage = Stage::kActivated;
  s.View(kAppInsights, ActionTime(s.rng()));
}

void UseFeatures(Session& s) {
  static const WeightedIndex kFeatureIndex(kFeatureWeights);
  const Person& p = s.person();
  const double chance = std::min(0.6, 0.2 + 0.08 * p.engagement);
  for (int used = 0; used < 6 && s.rng().Chance(chance); ++used) {
    s.Wait(ActionTime(s.rng()) + 2 * kSecond);
    SimEvent event = s.Make(EventKind::kFeatureUsed);
    event.option = static_cast<uint8_t>(kFeatureIndex.Pick(s.rng()));
    event.seconds = static_cast<uint16_t>(
        std::clamp(s.rng().LogNormal(45.0, 1.0), 1.0, static_cast<double>(10 * kMinute / kSecond)));
    s.Push(event);
  }
}

// Pricing, checkout, and (most of the time) the order, which the product's
// server reports; then the browser identifies again with the new plan.
void Checkout(Session& s) {
  Person& p = s.person();
  s.View(s.rng().Chance(0.5) ? kPricing : kAppBilling, ReadingTime(s.rng()));
  static const Choices<Plan, 3> kPlans({Plan::kStarter, Plan::kPro, Plan::kBusiness}, {45, 45, 10});
  const Plan plan = kPlans.Pick(s.rng());
  const uint8_t billing = s.rng().Chance(0.3) ? 1 : 0;
  s.View(kCheckout, ReadingTime(s.rng()));
  s.Wait(s.rng().Between(5 * kSecond, 40 * kSecond));
  SimEvent started = s.Make(EventKind::kCheckoutStarted);
  started.plan = plan;
  started.option = billing;
  s.Push(started);
  if (!s.rng().Chance(0.7)) return;  // abandoned at the payment form
  s.Wait(s.rng().Between(30 * kSecond, 3 * kMinute));
  p.stage = Stage::kPaying;
  p.plan = plan;
  SimEvent order = s.Make(EventKind::kOrderCompleted);
  order.option = billing;
  order.coupon = p.coupon;
  order.number = ++p.orders;
  s.Push(order);
  s.Wait(s.rng().Between(300, 1500));
  s.Push(s.Make(EventKind::kIdentify));
  s.View(kAppHome, s.rng().Between(1 * kSecond, 4 * kSecond));
}

// Pages and actions in the app, for a signed-in person.
void AppVisit(Session& s) {
  Person& p = s.person();
  const double more = std::clamp(0.55 + 0.08 * DeterministicLog(p.engagement), 0.2, 0.9);
  int steps = 1;
  while (steps < 40 && s.rng().Chance(more)) ++steps;
  for (int step = 0; step < steps; ++step) {
    if (step > 0 || s.page() < kAppHome) {
      s.View(NextAppPage(s.rng(), s.page(), p.stage), ReadingTime(s.rng()));
    }
    if (p.stage >= Stage::kActivated) UseFeatures(s);
  }
  if (p.stage == Stage::kSignedUp && s.rng().Chance(0.3 * (0.4 + p.intent))) {
    Activate(s);
  } else if (p.stage == Stage::kActivated &&
             s.rng().Chance(0.06 * (0.3 + p.intent) * std::min(2.0, 0.5 + 0.15 * p.sessions))) {
    Checkout(s);
  }
}

void SignUp(Session& s) {
  Person& p = s.person();
  s.View(kSignup, ReadingTime(s.rng()));
  s.Wait(s.rng().Between(25 * kSecond, 150 * kSecond));  // the form
  p.stage = Stage::kSignedUp;
  p.plan = Plan::kFree;
  p.signup_ms = s.now();
  s.MarkIdentified();
  s.Push(s.Make(EventKind::kIdentify));
  s.Wait(s.rng().Between(200, 900));
  static const Choices<uint8_t, 3> kMethods({0, 1, 2}, {50, 35, 15});
  SimEvent signed_up = s.Make(EventKind::kSignedUp);
  signed_up.option = kMethods.Pick(s.rng());
  s.Push(signed_up);
  s.View(kAppHome, s.rng().Between(1 * kSecond, 3 * kSecond));
  if (s.rng().Chance(0.45 * (0.4 + p.intent))) Activate(s);
  const int pages = static_cast<int>(s.rng().Below(3));
  for (int i = 0; i < pages; ++i) {
    s.View(NextAppPage(s.rng(), s.page(), p.stage), ReadingTime(s.rng()));
    if (p.stage >= Stage::kActivated) UseFeatures(s);
  }
}

void LogIn(Session& s) {
  if (s.page() != kLogin) s.View(kLogin, ReadingTime(s.rng()));
  s.Wait(s.rng().Between(8 * kSecond, 40 * kSecond));
  s.MarkIdentified();
  s.Push(s.Make(EventKind::kIdentify));
  s.Wait(s.rng().Between(200, 900));
  SimEvent signed_in = s.Make(EventKind::kSignedIn);
  signed_in.option = static_cast<uint8_t>(s.rng().Below(kSignupMethods.size()));
  s.Push(signed_in);
  s.View(kAppHome, s.rng().Between(1 * kSecond, 3 * kSecond));
}

void AnonymousVisit(Session& s) {
  const Person& p = s.person();
  const double more = std::clamp(0.42 + 0.1 * DeterministicLog(p.engagement), 0.15, 0.85);
  int pages = 1;
  while (pages < 25 && s.rng().Chance(more)) {
    s.View(NextMarketingPage(s.rng(), s.page()), ReadingTime(s.rng()));
    ++pages;
  }
  const double browsed = 0.15 + 0.25 * std::min(pages - 1, 3);
  const double returning = p.sessions > 0 ? 1.25 : 1.0;
  if (s.rng().Chance(p.intent * browsed * returning)) SignUp(s);
}

}  // namespace

// ---- The simulation --------------------------------------------------------

Simulation::Simulation(const SimulationOptions& options)
    : options_(options),
      end_ms_(options.start_ms + options.days * kDay),
      persons_(options.persons),
      frontier_ms_(options.start_ms) {
  arrivals_.reserve(options.persons);
  for (uint32_t i = 0; i < options.persons; ++i) {
    InitPerson(i);
    arrivals_.push_back({persons_[i].first_ms, i});
  }
  std::sort(arrivals_.begin(), arrivals_.end(),
            [](const SessionStart& a, const SessionStart& b) { return b > a; });
}

void Simulation::InitPerson(uint32_t index) {
  Person& p = persons_[index];
  p.rng = SplitMix64(Mix64(Mix64(options_.seed) + Mix64(index)));
  SplitMix64& rng = p.rng;

  p.region = static_cast<uint8_t>(RegionIndex().Pick(rng));
  const Region& region = Regions()[p.region];
  const auto agents = UserAgents();
  p.user_agent[0] = static_cast<uint8_t>(UserAgentIndex().Pick(rng));
  p.devices = rng.Chance(0.3) ? 2 : 1;
  // The other device is of the other kind: a phone for a desktop user, and back.
  do {
    p.user_agent[1] = static_cast<uint8_t>(UserAgentIndex().Pick(rng));
  } while (agents[p.user_agent[1]].mobile == agents[p.user_agent[0]].mobile);
  const size_t network = rng.Below(3);
  for (int device = 0; device < 2; ++device) {
    const uint32_t net = region.networks[(network + device) % 3];
    const auto third = static_cast<uint32_t>(rng.Below(256));
    const auto fourth = static_cast<uint32_t>(rng.Between(1, 254));
    p.ip[device] = (net << 16) | (third << 8) | fourth;
  }

  static const Choices<Channel, 7> kAcquisition(
      {Channel::kDirect, Channel::kOrganicSearch, Channel::kPaidSearch, Channel::kPaidSocial,
       Channel::kSocial, Channel::kReferral, Channel::kEmail},
      {27, 27, 13, 8, 8, 12, 5});
  p.channel = kAcquisition.Pick(rng);
  p.engagement = static_cast<float>(std::clamp(rng.LogNormal(1.0, 0.8), 0.15, 12.0));
  double intent = rng.Uniform();
  intent *= intent;
  switch (p.channel) {
    case Channel::kPaidSearch:
    case Channel::kEmail:
    case Channel::kReferral:
      intent *= 1.25;
      break;
    case Channel::kSocial:
    case Channel::kPaidSocial:
      intent *= 0.7;
      break;
    default:
      break;
  }
  p.intent = static_cast<float>(std::min(intent, 0.99));
  p.first_name = static_cast<uint8_t>(rng.Below(FirstNames().size()));
  p.last_name = static_cast<uint8_t>(rng.Below(LastNames().size()));
  p.email_domain = static_cast<uint8_t>(rng.Below(kEmailDomains.size()));
  p.coupon = rng.Chance(0.15);

  // Arrival: more on weekdays, a little growth over the window, daytime in
  // the visitor's own time zone.
  const int days = options_.days;
  int64_t day = 0;
  for (;;) {
    day = static_cast<int64_t>(rng.Below(static_cast<uint64_t>(days)));
    const int weekday = DayOfWeek(options_.start_ms + day * kDay);
    const double weight = (1.0 + 0.5 * static_cast<double>(day) / days) *
                          (weekday == 0 || weekday == 6 ? 0.65 : 1.0) / 1.5;
    if (rng.Chance(weight)) break;
  }
  const int64_t local_day_start =
      options_.start_ms + day * kDay - FloorMod(options_.start_ms, kDay);
  const auto hour = static_cast<int64_t>(HourIndex().Pick(rng));
  int64_t t = local_day_start + hour * kHour + static_cast<int64_t>(rng.Below(kHour)) -
              region.utc_offset_minutes * kMinute;
  if (t < options_.start_ms) t += kDay;
  if (t >= end_ms_) t -= kDay;
  p.first_ms = std::clamp(t, options_.start_ms, end_ms_ - 1);
}

bool Simulation::PeekSession(SessionStart& out) const {
  const bool arrival = next_arrival_ < arrivals_.size();
  if (!arrival && returns_.empty()) return false;
  if (!arrival) {
    out = returns_.top();
  } else if (returns_.empty() || returns_.top() > arrivals_[next_arrival_]) {
    out = arrivals_[next_arrival_];
  } else {
    out = returns_.top();
  }
  return true;
}

void Simulation::PopSession() {
  const bool arrival = next_arrival_ < arrivals_.size();
  if (arrival && (returns_.empty() || returns_.top() > arrivals_[next_arrival_])) {
    ++next_arrival_;
  } else {
    returns_.pop();
  }
}

bool Simulation::Next(SimEvent& out) {
  for (;;) {
    SessionStart session;
    const bool more = PeekSession(session);
    frontier_ms_ = more ? session.ts_ms : std::numeric_limits<int64_t>::max();
    // An event before every session still to simulate can no longer be
    // preceded by another: hand it out.
    if (!pending_.empty() && pending_.top().ts_ms < frontier_ms_) {
      out = pending_.top();
      pending_.pop();
      return true;
    }
    if (!more) return false;
    PopSession();
    RunSession(session.person, session.ts_ms);
  }
}

double Simulation::progress() const {
  const double span = static_cast<double>(end_ms_ - options_.start_ms);
  const int64_t at = std::min(frontier_ms_, end_ms_);
  return std::clamp(static_cast<double>(at - options_.start_ms) / span, 0.0, 1.0);
}

void Simulation::RunSession(uint32_t index, int64_t start_ms) {
  Person& p = persons_[index];
  SplitMix64& rng = p.rng;
  Session s(*this, index, start_ms);
  const bool first = p.sessions == 0;
  s.UseDevice(p.devices == 2 && !first && p.stage != Stage::kAnonymous && rng.Chance(0.4) ? 1 : 0);
  const Channel channel = first ? p.channel : ReturningChannel(rng, p, s.identified());
  const Entry entry = PickEntry(rng, channel, p, s.identified());
  s.Land(entry.page, entry.referrer, entry.campaign);

  if (p.stage == Stage::kAnonymous) {
    AnonymousVisit(s);
  } else if (!s.identified()) {
    LogIn(s);
    AppVisit(s);
  } else if (entry.page < kAppHome) {
    // A customer on the marketing site: a page or two, then often the app.
    const int pages = static_cast<int>(rng.Below(3));
    for (int i = 0; i < pages; ++i) {
      s.View(NextMarketingPage(rng, s.page()), ReadingTime(rng));
    }
    if (rng.Chance(0.6)) {
      s.View(kAppHome, ReadingTime(rng));
      AppVisit(s);
    }
  } else {
    AppVisit(s);
  }
  if (p.sessions < std::numeric_limits<uint16_t>::max()) ++p.sessions;
  ScheduleReturn(index, s.now());
}

void Simulation::ScheduleReturn(uint32_t index, int64_t last_ms) {
  Person& p = persons_[index];
  SplitMix64& rng = p.rng;
  const auto stage = static_cast<size_t>(p.stage);
  if (p.sessions == 1 && p.stage == Stage::kAnonymous && !rng.Chance(kFirstVisitReturnChance)) {
    return;  // a one-time visitor
  }
  const double mean_days =
      std::max(kReturnMeanDays[stage] / DeterministicPow(p.engagement, 0.7), 0.08);
  const double gap_days = rng.Exponential(mean_days);
  // Survive the gap: the hazard integrated over it, at the person's age.
  const double age_days = static_cast<double>(last_ms - p.first_ms) / kDay;
  const double hazard =
      kChurnPerDay[stage] / (1.0 + age_days / kHazardDecayDays) / (0.5 + 0.5 * p.engagement);
  if (!rng.Chance(DeterministicExp(-hazard * gap_days)))
    return;  // gone for good (within the window)
  int64_t next = last_ms + kSessionGap + kMinute + static_cast<int64_t>(gap_days * kDay);
  // Nobody comes back at 3 a.m. (local): move night visits to the morning.
  const int64_t offset = Regions()[p.region].utc_offset_minutes * kMinute;
  const int64_t local_hour = FloorMod(next + offset, kDay) / kHour;
  if (local_hour < 7) next += (7 - local_hour) * kHour + static_cast<int64_t>(rng.Below(3 * kHour));
  if (next < end_ms_) returns_.push({next, index});
}

}  // namespace cdp::gen
