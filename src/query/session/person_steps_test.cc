#include "query/session/person_steps.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <random>

#include "queries/query_case.h"
#include "query/event_filter.h"
#include "query/session/sessionize.h"
#include "query/session/testing/reference_sessions.h"
#include "query/session/testing/session_events.h"
#include "query/testing/random_persons.h"
#include "query/testing/static_person_directory.h"
#include "query/testing/test_event_store.h"
#include "store/event_columns.h"

namespace cdp::query {
namespace {

using cases::kCaseWorkspace;

// (micros, name, anchor) of each step.
using Sequence = std::vector<std::tuple<int64_t, std::string, bool>>;

Predicate Equals(std::string column, std::string value) {
  return {.column = std::move(column), .op = CompareOp::kEquals, .values = {value}, .regex = {}};
}

// Each person's sessions as PersonSteps and ForEachSession give them, in
// the order of their contents (persons come in no particular order).
std::vector<std::vector<Sequence>> EngineSessions(EventStore& store, const StepScan& scan,
                                                  int64_t timeout, int parallelism,
                                                  const PersonDirectory* directory) {
  const QueryContext context{.workspace_id = std::string(kCaseWorkspace),
                             .parallelism = parallelism,
                             .cancelled = nullptr,
                             .progress = nullptr,
                             .persons = directory};
  Result<PersonSteps> steps = PersonSteps::Scan(context, store, scan);
  EXPECT_TRUE(steps.ok()) << steps.status().message();
  std::mutex mutex;
  std::vector<std::vector<Sequence>> persons;
  steps->ForEachPerson(parallelism, [&](int, std::span<const Step> person_steps) {
    std::vector<Sequence> sessions;
    ForEachSession(person_steps, timeout, [&](std::span<const Step> session) {
      Sequence& sequence = sessions.emplace_back();
      for (const Step& step : session) {
        sequence.emplace_back(step.micros, steps->names().Name(step.name), step.anchor);
      }
    });
    std::lock_guard lock(mutex);
    persons.push_back(std::move(sessions));
  });
  std::sort(persons.begin(), persons.end());
  return persons;
}

TEST(PersonStepsTest, GivesEachPersonsSessionsAsTheReference) {
  std::mt19937_64 random(7);
  for (int data_set = 0; data_set < 12; ++data_set) {
    const TimePoint from = *ParseRequestTime("2026-03-28T00:00:00Z");
    const TimePoint to = *ParseRequestTime("2026-03-30T00:00:00Z");
    const int64_t timeout = int64_t(1 + random() % 60) * 60'000'000;
    const std::vector<Event> events = testing::SessionEvents(
        random, {.from = from, .to = to, .timeout_micros = timeout, .persons = 25, .events = 800});
    query::testing::TestEventStore store(events, 3, 128);
    const query::testing::StaticPersonDirectory merged =
        query::testing::RandomPersonDirectory(random, events);
    for (int variant = 0; variant < 8; ++variant) {
      SCOPED_TRACE(variant);
      // Variants 4 to 7 are 0 to 3 with some persons merged.
      const PersonDirectory* persons = variant >= 4 ? &merged : nullptr;
      StepScan scan{.from = from, .to = to, .predicates = {}, .name_column = {}, .anchor = {}};
      testing::ReferenceSessionOptions options{
          .from_micros = UnixMicros(from),
          .to_micros = UnixMicros(to),
          .timeout_micros = timeout,
          .predicates = {},
          .name_of = [](const Event& event) { return testing::ReferenceEventName(event); },
          .anchor = {},
          .persons = persons != nullptr ? merged.Snapshot(kCaseWorkspace).get() : nullptr};
      if (variant % 4 >= 1) {
        scan.anchor = {Equals("event", "Searched")};
        options.anchor = scan.anchor;
      }
      if (variant % 4 >= 2) {
        scan.name_column = "context.page_url";
        options.name_of = [](const Event& event) -> std::optional<std::string> {
          const ScalarValue value = ColumnValueOf(event, "context.page_url");
          if (const auto* text = std::get_if<std::string>(&value)) return *text;
          return std::nullopt;
        };
      }
      if (variant % 4 == 3) {
        scan.predicates = {Equals("type", "page")};
        options.predicates = scan.predicates;
      }
      std::vector<std::vector<Sequence>> expected;
      for (const auto& [person, sessions] : testing::ReferenceSessions(events, options)) {
        std::vector<Sequence>& list = expected.emplace_back();
        for (const testing::ReferenceSession& session : sessions) {
          Sequence& sequence = list.emplace_back();
          for (const testing::ReferenceStep& step : session) {
            sequence.emplace_back(step.micros, step.name, step.anchor);
          }
        }
      }
      std::sort(expected.begin(), expected.end());
      EXPECT_EQ(EngineSessions(store.store(), scan, timeout, 1 + variant % 3, persons), expected);
    }
  }
}

}  // namespace
}  // namespace cdp::query
