#include "query/session/testing/session_events.h"

#include <fmt/format.h>

#include <map>
#include <string>

#include "model/person_map.h"
#include "queries/query_case.h"
#include "store/testing/random_events.h"

namespace cdp::query::testing {

namespace {

int64_t Uniform(std::mt19937_64& random, int64_t low, int64_t high) {  // [low, high]
  return std::uniform_int_distribution<int64_t>(low, high)(random);
}

// The gap before a person's next event, around the timeout.
int64_t NextGap(std::mt19937_64& random, int64_t timeout) {
  const int kind = int(random() % 20);
  if (kind < 2) return 0;
  if (kind < 4) return timeout;
  if (kind < 5) return timeout + 1;
  if (kind < 6) return timeout - 1;
  if (kind < 14) return Uniform(random, 1, timeout);
  return Uniform(random, timeout + 1, timeout * 4);
}

}  // namespace

std::vector<Event> SessionEvents(std::mt19937_64& random, const SessionEventOptions& options) {
  const int64_t from = UnixMicros(options.from);
  const int64_t to = UnixMicros(options.to);
  const int64_t timeout = options.timeout_micros;
  cdp::testing::RandomEventOptions random_options;
  random_options.workspaces = {std::string(cases::kCaseWorkspace),
                               std::string(cases::kCaseWorkspace),
                               std::string(cases::kCaseWorkspace), "ws_other"};
  random_options.persons = options.persons;
  random_options.from = options.from;
  random_options.days = 1;
  std::vector<Event> events = cdp::testing::RandomEvents(random, options.events, random_options);

  std::map<std::string, int64_t> last_time;  // by the id the event resolves from
  for (size_t i = 0; i < events.size(); ++i) {
    Event& event = events[i];
    if (i % 97 == 0) {  // a person with one event
      event.anonymous_id = fmt::format("solo-{}", i);
      event.user_id.clear();
    }
    if ((event.type == EventType::kPage || event.type == EventType::kTrack) && random() % 8 == 0) {
      event.type = random() % 2 == 0 ? EventType::kPage : EventType::kScreen;
      if (random() % 2 == 0) event.event.clear();  // an unnamed page or screen
    }
    // Gaps are shaped per id (merges in a test may join ids' timelines).
    const std::string person(ResolutionIdOf(event.anonymous_id, event.user_id));
    const auto last = last_time.find(person);
    int64_t time = 0;
    const int edge = int(random() % 40);
    if (edge == 0) {
      time = from;
    } else if (edge == 1) {
      time = to;
    } else if (edge == 2) {
      time = to - 1;
    } else if (edge == 3) {
      time = from - 1;
    } else if (last == last_time.end() || last->second > to + timeout || random() % 30 == 0) {
      time = Uniform(random, from - timeout, to);  // a fresh start somewhere in the range
    } else {
      time = last->second + NextGap(random, timeout);
    }
    last_time[person] = time;
    event.timestamp = FromUnixMicros(time);
    event.received_at = event.timestamp;
  }
  return events;
}

std::string FormatMicros(int64_t micros) {
  const int64_t seconds = micros >= 0 ? micros / 1'000'000 : (micros - 999'999) / 1'000'000;
  const std::string whole = FormatIso8601(FromUnixMicros(seconds * 1'000'000));  // ...:SS.000Z
  return fmt::format("{}.{:06}Z", whole.substr(0, 19), micros - seconds * 1'000'000);
}

}  // namespace cdp::query::testing
