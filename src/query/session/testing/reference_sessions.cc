#include "query/session/testing/reference_sessions.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "queries/query_case.h"
#include "query/event_filter.h"
#include "query/person_key.h"

namespace cdp::query::testing {

std::string ReferenceEventName(const Event& event) {
  if (!event.event.empty()) return event.event;
  return "$" + std::string(EventTypeName(event.type));
}

std::map<PersonKey, std::vector<ReferenceSession>> ReferenceSessions(
    std::span<const Event> events, const ReferenceSessionOptions& options) {
  const PersonMap nobody_merged;
  const PersonMap& persons = options.persons != nullptr ? *options.persons : nobody_merged;
  std::map<PersonKey, std::vector<ReferenceStep>> by_person;
  for (const Event& event : events) {
    if (event.workspace_id != cases::kCaseWorkspace) continue;
    const PersonKey person = PersonOf(event, persons);
    if (person == 0) continue;
    const int64_t micros = UnixMicros(event.timestamp);
    if (micros < options.from_micros || micros >= options.to_micros) continue;
    if (!EventMatches(event, options.predicates)) continue;
    const std::optional<std::string> name = options.name_of(event);
    if (!name) continue;
    const bool anchor = !options.anchor.empty() && EventMatches(event, options.anchor);
    by_person[person].push_back({micros, *name, anchor});
  }
  std::map<PersonKey, std::vector<ReferenceSession>> sessions;
  for (auto& [person, steps] : by_person) {
    std::sort(steps.begin(), steps.end(), [](const ReferenceStep& a, const ReferenceStep& b) {
      return std::tie(a.micros, a.name, a.anchor) < std::tie(b.micros, b.name, b.anchor);
    });
    std::vector<ReferenceSession>& list = sessions[person];
    for (size_t i = 0; i < steps.size(); ++i) {
      if (i == 0 || steps[i].micros - steps[i - 1].micros > options.timeout_micros) {
        list.emplace_back();
      }
      list.back().push_back(steps[i]);
    }
  }
  return sessions;
}

}  // namespace cdp::query::testing
