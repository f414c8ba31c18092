#pragma once

// The behavioural model behind `cdp gen`: synthetic persons visiting a SaaS
// product's site and app over a window of days. It yields abstract events
// (SimEvent) in global time order; gen/segment_json turns them into Segment
// messages. Pure: no I/O, no clock, no global state; everything follows from
// the options (see docs/gen.md for the model and its parameters).

#include <cstdint>
#include <queue>
#include <vector>

#include "gen/catalog.h"
#include "gen/split_mix64.h"

namespace cdp::gen {

struct SimulationOptions {
  uint64_t seed = 42;
  uint32_t persons = 1000;
  int64_t start_ms = 0;  // Unix milliseconds, UTC: the window's first instant
  int days = 30;         // the window is [start, start + days)
};

enum class Stage : uint8_t { kAnonymous, kSignedUp, kActivated, kPaying };

enum class EventKind : uint8_t {
  kPage,             // page view
  kIdentify,         // links the device's anonymousId to the userId, with traits
  kSignedUp,         // track "Signed Up"
  kSignedIn,         // track "Signed In" (a second device)
  kProjectCreated,   // track "Project Created": activation
  kFeatureUsed,      // track "Feature Used"
  kCheckoutStarted,  // track "Checkout Started"
  kOrderCompleted,   // track "Order Completed", sent by the product's server
};

// A synthetic person: fixed attributes drawn at creation, and the state the
// model advances session by session.
struct Person {
  SplitMix64 rng;
  int64_t first_ms = 0;   // arrival: the first session's start
  int64_t signup_ms = 0;  // when the account was created (Stage >= kSignedUp)
  uint32_t seq = 0;       // events so far: the next event's message-id counter
  uint16_t sessions = 0;
  uint16_t projects = 0;
  uint16_t orders = 0;
  uint8_t region = 0;
  uint8_t user_agent[2] = {0, 0};  // per device
  uint32_t ip[2] = {0, 0};         // per device, IPv4 host order
  uint8_t devices = 1;             // 1, or 2 for people who also use a phone/desktop
  uint8_t logged_in = 0;           // bit per device: it has sent identify
  Stage stage = Stage::kAnonymous;
  Plan plan = Plan::kFree;
  Channel channel = Channel::kDirect;  // acquisition channel
  uint8_t first_name = 0;
  uint8_t last_name = 0;
  uint8_t email_domain = 0;
  bool coupon = false;   // will pay with kCoupon
  float engagement = 1;  // heavy-tailed activity multiplier (log-normal)
  float intent = 0;      // in [0, 1): propensity to move down the funnel
};

inline constexpr uint8_t kNoReferrer = 0xFF;
inline constexpr uint8_t kPageReferrer = 0x80;  // kPageReferrer + PageId: an internal referrer
inline constexpr uint8_t kNoCampaign = 0xFF;

// One event, abstractly: enough, with its Person, to write the message.
struct SimEvent {
  int64_t ts_ms = 0;
  uint32_t person = 0;
  uint32_t seq = 0;  // the person's nth event
  EventKind kind = EventKind::kPage;
  uint8_t device = 0;
  bool identified = false;         // carries the userId
  uint8_t page = 0;                // PageId: the page viewed, or the page the event happened on
  uint8_t referrer = kNoReferrer;  // ReferrerId, kPageReferrer + PageId, or kNoReferrer
  uint8_t campaign = kNoCampaign;  // CampaignId (a session's landing page only)
  Plan plan = Plan::kFree;         // the person's plan (identify, checkout, order)
  uint8_t option = 0;              // billing period, feature, template or signup method
  bool coupon = false;
  uint16_t number = 0;   // project or order number
  uint16_t seconds = 0;  // Feature Used: duration_seconds
};

// Runs the model. Thread safety: none; one thread drives one Simulation.
class Simulation {
 public:
  // Draws every person (attributes and arrival time): O(persons) time and
  // about 100 bytes per person, kept for the whole run.
  explicit Simulation(const SimulationOptions& options);

  // The next event in global time order, ties broken by (person, seq), so
  // that every person's events are in time order too. False when done.
  bool Next(SimEvent& out);

  const Person& person(uint32_t index) const { return persons_[index]; }
  uint32_t person_count() const { return static_cast<uint32_t>(persons_.size()); }
  const SimulationOptions& options() const { return options_; }
  // Share of the window simulated so far, in [0, 1].
  double progress() const;
  // Persons whose first session has been simulated.
  uint32_t persons_arrived() const { return static_cast<uint32_t>(next_arrival_); }

  // The cursor of the session being simulated (internal to simulation.cc).
  class Session;

 private:
  struct SessionStart {
    int64_t ts_ms;
    uint32_t person;
    bool operator>(const SessionStart& o) const {
      return ts_ms != o.ts_ms ? ts_ms > o.ts_ms : person > o.person;
    }
  };
  struct Later {
    bool operator()(const SimEvent& a, const SimEvent& b) const {
      if (a.ts_ms != b.ts_ms) return a.ts_ms > b.ts_ms;
      if (a.person != b.person) return a.person > b.person;
      return a.seq > b.seq;
    }
  };
  void InitPerson(uint32_t index);
  // The earliest session not yet simulated, without removing it.
  bool PeekSession(SessionStart& out) const;
  void PopSession();
  void RunSession(uint32_t index, int64_t start_ms);
  void ScheduleReturn(uint32_t index, int64_t last_ms);

  SimulationOptions options_;
  int64_t end_ms_;
  std::vector<Person> persons_;
  std::vector<SessionStart> arrivals_;  // first sessions, sorted
  size_t next_arrival_ = 0;
  std::priority_queue<SessionStart, std::vector<SessionStart>, std::greater<>> returns_;
  // Events of simulated sessions not yet handed out: a session's events are
  // final once no session left to simulate can start before them.
  std::priority_queue<SimEvent, std::vector<SimEvent>, Later> pending_;
  int64_t frontier_ms_;  // the start of the earliest session not yet simulated
};

}  // namespace cdp::gen
