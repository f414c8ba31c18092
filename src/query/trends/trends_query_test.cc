// The trends engine against the reference implementation (straight from the
// definitions) on random and hand-made events, the JSON it writes, and the
// data-driven cases of tests/queries/trends.
#include "query/trends/trends_query.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <cmath>
#include <random>

#include "core/iso8601.h"
#include "queries/json_difference.h"
#include "queries/query_case.h"
#include "query/testing/random_persons.h"
#include "query/testing/static_person_directory.h"
#include "query/testing/test_event_store.h"
#include "query/trends/testing/trends_reference.h"
#include "query/trends/trends_engine.h"
#include "query/trends/trends_request.h"
#include "store/testing/random_events.h"

namespace cdp::query {
namespace {

using query::testing::ReferenceTrends;
using query::testing::TestEventStore;

TimePoint At(std::string_view text) { return *ParseRequestTime(text); }

bool Close(const std::optional<double>& actual, const std::optional<double>& expected) {
  if (!actual || !expected) return actual.has_value() == expected.has_value();
  return std::fabs(*actual - *expected) <= 1e-9 * std::max(1.0, std::fabs(*expected));
}

std::string Text(const std::optional<double>& value) {
  return value ? fmt::format("{}", *value) : "null";
}

void ExpectSameValues(const TrendsValues& actual, const TrendsValues& expected,
                      const std::string& where) {
  ASSERT_EQ(actual.values.size(), expected.values.size()) << where;
  for (size_t bucket = 0; bucket < expected.values.size(); ++bucket) {
    EXPECT_TRUE(Close(actual.values[bucket], expected.values[bucket]))
        << where << " bucket " << bucket << ": " << Text(actual.values[bucket]) << " instead of "
        << Text(expected.values[bucket]);
  }
  EXPECT_TRUE(Close(actual.total, expected.total))
      << where << " total: " << Text(actual.total) << " instead of " << Text(expected.total);
}

void ExpectSameResult(const TrendsResult& actual, const TrendsResult& expected,
                      const std::string& what) {
  ASSERT_EQ(actual.groups.size(), expected.groups.size()) << what;
  for (size_t group = 0; group < expected.groups.size(); ++group) {
    EXPECT_EQ(actual.groups[group], expected.groups[group]) << what << " group " << group;
  }
  ASSERT_EQ(actual.series.size(), expected.series.size()) << what;
  for (size_t period = 0; period < expected.series.size(); ++period) {
    ASSERT_EQ(actual.series[period].size(), expected.series[period].size()) << what;
    for (size_t series = 0; series < expected.series[period].size(); ++series) {
      ASSERT_EQ(actual.series[period][series].size(), expected.series[period][series].size());
      for (size_t group = 0; group < expected.groups.size(); ++group) {
        ExpectSameValues(
            actual.series[period][series][group], expected.series[period][series][group],
            fmt::format("{}\nperiod {} series {} group {}", what, period, series, group));
      }
    }
  }
  ASSERT_EQ(actual.formula.size(), expected.formula.size()) << what;
  for (size_t period = 0; period < expected.formula.size(); ++period) {
    for (size_t group = 0; group < expected.groups.size(); ++group) {
      ExpectSameValues(actual.formula[period][group], expected.formula[period][group],
                       fmt::format("{}\nformula period {} group {}", what, period, group));
    }
  }
}

// Runs `body` through the engine (with `options`) and the reference, and
// compares; also writes the JSON and checks its shape. Returns the number of
// non-empty values, so callers can tell a vacuous comparison.
// With `persons`, events resolve to persons through it (some ids merged).
size_t CheckRequest(EventStore& store, std::span<const Event> events, const std::string& body,
                    int parallelism = 2, TrendsEngineOptions options = {},
                    const PersonDirectory* persons = nullptr) {
  SCOPED_TRACE(persons != nullptr ? body + " (merged)" : body);
  const std::vector<StoredColumn> columns = *store.Columns("ws_a");
  const Result<TrendsRequest> request = ParseTrendsRequest(body, columns);
  EXPECT_TRUE(request.ok()) << request.status().ToString();
  if (!request.ok()) return 0;
  const QueryContext context{
      .workspace_id = "ws_a", .parallelism = parallelism, .persons = persons};
  const Result<TrendsResult> actual = RunTrendsEngine(context, store, *request, options);
  EXPECT_TRUE(actual.ok()) << actual.status().ToString();
  if (!actual.ok()) return 0;
  const TrendsResult expected =
      ReferenceTrends(*request, events, "ws_a", *PersonSnapshotOf(context));
  ExpectSameResult(*actual, expected, body);

  // The JSON: one entry per period x series x group, a value per bucket.
  uint64_t points = 0;
  const std::string json = WriteTrendsResult(*request, *actual, points);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  EXPECT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << json;
  const simdjson::dom::array entries = root["series"].get_array().value();
  EXPECT_EQ(entries.size(),
            request->periods.size() * request->series.size() * expected.groups.size());
  size_t non_empty = 0;
  for (const auto& period : expected.series) {
    for (const auto& series : period) {
      for (const TrendsValues& values : series) {
        for (const auto& value : values.values) non_empty += value.has_value() && *value != 0;
      }
    }
  }
  return non_empty;
}

// ---------------------------------------------------------------------------
// Random requests over random events.

const char* const kZones[] = {"UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata"};
const char* const kMaths[] = {"total",
                              "unique_persons",
                              "dau",
                              "wau",
                              "mau",
                              "count_per_person_avg",
                              "count_per_person_median",
                              "count_per_person_p90",
                              "sum",
                              "avg",
                              "min",
                              "max",
                              "median",
                              "p90",
                              "p95",
                              "p99"};
const char* const kMathProperties[] = {"properties.price", "properties.items", "traits.age"};
const char* const kSelectors[] = {
    R"()",
    R"("event": "Order Completed")",
    R"("event": "Page Viewed")",
    R"("type": "page")",
    R"("type": "identify")",
    R"("event": "Searched", "filters": [{"property": "properties.plan", "operator": "equals",
                                          "value": "pro"}])",
    R"("filters": [{"property": "context.country", "operator": "in", "value": ["DE", "FR"]}])",
    R"("filters": [{"property": "properties.price", "operator": "gt", "value": 40}])",
};
const char* const kBreakdowns[] = {"properties.plan",
                                   "context.country",
                                   "event",
                                   "type",
                                   "properties.first_order",
                                   "properties.items",
                                   "context.page_url",
                                   "properties.note",
                                   "traits.email",
                                   "user_id"};

std::string RandomRequest(std::mt19937_64& random, TimePoint data_from, int data_days) {
  const auto pick = [&](const auto& list) { return list[random() % std::size(list)]; };
  const int interval = int(random() % 4);  // hour, day, week, month
  const int64_t hour = 3'600'000'000;
  const int64_t day = 24 * hour;
  // From: on a day, on an hour, or anywhere, from a day before the data to
  // near its end; the length fits the interval.
  int64_t from = UnixMicros(data_from) - day + int64_t(random() % uint64_t((data_days + 1) * day));
  const int rounding = int(random() % 3);
  if (rounding == 0) from -= from % day;
  if (rounding == 1) from -= from % hour;
  int64_t length = 0;
  switch (interval) {
    case 0:
      length = (1 + int64_t(random() % 60)) * hour;
      break;
    case 1:
      length = (1 + int64_t(random() % (data_days + 2))) * day;
      break;
    case 2:
      length = (4 + int64_t(random() % 30)) * day;
      break;
    default:
      length = (10 + int64_t(random() % 60)) * day;
      break;
  }
  if (random() % 4 == 0) length += int64_t(random() % uint64_t(day));
  const char* const intervals[] = {"hour", "day", "week", "month"};

  const size_t series_count = 1 + random() % 3;
  std::vector<std::string> series;
  std::string shared_selector = pick(kSelectors);
  for (size_t i = 0; i < series_count; ++i) {
    // Now and then two series share a selector (and so a scan).
    const std::string selector = random() % 3 == 0 ? shared_selector : pick(kSelectors);
    std::string math = pick(kMaths);
    while (interval == 3 && (math == "wau" || math == "mau")) math = pick(kMaths);
    const bool property = math == "sum" || math == "avg" || math == "min" || math == "max" ||
                          math == "median" || math[0] == 'p';
    std::string fields = selector;
    const auto add = [&](const std::string& field) {
      fields += (fields.empty() ? "" : ", ") + field;
    };
    add(fmt::format(R"("math": "{}")", math));
    if (property) add(fmt::format(R"("math_property": "{}")", pick(kMathProperties)));
    series.push_back("{" + fields + "}");
  }
  std::string body = fmt::format(
      R"({{"from": "{}", "to": "{}", "interval": "{}", "time_zone": "{}", "series": [{}])",
      FormatIso8601(FromUnixMicros(from)), FormatIso8601(FromUnixMicros(from + length)),
      intervals[interval], pick(kZones), fmt::join(series, ", "));
  if (random() % 2 == 0) {
    body += fmt::format(R"(, "breakdown": {{"property": "{}", "limit": {}}})", pick(kBreakdowns),
                        1 + random() % 6);
  }
  if (random() % 3 == 0) {
    const char* const formulas[] = {"A * 2",       "-A + 1",    "A / B * 100",
                                    "(A + B) / 2", "A - B * C", "(A + C) / (B - 1)"};
    const char* formula =
        formulas[random() % std::min<size_t>(std::size(formulas), series_count == 1   ? 2
                                                                  : series_count == 2 ? 4
                                                                                      : 6)];
    body += fmt::format(R"(, "formula": "{}")", formula);
  }
  if (random() % 3 == 0) body += R"(, "compare": true)";
  return body + "}";
}

struct RandomDataSet {
  const char* name;
  const char* from;
  int days;
};

void PrintTo(const RandomDataSet& data_set, std::ostream* out) { *out << data_set.name; }

class TrendsRandomTest : public ::testing::TestWithParam<RandomDataSet> {};

TEST_P(TrendsRandomTest, EngineMatchesReference) {
  const RandomDataSet& data_set = GetParam();
  std::mt19937_64 random(std::hash<std::string_view>()(data_set.name));
  cdp::testing::RandomEventOptions options;
  options.workspaces = {"ws_a", "ws_b"};
  options.persons = 60;
  options.from = At(data_set.from);
  options.days = data_set.days;
  const std::vector<Event> events = cdp::testing::RandomEvents(random, 3000, options);
  TestEventStore store(events, 3, 256);
  // Every other request resolves persons with some of them merged.
  const query::testing::StaticPersonDirectory merged =
      query::testing::RandomPersonDirectory(random, events);
  size_t non_empty = 0;
  for (int i = 0; i < 70; ++i) {
    const std::string body = RandomRequest(random, options.from, options.days);
    // Some runs force the breakdown's fallback (count values, then rescan).
    TrendsEngineOptions engine_options;
    if (i % 5 == 0) engine_options.cell_budget = 1 + random() % 64;
    non_empty += CheckRequest(store.store(), events, body, 1 + int(random() % 3), engine_options,
                              i % 2 == 1 ? &merged : nullptr);
    if (HasFatalFailure() || ::testing::Test::HasFailure()) return;
  }
  EXPECT_GT(non_empty, 1000u) << "the requests should mostly find events";
}

INSTANTIATE_TEST_SUITE_P(DstChanges, TrendsRandomTest,
                         ::testing::Values(RandomDataSet{"ParisSpring", "2026-03-26", 6},
                                           RandomDataSet{"ParisAndNewYorkAutumn", "2026-10-22", 14},
                                           RandomDataSet{"NewYorkSpring", "2026-03-06", 4}),
                         [](const auto& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------------------
// Hand-made events on the edges: same timestamps, bucket and range edges,
// DST changes, persons with one event, an event without a person.

Event MakeEvent(std::string_view event_name, std::string_view person, std::string_view time,
                std::optional<double> price = std::nullopt, std::string_view plan = "") {
  static int next_id = 0;
  Event event;
  event.workspace_id = "ws_a";
  event.type = EventType::kTrack;
  event.event = std::string(event_name);
  event.message_id = fmt::format("m{}", next_id++);
  if (person.starts_with("u:")) {
    event.user_id = std::string(person.substr(2));
  } else {
    event.anonymous_id = std::string(person);
  }
  event.timestamp = At(time);
  event.received_at = event.timestamp;
  if (price) {
    Property property;
    property.name = "price";
    property.value = *price;
    event.properties.push_back(property);
  }
  if (!plan.empty()) {
    Property property;
    property.name = "plan";
    property.value = std::string(plan);
    event.properties.push_back(property);
  }
  return event;
}

std::vector<Event> EdgeEvents() {
  std::vector<Event> events = {
      // Paris midnight of the DST day, twice at the same instant, and just before.
      MakeEvent("Buy", "p1", "2026-03-28T23:00:00Z", 10, "pro"),
      MakeEvent("Buy", "p1", "2026-03-28T23:00:00Z", 20, "pro"),
      MakeEvent("Buy", "p2", "2026-03-28T22:59:59.999999Z", 5, "free"),
      // Around the skipped hour (02:00 to 03:00 CET to CEST, 01:00Z).
      MakeEvent("Buy", "p1", "2026-03-29T00:59:59Z", 7),
      MakeEvent("Buy", "p3", "2026-03-29T01:00:00Z", 7, "team"),
      MakeEvent("View", "p3", "2026-03-29T01:00:00Z"),
      // New York's skipped hour (07:00Z), and UTC midnights.
      MakeEvent("View", "u:u9", "2026-03-08T07:00:00Z"),
      MakeEvent("Buy", "u:u9", "2026-03-08T06:59:59Z", 1.5, "pro"),
      MakeEvent("View", "p4", "2026-03-30T00:00:00Z"),
      MakeEvent("View", "p4", "2026-04-01T00:00:00Z"),
      // Paris's repeated hour (02:00 to 03:00 twice: 00:00Z to 02:00Z).
      MakeEvent("Buy", "p5", "2026-10-25T00:30:00Z", 3, "pro"),
      MakeEvent("Buy", "p5", "2026-10-25T01:30:00Z", 4, "pro"),
      MakeEvent("Buy", "p6", "2026-10-25T01:59:59Z", 100, "free"),
      MakeEvent("View", "p6", "2026-10-25T02:00:00Z"),
      // New York's repeated hour (05:00Z to 07:00Z on 2026-11-01).
      MakeEvent("Buy", "p7", "2026-11-01T05:30:00Z", 8),
      MakeEvent("Buy", "p7", "2026-11-01T06:30:00Z", 9),
      // No person at all: counts in "total" only.
      MakeEvent("Buy", "", "2026-03-29T10:00:00Z", 50, "pro"),
      // Another workspace's event at the same instant.
      MakeEvent("Buy", "p1", "2026-03-28T23:00:00Z", 1000, "pro"),
  };
  events.back().workspace_id = "ws_b";
  // A busy person: many events, one per hour, over three weeks.
  for (int hour = 0; hour < 21 * 24; hour += 5) {
    events.push_back(MakeEvent(hour % 2 ? "View" : "Buy", "busy",
                               FormatIso8601(At("2026-03-15T00:00:00Z") + std::chrono::hours(hour)),
                               double(hour % 17), hour % 3 ? "pro" : ""));
  }
  return events;
}

TEST(TrendsEdgeTest, EveryMathOnEdgeEventsMatchesReference) {
  const std::vector<Event> events = EdgeEvents();
  TestEventStore store(events, 2, 16);
  const std::vector<std::string> ranges = {
      R"("from": "2026-03-28T23:00:00Z", "to": "2026-03-30T00:00:00+02:00")",  // Paris days
      R"("from": "2026-03-29", "to": "2026-03-29T05:00:00Z")",
      R"("from": "2026-03-08T05:00:00Z", "to": "2026-03-08T09:00:00Z")",
      R"("from": "2026-10-24T22:00:00Z", "to": "2026-10-25T04:00:00Z")",
      R"("from": "2026-11-01T04:00:00Z", "to": "2026-11-01T08:00:00Z")",
      R"("from": "2026-03-01", "to": "2026-04-02")",
  };
  for (const std::string& range : ranges) {
    for (const char* zone : kZones) {
      for (const char* interval : {"hour", "day", "week"}) {
        for (const char* math : kMaths) {
          const std::string_view name(math);
          const bool property = name == "sum" || name == "avg" || name == "min" || name == "max" ||
                                name == "median" || name[0] == 'p';
          const std::string series =
              fmt::format(R"({{"event": "Buy", "math": "{}"{}}}, {{"event": "View"}})", math,
                          property ? R"(, "math_property": "properties.price")" : "");
          const std::string body = fmt::format(
              R"({{{}, "interval": "{}", "time_zone": "{}", "series": [{}],
                   "breakdown": {{"property": "properties.plan", "limit": 2}},
                   "formula": "A / B", "compare": true}})",
              range, interval, zone, series);
          CheckRequest(store.store(), events, body);
          const std::string plain =
              fmt::format(R"({{{}, "interval": "{}", "time_zone": "{}", "series": [{}]}})", range,
                          interval, zone, series);
          CheckRequest(store.store(), events, plain, 1);
          if (::testing::Test::HasFailure()) return;
        }
      }
    }
  }
}

TEST(TrendsEdgeTest, CountsTheEdgesAsDefined) {
  const std::vector<Event> events = EdgeEvents();
  TestEventStore store(events, 2, 16);
  const QueryContext context{.workspace_id = "ws_a", .parallelism = 2};
  // Paris, hours of 2026-03-29 from 00:00 (23:00Z the day before): the
  // skipped 02:00 is no bucket, so 01:00 then 03:00.
  const std::string body = R"({"from": "2026-03-28T23:00:00Z", "to": "2026-03-29T02:00:00Z",
      "interval": "hour", "time_zone": "Europe/Paris",
      "series": [{"event": "Buy"}, {"event": "Buy", "math": "dau"},
                 {"event": "Buy", "math": "sum", "math_property": "properties.price"}]})";
  const Result<QueryOutput> output = RunTrendsQuery(context, store.store(), body);
  ASSERT_TRUE(output.ok()) << output.status().ToString();
  simdjson::dom::parser parser;
  const simdjson::dom::element root = parser.parse(output->json).value();
  EXPECT_EQ(simdjson::minify(root["buckets"]),
            R"(["2026-03-29T00:00:00+01:00","2026-03-29T01:00:00+01:00",)"
            R"("2026-03-29T03:00:00+02:00"])");
  // p1 twice at 00:00 (same instant), p1 at 01:59:59, p3 at 03:00.
  EXPECT_EQ(simdjson::minify(root["series"].at(0)["values"]), "[2,1,1]");
  EXPECT_EQ(simdjson::minify(root["series"].at(0)["total"]), "4");
  EXPECT_EQ(simdjson::minify(root["series"].at(1)["values"]), "[1,1,1]");
  EXPECT_EQ(simdjson::minify(root["series"].at(1)["total"]), "2");
  EXPECT_EQ(simdjson::minify(root["series"].at(2)["values"]), "[30,7,7]");
  EXPECT_EQ(output->rows, 9u);
}

TEST(TrendsEdgeTest, AnEmptyRangeHasZerosAndNulls) {
  const std::vector<Event> events = EdgeEvents();
  TestEventStore store(events, 2, 16);
  const std::string body = R"({"from": "2027-01-01", "to": "2027-01-03",
      "series": [{"math": "dau"}, {"math": "p90", "math_property": "properties.price"},
                 {"math": "count_per_person_median"}], "formula": "A / C"})";
  CheckRequest(store.store(), events, body);
  const QueryContext context{.workspace_id = "ws_a", .parallelism = 2};
  const Result<QueryOutput> output = RunTrendsQuery(context, store.store(), body);
  ASSERT_TRUE(output.ok());
  simdjson::dom::parser parser;
  const simdjson::dom::element root = parser.parse(output->json).value();
  EXPECT_EQ(simdjson::minify(root["series"].at(0)["values"]), "[0,0]");
  EXPECT_EQ(simdjson::minify(root["series"].at(1)["values"]), "[null,null]");
  EXPECT_EQ(simdjson::minify(root["series"].at(1)["total"]), "null");
  EXPECT_EQ(simdjson::minify(root["series"].at(2)["values"]), "[0,0]");
  EXPECT_EQ(simdjson::minify(root["formula"]["series"].at(0)["values"]), "[null,null]");
  // With a breakdown there is no group at all.
  const std::string broken_down = R"({"from": "2027-01-01", "to": "2027-01-03",
      "series": [{}], "breakdown": {"property": "properties.plan"}})";
  const Result<QueryOutput> empty = RunTrendsQuery(context, store.store(), broken_down);
  ASSERT_TRUE(empty.ok());
  const simdjson::dom::element empty_root = parser.parse(empty->json).value();
  EXPECT_EQ(simdjson::minify(empty_root["series"]), "[]");
}

TEST(TrendsEdgeTest, TheAnswerDoesNotDependOnParallelismOrBudget) {
  std::mt19937_64 random(11);
  cdp::testing::RandomEventOptions options;
  options.workspaces = {"ws_a"};
  options.persons = 300;
  options.from = At("2026-03-26");
  const std::vector<Event> events = cdp::testing::RandomEvents(random, 6000, options);
  TestEventStore store(events, 4, 512);
  const std::string body = R"({"from": "2026-03-27", "to": "2026-03-31", "interval": "hour",
      "time_zone": "Europe/Paris",
      "series": [{"math": "wau"}, {"math": "count_per_person_p90"},
                 {"math": "p95", "math_property": "properties.price"}],
      "breakdown": {"property": "traits.email", "limit": 7}, "formula": "A + B + C",
      "compare": true})";
  for (const int parallelism : {1, 2, 3}) {
    for (const size_t budget : {size_t(1), size_t(100), size_t(1) << 20}) {
      CheckRequest(store.store(), events, body, parallelism, {.cell_budget = budget});
    }
  }
}

TEST(TrendsQueryTest, BadRequestsAre400sNamingTheField) {
  const std::vector<Event> events = EdgeEvents();
  TestEventStore store(events, 1, 64);
  const QueryContext context{.workspace_id = "ws_a", .parallelism = 2};
  const Result<QueryOutput> output =
      RunTrendsQuery(context, store.store(),
                     R"({"from": "2026-03-01", "to": "2026-03-02", "series": [{"math": "sum",
          "math_property": "properties.plan"}]})");
  ASSERT_FALSE(output.ok());
  EXPECT_EQ(output.status().http_status(), 400);
  EXPECT_EQ(output.status().field(), "series[0].math_property");
}

TEST(TrendsQueryTest, StopsWhenCancelled) {
  const std::vector<Event> events = EdgeEvents();
  TestEventStore store(events, 1, 64);
  std::atomic<bool> cancelled{true};
  const QueryContext context{.workspace_id = "ws_a", .parallelism = 2, .cancelled = &cancelled};
  const Result<QueryOutput> output = RunTrendsQuery(
      context, store.store(), R"({"from": "2026-03-01", "to": "2026-04-02", "series": [{}]})");
  ASSERT_FALSE(output.ok());
  EXPECT_EQ(output.status().code(), CancelledStatus().code());
}

// The data-driven cases (tests/queries/trends/*.json), which the shared
// runner checks through the service, hold for the reference too.
TEST(TrendsCasesTest, TheReferenceGivesTheCasesExpectedResults) {
  size_t cases = 0;
  for (const cases::QueryCaseFile& file : cases::ListQueryCaseFiles(CDP_QUERY_CASES_DIR)) {
    if (file.kind != QueryKind::kTrends) continue;
    ++cases;
    SCOPED_TRACE(file.name);
    const Result<cases::QueryCase> query_case = cases::LoadQueryCase(file);
    ASSERT_TRUE(query_case.ok()) << query_case.status().cause();
    TestEventStore store(query_case->events, 2, 4);
    const std::vector<StoredColumn> columns = *store.store().Columns(cases::kCaseWorkspace);
    const Result<TrendsRequest> parsed = ParseTrendsRequest(query_case->request, columns);
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    uint64_t points = 0;
    const query::testing::StaticPersonDirectory persons = cases::PersonDirectoryOf(*query_case);
    const std::string reference =
        WriteTrendsResult(*parsed,
                          ReferenceTrends(*parsed, query_case->events, cases::kCaseWorkspace,
                                          *persons.Snapshot(cases::kCaseWorkspace)),
                          points);
    EXPECT_EQ(cases::JsonDifferences(reference, query_case->expected), std::vector<std::string>{});
  }
  EXPECT_GE(cases, 2u);
}

}  // namespace
}  // namespace cdp::query
