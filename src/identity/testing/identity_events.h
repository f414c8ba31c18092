#pragma once

// Test support: events as ingestion hands them to the identity service
// (track, identify, alias, group; traits; merge_dangerously), and random
// histories of them over a small pool of ids, so that merges, refusals and
// same-person links all happen often.

#include <atomic>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "model/event.h"

namespace cdp::identity::testing {

// Event times are whole milliseconds, the precision the store keeps.
inline TimePoint AtMillis(int64_t millis) {
  return FromUnixMicros(int64_t{1'750'000'000'000} * 1000 + millis * 1000);
}

inline Event MakeEvent(std::string workspace_id, EventType type, std::string anonymous_id,
                       std::string user_id, int64_t millis) {
  static std::atomic<int64_t> next_message{0};
  Event event;
  event.workspace_id = std::move(workspace_id);
  event.type = type;
  event.message_id = "m" + std::to_string(++next_message);
  event.anonymous_id = std::move(anonymous_id);
  event.user_id = std::move(user_id);
  if (type == EventType::kTrack) event.event = "Clicked";
  event.timestamp = AtMillis(millis);
  event.received_at = event.timestamp;
  return event;
}

inline Event MakeTrack(std::string workspace_id, std::string anonymous_id, std::string user_id,
                       int64_t millis) {
  return MakeEvent(std::move(workspace_id), EventType::kTrack, std::move(anonymous_id),
                   std::move(user_id), millis);
}

inline Event MakeIdentify(std::string workspace_id, std::string anonymous_id, std::string user_id,
                          int64_t millis) {
  return MakeEvent(std::move(workspace_id), EventType::kIdentify, std::move(anonymous_id),
                   std::move(user_id), millis);
}

inline Event MakeAlias(std::string workspace_id, std::string previous_id, std::string user_id,
                       int64_t millis) {
  Event event =
      MakeEvent(std::move(workspace_id), EventType::kAlias, "", std::move(user_id), millis);
  event.previous_id = std::move(previous_id);
  return event;
}

inline Event MergingDangerously(Event event) {
  event.context.push_back({"merge_dangerously", true, std::nullopt});
  return event;
}

inline Property MakeTrait(std::string name,
                          std::variant<std::monostate, std::string, double, bool> v) {
  return Property{std::move(name), std::move(v), std::nullopt};
}

// Random events of a few workspaces over a small pool of ids, each at a
// millisecond no other event of the generator has (so that "the latest set
// wins" never depends on the order of application).
class RandomIdentityEvents {
 public:
  RandomIdentityEvents(uint64_t seed, std::vector<std::string> workspaces, int anonymous_ids = 10,
                       int user_ids = 6)
      : random_(seed), workspaces_(std::move(workspaces)) {
    for (int i = 0; i < anonymous_ids; ++i) anonymous_.push_back("a" + std::to_string(i));
    for (int i = 0; i < user_ids; ++i) users_.push_back("u" + std::to_string(i));
  }

  // Every id an event may carry, illegal ones included.
  std::vector<std::string> AllIds() const {
    std::vector<std::string> ids = anonymous_;
    ids.insert(ids.end(), users_.begin(), users_.end());
    ids.insert(ids.end(), kIllegal.begin(), kIllegal.end());
    return ids;
  }
  const std::vector<std::string>& workspaces() const { return workspaces_; }

  Event Next() {
    const std::string& workspace = Pick(workspaces_);
    const int64_t millis = UniqueMillis();
    const int kind = Below(100);
    Event event;
    if (kind < 30) {
      const int ids = Below(3);
      event = MakeTrack(workspace, ids != 1 ? Pick(anonymous_) : "", ids != 0 ? Pick(users_) : "",
                        millis);
    } else if (kind < 50) {
      event = MakeIdentify(workspace, Chance(8) ? Pick(kIllegal) : Pick(anonymous_),
                           Chance(8) ? Pick(kIllegal) : Pick(users_), millis);
      if (Chance(10)) event.anonymous_id = event.user_id;  // no link
    } else if (kind < 60) {
      event = MakeAlias(workspace, Chance(10) ? Pick(kIllegal) : AnyId(),
                        Chance(3) ? AnyId() : Pick(users_), millis);
      event.anonymous_id = Chance(2) ? Pick(anonymous_) : "";
    } else if (kind < 67) {
      event = Chance(2) ? MakeAlias(workspace, AnyId(), Pick(users_), millis)
                        : MakeIdentify(workspace, Pick(anonymous_), Pick(users_), millis);
      event = MergingDangerously(std::move(event));
    } else if (kind < 72) {
      event = MakeEvent(workspace, EventType::kGroup, Pick(anonymous_), Pick(users_), millis);
      event.group_id = "acme";
    } else if (kind < 77) {
      event = MakeEvent(workspace, EventType::kPage, "", "", millis);  // nobody's
    } else {
      event = MakeTrack(workspace, Pick(anonymous_), Chance(3) ? Pick(users_) : "", millis);
    }
    // Traits: identify traits and group traits always, capture $set /
    // $set_once on some tracks.
    const bool identify_or_group =
        event.type == EventType::kIdentify || event.type == EventType::kGroup;
    if (identify_or_group || Chance(3)) {
      for (int i = Below(3); i > 0; --i) event.traits.push_back(RandomTrait());
    }
    if (event.type == EventType::kTrack && Chance(4)) {
      for (int i = Below(2) + 1; i > 0; --i) event.traits_set_once.push_back(RandomTrait());
    }
    return event;
  }

  std::vector<Event> Batch(int max_events) {
    std::vector<Event> events;
    for (int i = Below(max_events) + 1; i > 0; --i) events.push_back(Next());
    return events;
  }

  int Below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(random_); }
  bool Chance(int one_in) { return Below(one_in) == 0; }
  template <typename T>
  const T& Pick(const std::vector<T>& values) {
    return values[static_cast<size_t>(Below(static_cast<int>(values.size())))];
  }

 private:
  inline static const std::vector<std::string> kIllegal = {"null", "anonymous", "  ", "0",
                                                           "[object Object]"};

  std::string AnyId() { return Chance(2) ? Pick(anonymous_) : Pick(users_); }

  int64_t UniqueMillis() {
    for (;;) {
      const int64_t millis = std::uniform_int_distribution<int64_t>(0, 1'000'000'000)(random_);
      if (used_millis_.insert(millis).second) return millis;
    }
  }

  Property RandomTrait() {
    static const std::vector<std::string> kNames = {"plan", "email", "age", "beta"};
    std::string name = Pick(kNames);
    switch (Below(4)) {
      case 0:
        return MakeTrait(std::move(name), "v" + std::to_string(Below(5)));
      case 1:
        return MakeTrait(std::move(name), static_cast<double>(Below(100)) / 4);
      case 2:
        return MakeTrait(std::move(name), Chance(2));
      default:
        return MakeTrait(std::move(name), std::monostate{});
    }
  }

  std::mt19937_64 random_;
  std::vector<std::string> workspaces_;
  std::vector<std::string> anonymous_;
  std::vector<std::string> users_;
  std::set<int64_t> used_millis_;
};

}  // namespace cdp::identity::testing
