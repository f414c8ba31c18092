#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/event.h"
#include "model/person_map.h"
#include "query/testing/reference_quantile.h"
#include "store/scan.h"

namespace cdp::query::testing {

// The reference sessionization the engines are tested against, written
// straight from the definitions over plain events (slow and obvious).

// One counted event: when, its step name, whether it is an anchor.
struct ReferenceStep {
  int64_t micros = 0;
  std::string name;
  bool anchor = false;
};
using ReferenceSession = std::vector<ReferenceStep>;

struct ReferenceSessionOptions {
  int64_t from_micros = 0;  // inclusive
  int64_t to_micros = 0;    // exclusive
  int64_t timeout_micros = 0;
  std::vector<Predicate> predicates;  // which events count
  // The step name of an event; nullopt leaves the event out.
  std::function<std::optional<std::string>(const Event&)> name_of;
  std::vector<Predicate> anchor;  // empty: no anchors
  // Who is merged with whom; nullptr: nobody.
  const PersonMap* persons = nullptr;
};

// An event's name, or "$" and its type when it has none.
std::string ReferenceEventName(const Event& event);

// The sessions of every person (by PersonOf under options.persons) of
// workspace kCaseWorkspace: the events in [from, to) that satisfy the
// predicates and have a name, sorted by time, then name, then anchor flag,
// split where one comes more than the timeout after the one before.
std::map<PersonKey, std::vector<ReferenceSession>> ReferenceSessions(
    std::span<const Event> events, const ReferenceSessionOptions& options);

}  // namespace cdp::query::testing
