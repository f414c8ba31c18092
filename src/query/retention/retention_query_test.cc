#include "query/retention/retention_query.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <array>
#include <random>

#include "query/event_filter.h"
#include "query/retention/retention_request.h"
#include "query/retention/retention_result.h"
#include "query/retention/testing/retention_reference.h"
#include "query/testing/random_persons.h"
#include "query/testing/static_person_directory.h"
#include "query/testing/test_event_store.h"
#include "store/testing/random_events.h"

namespace cdp::query {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;

constexpr std::string_view kWorkspace = "ws_test";
constexpr std::array<std::string_view, 3> kZones = {"UTC", "Europe/Paris", "America/New_York"};
constexpr std::array<Interval, 3> kPeriods = {Interval::kDay, Interval::kWeek, Interval::kMonth};
constexpr std::array<std::string_view, 4> kEventNames = {"Signed Up", "Page Viewed",
                                                         "Order Completed", "Logged In"};

TimePoint Date(int year, int month, int day) {
  return TimeZone::Utc().Instant(cctz::civil_second(year, month, day));
}

template <typename T, size_t N>
const T& Pick(std::mt19937_64& random, const std::array<T, N>& values) {
  return values[random() % N];
}

// Random events of one workspace over `days` days from `from`, plus the edge
// cases retention must get right: events exactly at period starts in each
// zone the requests use (and one microsecond before them), and events of
// another name at the very same instant as one of the person's events.
std::vector<Event> RetentionEvents(std::mt19937_64& random, size_t count, int persons,
                                   TimePoint from, int days) {
  cdp::testing::RandomEventOptions options;
  options.workspaces = {std::string(kWorkspace)};
  options.persons = persons;
  options.from = from;
  options.days = days;
  std::vector<Event> events = cdp::testing::RandomEvents(random, count, options);
  for (Event& event : events) {
    if (random() % 8 != 0) continue;
    const TimeZone zone = *TimeZone::Load(Pick(random, kZones), "time_zone");
    const cctz::civil_second start =
        FloorToInterval(zone.Civil(event.timestamp), Pick(random, kPeriods));
    event.timestamp = zone.Instant(start) - microseconds(random() % 2);
  }
  const size_t originals = events.size();
  for (size_t i = 0; i < originals; ++i) {
    if (random() % 20 != 0) continue;
    Event twin = events[i];
    twin.type = EventType::kTrack;
    twin.event = std::string(Pick(random, kEventNames));
    twin.message_id += "-twin";
    events.push_back(std::move(twin));
  }
  return events;
}

std::string RandomSelector(std::mt19937_64& random) {
  const std::string_view name = Pick(random, kEventNames);
  switch (random() % 10) {
    case 0:
      return "{}";  // any event
    case 1:
      return R"({"type": "identify"})";
    case 2:
      return fmt::format(
          R"({{"event": "{}", "filters": [{{"property": "properties.plan", "operator": "in",
              "value": ["pro", "team"]}}]}})",
          name);
    case 3:
      return R"({"type": "page", "filters": [
                 {"property": "properties.price", "operator": "gt", "value": 40}]})";
    default:
      return fmt::format(R"({{"event": "{}"}})", name);
  }
}

// A request over data that starts at `data_from` and lasts `days` days: its
// range may begin before the data, in it, or after it.
std::string RandomRequest(std::mt19937_64& random, TimePoint data_from, int days) {
  const std::string_view zone_name = Pick(random, kZones);
  const TimeZone zone = *TimeZone::Load(zone_name, "time_zone");
  const Interval period = Pick(random, kPeriods);
  const int max_periods = period == Interval::kDay ? 45 : period == Interval::kWeek ? 14 : 10;
  const int periods = 1 + static_cast<int>(random() % max_periods);
  const int64_t span_hours = int64_t{days + 15} * 24;
  const TimePoint from = data_from - hours(10 * 24) + hours(int64_t(random() % span_hours)) +
                         microseconds(random() % 3'600'000'000);
  std::string body = "{";
  // "from" as a date, as UTC or with the zone's offset.
  switch (random() % 3) {
    case 0:
      body += fmt::format(R"("from": "{}")", FormatIso8601(from).substr(0, 10));
      break;
    case 1:
      body += fmt::format(R"("from": "{}")", FormatIso8601(from));
      break;
    default:
      body += fmt::format(R"("from": "{}")", zone.Format(from));
  }
  if (random() % 4 == 0) {
    // At least a second after "from": both are written to the second.
    TimePoint to =
        from + std::chrono::seconds(1) + microseconds(random() % (int64_t{40} * 86'400'000'000));
    // Often exactly at a period start, where the data has events too.
    const TimePoint period_start = zone.Instant(FloorToInterval(zone.Civil(to), period));
    if (random() % 2 == 0 && period_start > from) to = period_start;
    body += fmt::format(R"(, "to": "{}")", zone.Format(to));
  }
  if (random() % 5 != 0 || periods != 8) body += fmt::format(R"(, "periods": {})", periods);
  if (random() % 5 != 0 || period != Interval::kWeek) {
    body += fmt::format(R"(, "period": "{}")", IntervalName(period));
  }
  if (random() % 5 != 0 || zone_name != "UTC") {
    body += fmt::format(R"(, "time_zone": "{}")", zone_name);
  }
  const std::string start = RandomSelector(random);
  const std::string returned = random() % 4 == 0 ? start : RandomSelector(random);
  body += fmt::format(R"(, "start_event": {}, "return_event": {})", start, returned);
  if (random() % 3 != 0) {
    body += fmt::format(R"(, "cohort": "{}")", random() % 2 ? "first_time" : "recurring");
  }
  if (random() % 3 != 0) {
    body += fmt::format(R"(, "returning": "{}")", random() % 2 ? "on_or_after" : "on");
  }
  return body + "}";
}

class RetentionQueryTest : public ::testing::Test {
 protected:
  // Runs `body` on the engine and on the reference and expects the same
  // result, written by the same writer from the reference's table. Returns the
  // reference's table.
  // With `persons`, events resolve to persons through it (some ids merged).
  RetentionTable ExpectMatchesReference(testing::TestEventStore& fixture,
                                        std::span<const Event> events, const std::string& body,
                                        int parallelism = 2,
                                        const PersonDirectory* persons = nullptr) {
    SCOPED_TRACE(persons != nullptr ? "merged" : "nobody merged");
    const QueryContext context{.workspace_id = std::string(kWorkspace),
                               .parallelism = parallelism,
                               .cancelled = nullptr,
                               .progress = nullptr,
                               .persons = persons};
    const Result<QueryOutput> output = RunRetentionQuery(context, fixture.store(), body);
    EXPECT_TRUE(output.ok()) << body << "\n" << output.status().message();
    if (!output.ok()) return {};

    const Result<RetentionRequest> request = ParseRetentionRequest(body);
    const Result<RetentionRange> range = ResolveRetentionRange(*request);
    const Result<ColumnCatalog> catalog = ColumnCatalog::Load(fixture.store(), kWorkspace);
    const Result<std::vector<Predicate>> start = ToPredicates(request->start_event, *catalog);
    const Result<std::vector<Predicate>> returned = ToPredicates(request->return_event, *catalog);
    const RetentionTable expected = testing::ReferenceRetention(events, *request, *start, *returned,
                                                                *PersonSnapshotOf(context));
    EXPECT_EQ(expected.persons.size(), range->periods.size()) << body;
    if (expected.persons.size() != range->periods.size()) return expected;
    const QueryOutput wanted = WriteRetentionResult(*request, *range, expected);
    EXPECT_EQ(output->json, wanted.json) << body;
    EXPECT_EQ(output->rows, wanted.rows);
    return expected;
  }
};

// The heart of the tests: many data sets and requests, every combination of
// cohort mode, returning mode, period and time zone (Paris and New York over
// their DST changes), compared with the brute-force reference.
TEST_F(RetentionQueryTest, MatchesTheReferenceOnRandomData) {
  struct DataSet {
    uint64_t seed;
    size_t events;
    int persons;
    TimePoint from;
    int days;
  };
  const DataSet data_sets[] = {
      // Dense, over the March DST changes (New York 03-08, Paris 03-29).
      {1, 4000, 60, Date(2026, 2, 20), 60},
      // Most of a year: months, weeks, the October / November changes.
      {2, 5000, 250, Date(2026, 1, 1), 330},
      // Sparse: many persons with one event.
      {3, 300, 250, Date(2026, 10, 10), 40},
      {4, 2000, 40, Date(2026, 10, 1), 70},
  };
  uint64_t retained_cells = 0;
  uint64_t cohorts = 0;
  for (const DataSet& data : data_sets) {
    SCOPED_TRACE(data.seed);
    std::mt19937_64 random(data.seed);
    const std::vector<Event> events =
        RetentionEvents(random, data.events, data.persons, data.from, data.days);
    testing::TestEventStore fixture(events, 3, 256);
    // Every other request resolves persons with some of them merged.
    const testing::StaticPersonDirectory merged = testing::RandomPersonDirectory(random, events);
    for (int i = 0; i < 100; ++i) {
      const std::string body = RandomRequest(random, data.from, data.days);
      const RetentionTable table =
          ExpectMatchesReference(fixture, events, body, 1 + i % 3, i % 2 == 1 ? &merged : nullptr);
      if (HasFailure()) return;
      for (const std::vector<uint64_t>& persons : table.persons) {
        cohorts += persons[0] > 0;
        for (size_t k = 1; k < persons.size(); ++k) retained_cells += persons[k] > 0;
      }
    }
  }
  // Not vacuous: many cohorts, and returns in them.
  EXPECT_GT(cohorts, 500u);
  EXPECT_GT(retained_cells, 1000u);
}

// The same event as start and return: in recurring mode everyone active in
// two periods counts; and first_time sees starts before "from".
TEST_F(RetentionQueryTest, SameStartAndReturnEventAndHistoryBeforeFrom) {
  std::mt19937_64 random(5);
  const std::vector<Event> events = RetentionEvents(random, 3000, 50, Date(2026, 3, 1), 50);
  testing::TestEventStore fixture(events, 2, 128);
  for (const std::string_view cohort : {"recurring", "first_time"}) {
    for (const std::string_view returning : {"on", "on_or_after"}) {
      for (const std::string_view zone : kZones) {
        const std::string body = fmt::format(
            R"({{"from": "2026-03-16", "periods": 12, "period": "day", "time_zone": "{}",
                "start_event": {{"event": "Logged In"}}, "return_event": {{"event": "Logged In"}},
                "cohort": "{}", "returning": "{}"}})",
            zone, cohort, returning);
        const RetentionTable table = ExpectMatchesReference(fixture, events, body);
        ASSERT_EQ(table.persons.size(), 12u);
        EXPECT_GT(table.persons[0][0], 0u);
        if (cohort == "first_time") {
          // Most persons logged in during the 15 days before: small cohorts.
          EXPECT_LT(table.persons[0][0], 10u) << body;
        }
      }
    }
  }
}

TEST_F(RetentionQueryTest, RangesWithoutDataGiveEmptyCohorts) {
  std::mt19937_64 random(6);
  const std::vector<Event> events = RetentionEvents(random, 500, 30, Date(2026, 3, 1), 20);
  testing::TestEventStore fixture(events);
  for (const std::string_view from : {"2025-01-01", "2027-05-01"}) {
    const std::string body = fmt::format(
        R"({{"from": "{}", "periods": 4, "period": "month", "cohort": "first_time",
            "start_event": {{}}, "return_event": {{}}}})",
        from);
    const RetentionTable table = ExpectMatchesReference(fixture, events, body);
    ASSERT_EQ(table.persons.size(), 4u);
    for (const auto& persons : table.persons) {
      for (const uint64_t count : persons) EXPECT_EQ(count, 0u);
    }
  }
  // No events at all.
  testing::TestEventStore empty({});
  const RetentionTable table = ExpectMatchesReference(
      empty, {},
      R"({"from": "2026-03-01", "start_event": {}, "return_event": {}, "cohort": "first_time"})");
  EXPECT_EQ(table.persons.size(), 8u);
}

// "to" cuts the triangle: only periods that began before it are listed.
TEST_F(RetentionQueryTest, ToListsOnlyThePeriodsThatBegan) {
  std::mt19937_64 random(8);
  const std::vector<Event> events = RetentionEvents(random, 800, 20, Date(2026, 3, 1), 30);
  testing::TestEventStore fixture(events);
  const std::string body =
      R"({"from": "2026-03-04T10:00:00+01:00", "to": "2026-03-16T00:00:00.000001+01:00",
          "periods": 6, "period": "week", "time_zone": "Europe/Paris",
          "start_event": {}, "return_event": {}})";
  const RetentionTable table = ExpectMatchesReference(fixture, events, body);
  // Weeks of 03-02, 03-09 and 03-16 (begun one microsecond before "to").
  ASSERT_EQ(table.persons.size(), 3u);
  EXPECT_EQ(table.persons[0].size(), 3u);
  EXPECT_EQ(table.persons[2].size(), 1u);

  const QueryContext context{.workspace_id = std::string(kWorkspace)};
  const Result<QueryOutput> output = RunRetentionQuery(context, fixture.store(), body);
  ASSERT_TRUE(output.ok());
  simdjson::dom::parser parser;
  const simdjson::dom::element result = parser.parse(output->json);
  EXPECT_EQ(std::string_view(result["from"]), "2026-03-01T23:00:00.000Z");
  EXPECT_EQ(std::string_view(result["to"]), "2026-03-15T23:00:00.000Z");
  EXPECT_EQ(std::string_view(result["cohorts"].at(1)["start"]), "2026-03-09T00:00:00+01:00");
  EXPECT_EQ(int64_t(result["periods"]), 6);
  EXPECT_EQ(simdjson::dom::array(result["average"]).size(), 3u);
  EXPECT_EQ(output->rows, 6u);
}

TEST_F(RetentionQueryTest, BadRequestsNameTheField) {
  std::mt19937_64 random(9);
  const std::vector<Event> events = RetentionEvents(random, 200, 10, Date(2026, 3, 1), 5);
  testing::TestEventStore fixture(events);
  const QueryContext context{.workspace_id = std::string(kWorkspace)};
  const auto field_of = [&](std::string_view body) {
    const Result<QueryOutput> output = RunRetentionQuery(context, fixture.store(), body);
    if (output.ok()) return std::string("(ok)");
    EXPECT_EQ(output.status().code(), ErrorCode::kBadRequest) << body;
    return output.status().field();
  };
  const auto with = [](std::string_view fields) {
    return fmt::format(R"({{"from": "2026-03-01", "start_event": {{}}, "return_event": {{}}{}}})",
                       fields);
  };
  EXPECT_EQ(field_of(with("")), "(ok)");
  EXPECT_EQ(field_of("[]"), "");
  EXPECT_EQ(field_of("{"), "");
  EXPECT_EQ(field_of(R"({"start_event": {}, "return_event": {}})"), "from");
  EXPECT_EQ(field_of(R"({"from": "yesterday", "start_event": {}, "return_event": {}})"), "from");
  EXPECT_EQ(field_of(with(R"(, "to": "2026-03-01")")), "to");
  EXPECT_EQ(field_of(with(R"(, "to": "2026-02-01")")), "to");
  EXPECT_EQ(field_of(with(R"(, "periods": 0)")), "periods");
  EXPECT_EQ(field_of(with(R"(, "periods": 101)")), "periods");
  EXPECT_EQ(field_of(with(R"(, "periods": 2.5)")), "periods");
  EXPECT_EQ(field_of(with(R"(, "period": "hour")")), "period");
  EXPECT_EQ(field_of(with(R"(, "time_zone": "Mars/Olympus")")), "time_zone");
  EXPECT_EQ(field_of(with(R"(, "cohort": "first")")), "cohort");
  EXPECT_EQ(field_of(with(R"(, "returning": "after")")), "returning");
  EXPECT_EQ(field_of(with(R"(, "interval": "day")")), "interval");
  EXPECT_EQ(field_of(R"({"from": "2026-03-01", "return_event": {}})"), "start_event");
  EXPECT_EQ(field_of(R"({"from": "2026-03-01", "start_event": "Signed Up", "return_event": {}})"),
            "start_event");
  EXPECT_EQ(field_of(R"({"from": "2026-03-01", "start_event": {}})"), "return_event");
  EXPECT_EQ(field_of(R"({"from": "2026-03-01", "start_event": {"name": "x"}, "return_event": {}})"),
            "start_event.name");
  EXPECT_EQ(field_of(R"({"from": "2026-03-01", "start_event": {"type": "click"},
                         "return_event": {}})"),
            "start_event.type");
  EXPECT_EQ(field_of(R"({"from": "2026-03-01", "start_event": {}, "return_event": {"filters": [
                         {"property": "properties.plan", "operator": "like", "value": "x"}]}})"),
            "return_event.filters[0].operator");
  // Operands are checked against the stored column's kind.
  EXPECT_EQ(field_of(R"({"from": "2026-03-01", "start_event": {}, "return_event": {"filters": [
                         {"property": "properties.price", "operator": "gt", "value": "cheap"}]}})"),
            "return_event.filters[0].value");
}

TEST_F(RetentionQueryTest, ACancelledQueryStops) {
  std::mt19937_64 random(10);
  const std::vector<Event> events = RetentionEvents(random, 200, 10, Date(2026, 3, 1), 5);
  testing::TestEventStore fixture(events);
  const std::atomic<bool> cancelled{true};
  const QueryContext context{.workspace_id = std::string(kWorkspace), .cancelled = &cancelled};
  const Result<QueryOutput> output = RunRetentionQuery(
      context, fixture.store(), R"({"from": "2026-03-01", "start_event": {}, "return_event": {}})");
  ASSERT_FALSE(output.ok());
  EXPECT_EQ(output.status().code(), CancelledStatus().code());
}

}  // namespace
}  // namespace cdp::query
