#include "query/explorer/events_query.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/iso8601.h"
#include "query/explorer/events_reference.h"
#include "query/explorer/events_request.h"
#include "query/explorer/events_result.h"
#include "query/request_json.h"
#include "query/testing/random_persons.h"
#include "query/testing/static_person_directory.h"
#include "query/testing/test_event_store.h"
#include "store/testing/random_events.h"

namespace cdp::query {
namespace {

using query::testing::ReferenceEventsPage;
using query::testing::TestEventStore;

constexpr std::string_view kWorkspace = "ws_a";

TimePoint At(std::string_view text) {
  const std::optional<TimePoint> time = ParseRequestTime(text);
  EXPECT_TRUE(time.has_value()) << text;
  return time.value_or(TimePoint{});
}

// "now" for every query of these tests: the default range is the 30 days
// before it.
const TimePoint kNow = At("2026-01-04T12:00:00Z");

QueryContext ContextOf(int parallelism, const std::atomic<bool>* cancelled = nullptr,
                       const PersonDirectory* persons = nullptr) {
  return QueryContext{.workspace_id = std::string(kWorkspace),
                      .parallelism = parallelism,
                      .cancelled = cancelled,
                      .progress = nullptr,
                      .persons = persons};
}

// What rows show as the person of an id nobody merged.
std::string ProfileOf(std::string_view id) { return ProfileIdOf(PersonKeyOf(id)); }

// A request body, field by field (values as JSON text).
struct Body {
  std::vector<std::pair<std::string, std::string>> fields;

  Body& Set(std::string key, std::string json) {
    fields.emplace_back(std::move(key), std::move(json));
    return *this;
  }
  std::string Json(const std::optional<std::string>& cursor = std::nullopt) const {
    std::string json = "{";
    for (const auto& [key, value] : fields) {
      json += fmt::format("{}\"{}\":{}", json.size() > 1 ? "," : "", key, value);
    }
    if (cursor) json += fmt::format("{}\"cursor\":\"{}\"", json.size() > 1 ? "," : "", *cursor);
    return json + "}";
  }
};

std::string Quoted(std::string_view text) { return fmt::format("\"{}\"", text); }

Event MakeEvent(std::string workspace, EventType type, std::string name, std::string anonymous_id,
                std::string user_id, TimePoint timestamp, std::string message_id) {
  Event event;
  event.workspace_id = std::move(workspace);
  event.type = type;
  event.event = std::move(name);
  event.anonymous_id = std::move(anonymous_id);
  event.user_id = std::move(user_id);
  event.timestamp = timestamp;
  event.received_at = timestamp;
  event.message_id = std::move(message_id);
  return event;
}

// Runs `body` page after page, following next_cursor, and checks that each
// page is exactly the reference's page for the same request (rows, order,
// cursor), that every page but the last is full, and that the pages
// together are the reference's whole ordered list: no row repeated or
// skipped. Returns how many rows the walk returned.
size_t ExpectPagesMatchReference(std::span<const Event> events, EventStore& store, const Body& body,
                                 int parallelism, const PersonDirectory* persons = nullptr) {
  const Result<std::vector<StoredColumn>> stored = store.Columns(kWorkspace);
  EXPECT_TRUE(stored.ok());
  Result<EventsRequest> whole = ParseEventsRequest(body.Json(), *stored, kNow);
  EXPECT_TRUE(whole.ok()) << body.Json() << " " << whole.status().ToString();
  if (!whole.ok()) return 0;
  whole->limit = std::numeric_limits<size_t>::max();
  const EventsPage all = ReferenceEventsPage(events, kWorkspace, *whole, persons);

  std::vector<std::string> walked;
  std::optional<std::string> cursor;
  for (int pages = 0;; ++pages) {
    const std::string json = body.Json(cursor);
    if (pages > 2000) {
      ADD_FAILURE() << "endless pages: " << json;
      break;
    }
    const Result<QueryOutput> output =
        RunEventsQueryAt(ContextOf(parallelism, nullptr, persons), store, json, kNow);
    if (!output.ok()) {
      ADD_FAILURE() << json << ": " << output.status().ToString();
      break;
    }
    const Result<EventsRequest> request = ParseEventsRequest(json, *stored, kNow);
    const EventsPage expected = ReferenceEventsPage(events, kWorkspace, *request, persons);
    if (output->json != WriteEventsResult(*request, expected)) {
      ADD_FAILURE() << "page " << pages << " of " << json << "\n got: " << output->json
                    << "\nwant: " << WriteEventsResult(*request, expected);
      break;
    }
    EXPECT_EQ(output->rows, expected.rows.size());
    walked.insert(walked.end(), expected.rows.begin(), expected.rows.end());
    if (!expected.next) break;
    EXPECT_EQ(expected.rows.size(), request->limit) << json;
    cursor = EncodeEventsCursor(request->order, *expected.next);
  }
  EXPECT_EQ(walked, all.rows) << body.Json();
  return walked.size();
}

// --- Random data and requests -------------------------------------------

// RandomEvents, plus bursts of events that share one microsecond (one of
// them on a day boundary), with message ids that differ only in their last
// byte, one a prefix of another, and one missing; and persons with a single
// event.
std::vector<Event> TestEvents(uint64_t seed, size_t count) {
  std::mt19937_64 random(seed);
  ::cdp::testing::RandomEventOptions options;
  options.persons = 60;
  options.days = 5;
  std::vector<Event> events = ::cdp::testing::RandomEvents(random, count, options);
  const size_t originals = events.size();
  for (int burst = 0; burst < 4; ++burst) {
    const TimePoint at = burst == 0 ? At("2026-01-03") : events[random() % originals].timestamp;
    for (int i = 0; i < 30; ++i) {
      Event event = events[random() % originals];
      event.workspace_id = std::string(kWorkspace);
      event.timestamp = at;
      event.message_id = i == 0 && burst == 1 ? "" : fmt::format("burst-{}-{}", burst, i % 13);
      if (i >= 13) event.message_id += i < 26 ? "x" : fmt::format("-{}", i);
      events.push_back(std::move(event));
    }
  }
  // The last microsecond of each day, next to the first of the next.
  for (int day = 1; day <= 5; ++day) {
    Event event = events[random() % originals];
    event.workspace_id = std::string(kWorkspace);
    event.timestamp = At(fmt::format("2026-01-0{}T23:59:59.999999Z", day));
    event.message_id = fmt::format("day-end-{}", day);
    events.push_back(std::move(event));
  }
  events.push_back(MakeEvent(std::string(kWorkspace), EventType::kTrack, "Signed Up", "anon-solo",
                             "", At("2026-01-02T07:00:00Z"), "solo-1"));
  events.push_back(MakeEvent(std::string(kWorkspace), EventType::kTrack, "Logged In", "",
                             "user-solo", At("2026-01-02T08:00:00Z"), "solo-2"));
  return events;
}

template <typename T>
const T& PickOne(std::mt19937_64& random, const std::vector<T>& values) {
  return values[random() % values.size()];
}

bool Chance(std::mt19937_64& random, double p) {
  return std::uniform_real_distribution<double>(0, 1)(random) < p;
}

const std::vector<std::string> kFilters = {
    R"({"property":"properties.plan","operator":"equals","value":"pro"})",
    R"({"property":"properties.plan","operator":"not_equals","value":"free"})",
    R"({"property":"properties.plan","operator":"in","value":["team","enterprise"]})",
    R"({"property":"properties.plan","operator":"contains","value":"e"})",
    R"({"property":"properties.plan","operator":"not_contains","value":"r"})",
    R"({"property":"properties.plan","operator":"starts_with","value":"t"})",
    R"({"property":"properties.plan","operator":"ends_with","value":"o"})",
    R"({"property":"properties.plan","operator":"regex","value":"^(pro|team)$"})",
    R"({"property":"properties.plan","operator":"not_regex","value":"ee"})",
    R"({"property":"properties.plan","operator":"is_set"})",
    R"({"property":"properties.plan","operator":"is_not_set"})",
    R"({"property":"properties.price","operator":"gt","value":50})",
    R"({"property":"properties.price","operator":"lte","value":"20.5"})",
    R"({"property":"properties.price","operator":"gte","value":10})",
    R"({"property":"properties.price","operator":"lt","value":90})",
    R"({"property":"properties.first_order","operator":"equals","value":true})",
    R"({"property":"properties.shipped_at","operator":"gt","value":"2026-01-03T00:00:00Z"})",
    R"({"property":"properties.note","operator":"contains","value":"ü"})",
    R"({"property":"context.country","operator":"in","value":["DE","FR"]})",
    R"({"property":"context.page_url","operator":"ends_with","value":"/1"})",
    R"({"property":"traits.age","operator":"gte","value":40})",
    R"j({"property":"event","operator":"regex","value":"^(Signed|Logged)"})j",
    R"({"property":"type","operator":"not_equals","value":"identify"})",
    R"({"property":"user_id","operator":"is_set"})",
    R"({"property":"message_id","operator":"starts_with","value":"burst"})",
    R"({"property":"properties.never_seen","operator":"is_not_set"})",
    R"({"property":"properties.never_seen","operator":"equals","value":"x"})",
    R"({"property":"timestamp","operator":"lt","value":"2026-01-03T12:00:00Z"})",
};

const std::vector<std::string> kColumns = {
    "event",
    "type",
    "timestamp",
    "message_id",
    "person_id",
    "anonymous_id",
    "user_id",
    "group_id",
    "previous_id",
    "sent_at",
    "received_at",
    "original_timestamp",
    "integrations",
    "properties",
    "context",
    "traits",
    "traits_set_once",
    "properties.plan",
    "properties.price",
    "properties.first_order",
    "properties.shipped_at",
    "properties.note",
    "traits.age",
    "context.country",
    "properties.never_seen",
    "traits_set_once.first_seen",
};

// A time bound: an event's exact timestamp (so that events sit on the
// edges), a day, an offset, or a time finer than the store's microseconds.
std::string RandomTime(std::mt19937_64& random, std::span<const Event> events) {
  switch (random() % 5) {
    case 0:
      return fmt::format("2026-01-0{}", 1 + random() % 6);
    case 1:
      return fmt::format("2026-01-0{}T0{}:30:00+01:00", 1 + random() % 6, random() % 10);
    case 2:
      return fmt::format("2026-01-0{}T10:00:00.0000005Z", 1 + random() % 6);
    default:
      return FormatMicrosIso8601(UnixMicros(events[random() % events.size()].timestamp));
  }
}

// A random request (without a limit) of every kind the explorer takes.
Body RandomBody(std::mt19937_64& random, std::span<const Event> events) {
  Body body;
  if (Chance(random, 0.85)) {
    std::string from = RandomTime(random, events);
    std::string to = RandomTime(random, events);
    while (At(from) == At(to)) to = RandomTime(random, events);
    if (At(to) < At(from)) std::swap(from, to);
    body.Set("from", Quoted(from)).Set("to", Quoted(to));
  } else if (Chance(random, 0.5)) {
    body.Set("to", Quoted("2026-01-03T06:00:00Z"));  // the 30 days before it
  }
  if (Chance(random, 0.3)) {
    const std::vector<std::string> types = {"track", "page", "identify", "alias", "group"};
    body.Set("types", random() % 2 ? fmt::format("[\"{}\"]", PickOne(random, types))
                                   : fmt::format("[\"{}\",\"{}\"]", PickOne(random, types),
                                                 PickOne(random, types)));
  }
  if (Chance(random, 0.3)) {
    const std::vector<std::string> names = {"Signed Up", "Page Viewed", "Order Completed",
                                            "Logged In", "Searched",    "Unknown Event"};
    body.Set("events",
             fmt::format("[\"{}\",\"{}\"]", PickOne(random, names), PickOne(random, names)));
  }
  if (Chance(random, 0.2)) {
    const int person = static_cast<int>(random() % 60);
    // Distinct ids, profile ids (of a representative, of an id merged
    // into another person, of nobody) and ids no event has.
    const std::vector<std::string> ids = {fmt::format("anon-{}", person),
                                          fmt::format("user-{}", person),
                                          ProfileOf(fmt::format("anon-{}", person)),
                                          ProfileOf(fmt::format("user-{}", person)),
                                          "anon-solo",
                                          "user-solo",
                                          "nobody",
                                          "prs_00000000000000ff"};
    body.Set("person_id", Quoted(PickOne(random, ids)));
  }
  if (Chance(random, 0.1)) body.Set("anonymous_id", Quoted(fmt::format("anon-{}", random() % 60)));
  if (Chance(random, 0.1)) body.Set("user_id", Quoted(fmt::format("user-{}", random() % 60)));
  if (Chance(random, 0.5)) {
    std::string filters = "[" + PickOne(random, kFilters);
    if (Chance(random, 0.4)) filters += "," + PickOne(random, kFilters);
    body.Set("filters", filters + "]");
  }
  if (Chance(random, 0.7)) {
    std::vector<std::string> columns = kColumns;
    std::shuffle(columns.begin(), columns.end(), random);
    columns.resize(1 + random() % 7);
    std::string json;
    for (const std::string& column : columns) json += (json.empty() ? "" : ",") + Quoted(column);
    body.Set("columns", "[" + json + "]");
  }
  if (Chance(random, 0.7)) body.Set("order", Quoted(random() % 2 ? "newest" : "oldest"));
  return body;
}

// A limit that makes the walk take several pages (at most about 25), and
// now and then exactly the number of rows, one less or one more.
size_t RandomLimit(std::mt19937_64& random, size_t rows) {
  if (rows > 0 && Chance(random, 0.15)) {
    const size_t choices[] = {rows, std::max<size_t>(1, rows - 1), rows + 1};
    return choices[random() % 3];
  }
  return std::max<size_t>(1 + random() % 30, rows / 25 + 1);
}

class EventsQueryRandomTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(EventsQueryRandomTest, EveryPageMatchesTheReference) {
  const std::vector<Event> events = TestEvents(GetParam(), 2500);
  TestEventStore store(events, /*flushes=*/3, /*block_rows=*/64);
  std::mt19937_64 random(GetParam() * 7919);
  const Result<std::vector<StoredColumn>> stored = store.store().Columns(kWorkspace);
  ASSERT_TRUE(stored.ok());
  // Every other request resolves persons with some of them merged.
  const query::testing::StaticPersonDirectory merged =
      query::testing::RandomPersonDirectory(random, events);
  size_t non_empty = 0;
  for (int i = 0; i < 70; ++i) {
    const PersonDirectory* persons = i % 2 == 1 ? &merged : nullptr;
    SCOPED_TRACE(persons != nullptr ? "merged" : "nobody merged");
    Body body = RandomBody(random, events);
    Result<EventsRequest> request = ParseEventsRequest(body.Json(), *stored, kNow);
    ASSERT_TRUE(request.ok()) << body.Json() << " " << request.status().ToString();
    request->limit = std::numeric_limits<size_t>::max();
    const size_t rows = ReferenceEventsPage(events, kWorkspace, *request, persons).rows.size();
    body.Set("limit", std::to_string(RandomLimit(random, rows)));
    const size_t walked =
        ExpectPagesMatchReference(events, store.store(), body, 1 + int(random() % 3), persons);
    non_empty += walked > 0 ? 1 : 0;
    if (HasFailure()) return;
  }
  // The requests are not vacuous.
  EXPECT_GT(non_empty, 35u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, EventsQueryRandomTest, ::testing::Values(1, 2, 3));

// --- Edge cases ----------------------------------------------------------

TEST(EventsQueryTest, EventsOfOneMicrosecondPageByMessageId) {
  std::vector<Event> events;
  const TimePoint at = At("2026-01-02T10:00:00.000001Z");
  for (int i = 0; i < 200; ++i) {
    events.push_back(MakeEvent(std::string(kWorkspace), EventType::kTrack, "Tick",
                               fmt::format("anon-{}", i % 5), "", at, fmt::format("m{}", i)));
  }
  // Neighbours one microsecond away on either side.
  events.push_back(MakeEvent(std::string(kWorkspace), EventType::kTrack, "Tick", "anon-1", "",
                             at - std::chrono::microseconds(1), "m-before"));
  events.push_back(MakeEvent(std::string(kWorkspace), EventType::kTrack, "Tick", "anon-1", "",
                             at + std::chrono::microseconds(1), "m-after"));
  TestEventStore store(events, 4, 16);
  for (const std::string order : {"newest", "oldest"}) {
    for (const int limit : {1, 7, 64, 201, 202, 203}) {
      for (const int parallelism : {1, 2, 3}) {
        Body body;
        body.Set("from", Quoted("2026-01-02")).Set("to", Quoted("2026-01-03"));
        body.Set("order", Quoted(order)).Set("limit", std::to_string(limit));
        EXPECT_EQ(ExpectPagesMatchReference(events, store.store(), body, parallelism), 202u);
      }
    }
  }
}

TEST(EventsQueryTest, SparseEventsOverYearsPageInOrder) {
  // A few events a month from 1969 to 1971 and around now, so that pages
  // need many of the engine's day windows, before and after the epoch.
  std::vector<Event> events;
  std::mt19937_64 random(23);
  for (int i = 0; i < 150; ++i) {
    const TimePoint base = i % 2 ? At("1969-01-01") : At("2025-06-01");
    events.push_back(
        MakeEvent("ws_a", EventType::kTrack, "E", fmt::format("a{}", i % 9), "",
                  base + std::chrono::microseconds(random() % (int64_t{730} * 86'400'000'000)),
                  fmt::format("m{:03}", i)));
  }
  TestEventStore store(events, 2, 8);
  for (const std::string order : {"newest", "oldest"}) {
    for (const int limit : {1, 4, 40}) {
      Body body;
      body.Set("from", Quoted("1968-12-31T13:00:00Z")).Set("to", Quoted("2027-07-01T05:00:00Z"));
      body.Set("order", Quoted(order)).Set("limit", std::to_string(limit));
      EXPECT_EQ(ExpectPagesMatchReference(events, store.store(), body, 2), 150u);
    }
  }
}

TEST(EventsQueryTest, RangeIncludesFromAndExcludesTo) {
  const std::vector<Event> events = {
      MakeEvent("ws_a", EventType::kTrack, "A", "a1", "", At("2026-01-02T00:00:00Z"), "m1"),
      MakeEvent("ws_a", EventType::kTrack, "B", "a1", "", At("2026-01-02T23:59:59.999999Z"), "m2"),
      MakeEvent("ws_a", EventType::kTrack, "C", "a1", "", At("2026-01-03T00:00:00Z"), "m3"),
      MakeEvent("ws_b", EventType::kTrack, "D", "a1", "", At("2026-01-02T12:00:00Z"), "m4"),
  };
  TestEventStore store(events);
  const Result<QueryOutput> output = RunEventsQueryAt(
      ContextOf(2), store.store(),
      R"({"from":"2026-01-02","to":"2026-01-03","columns":["event"],"order":"oldest"})", kNow);
  ASSERT_TRUE(output.ok()) << output.status().ToString();
  EXPECT_EQ(
      output->json,
      fmt::format(R"({{"from":"2026-01-02T00:00:00.000000Z","to":"2026-01-03T00:00:00.000000Z",)"
                  R"("columns":["message_id","timestamp","person_id","event"],"events":[)"
                  R"({{"message_id":"m1","timestamp":"2026-01-02T00:00:00.000000Z",)"
                  R"("person_id":"{0}","event":"A"}},)"
                  R"({{"message_id":"m2","timestamp":"2026-01-02T23:59:59.999999Z",)"
                  R"("person_id":"{0}","event":"B"}}],)"
                  R"("next_cursor":null}})",
                  ProfileOf("a1")));
  EXPECT_EQ(output->rows, 2u);
}

TEST(EventsQueryTest, EmptyRangesAndNoMatchesGiveAnEmptyLastPage) {
  const std::vector<Event> events = TestEvents(5, 300);
  TestEventStore store(events);
  for (const std::string body :
       {R"({"from":"2025-06-01","to":"2025-06-02"})", R"({"events":["Nothing"]})",
        R"({"person_id":"nobody","from":"2026-01-01","to":"2026-02-01"})",
        R"({"from":"2026-01-02T10:00:00.0000001Z","to":"2026-01-02T10:00:00.0000002Z"})"}) {
    const Result<QueryOutput> output = RunEventsQueryAt(ContextOf(2), store.store(), body, kNow);
    ASSERT_TRUE(output.ok()) << body << output.status().ToString();
    EXPECT_NE(output->json.find(R"("events":[],"next_cursor":null})"), std::string::npos)
        << output->json;
    EXPECT_EQ(output->rows, 0u);
  }
}

// The message ids of the page `body` asks for.
std::vector<std::string> MessageIds(EventStore& store, const std::string& body,
                                    const PersonDirectory* persons = nullptr) {
  const Result<QueryOutput> output =
      RunEventsQueryAt(ContextOf(2, nullptr, persons), store, body, kNow);
  EXPECT_TRUE(output.ok()) << body << output.status().ToString();
  if (!output.ok()) return {"<error>"};
  std::vector<std::string> ids;
  simdjson::dom::parser parser;
  for (const simdjson::dom::element row : parser.parse(output->json)["events"].get_array()) {
    ids.emplace_back(std::string_view(row["message_id"]));
  }
  return ids;
}

std::vector<Event> PersonEvents() {
  return {
      // The person user-1: the user id decides, whatever the anonymous id.
      MakeEvent("ws_a", EventType::kTrack, "A", "anon-1", "user-1", At("2026-01-02T01:00:00Z"),
                "m1"),
      MakeEvent("ws_a", EventType::kIdentify, "", "", "user-1", At("2026-01-02T02:00:00Z"), "m2"),
      MakeEvent("ws_a", EventType::kTrack, "B", "anon-2", "", At("2026-01-02T03:00:00Z"), "m3"),
      // No person at all.
      MakeEvent("ws_a", EventType::kTrack, "C", "", "", At("2026-01-02T04:00:00Z"), "m4"),
  };
}

using Ids = std::vector<std::string>;
const std::string kDayOldestFirst = R"("from":"2026-01-02","to":"2026-01-03","order":"oldest")";

TEST(EventsQueryTest, PersonIdIsTheUserIdElseTheAnonymousId) {
  const std::vector<Event> events = PersonEvents();
  TestEventStore store(events);
  const std::string range = kDayOldestFirst;
  EXPECT_EQ(MessageIds(store.store(), "{" + range + R"(,"person_id":"user-1"})"),
            (Ids{"m1", "m2"}));
  // anon-1's only event has a user id: it is user-1's.
  EXPECT_EQ(MessageIds(store.store(), "{" + range + R"(,"person_id":"anon-1"})"), Ids{});
  EXPECT_EQ(MessageIds(store.store(), "{" + range + R"(,"person_id":"anon-2"})"), Ids{"m3"});
  EXPECT_EQ(MessageIds(store.store(), "{" + range + R"(,"anonymous_id":"anon-1"})"), Ids{"m1"});
  EXPECT_EQ(
      MessageIds(store.store(), "{" + range + R"(,"person_id":"user-1","types":["identify"]})"),
      Ids{"m2"});
  EXPECT_EQ(
      MessageIds(store.store(), "{" + range + R"(,"person_id":"user-1","anonymous_id":"anon-1"})"),
      Ids{"m1"});
  // Rows show the profile id of their person; m4 has none.
  const Result<QueryOutput> all = RunEventsQueryAt(
      ContextOf(1), store.store(), "{" + range + R"(,"columns":["person_id"]})", kNow);
  ASSERT_TRUE(all.ok());
  EXPECT_NE(all->json.find(fmt::format(
                R"("message_id":"m1","timestamp":"2026-01-02T01:00:00.000000Z","person_id":"{}"}})",
                ProfileOf("user-1"))),
            std::string::npos)
      << all->json;
  EXPECT_NE(all->json.find(
                R"("message_id":"m4","timestamp":"2026-01-02T04:00:00.000000Z","person_id":null})"),
            std::string::npos)
      << all->json;
}

// With anon-1 and anon-2 merged into user-1's person, any of its ids or
// profile ids (its own, or the one anon-2 had before the merge) finds its
// whole timeline, and every row shows its profile id.
TEST(EventsQueryTest, PersonIdFindsTheMergedTimeline) {
  const std::vector<Event> events = PersonEvents();
  TestEventStore store(events, 2, 2);
  const query::testing::StaticPersonDirectory persons({{"user-1", {"anon-1", "anon-2"}}}, {},
                                                      {"user-1", "anon-1", "anon-2"});
  const std::string range = kDayOldestFirst;
  for (const std::string& id : {std::string("user-1"), std::string("anon-1"), std::string("anon-2"),
                                ProfileOf("user-1"), ProfileOf("anon-2")}) {
    SCOPED_TRACE(id);
    EXPECT_EQ(MessageIds(store.store(), "{" + range + R"(,"person_id":")" + id + R"("})", &persons),
              (Ids{"m1", "m2", "m3"}));
  }
  // A profile id of nobody, and an id no event has: empty pages.
  EXPECT_EQ(
      MessageIds(store.store(), "{" + range + R"(,"person_id":"prs_0000000000000001"})", &persons),
      Ids{});
  EXPECT_EQ(MessageIds(store.store(), "{" + range + R"(,"person_id":"nobody"})", &persons), Ids{});
  const Result<QueryOutput> page =
      RunEventsQueryAt(ContextOf(2, nullptr, &persons), store.store(),
                       "{" + range + R"(,"person_id":"anon-2","columns":["person_id"]})", kNow);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(
      page->json,
      fmt::format(
          R"({{"from":"2026-01-02T00:00:00.000000Z","to":"2026-01-03T00:00:00.000000Z",)"
          R"("columns":["message_id","timestamp","person_id"],"events":[)"
          R"({{"message_id":"m1","timestamp":"2026-01-02T01:00:00.000000Z","person_id":"{0}"}},)"
          R"({{"message_id":"m2","timestamp":"2026-01-02T02:00:00.000000Z","person_id":"{0}"}},)"
          R"({{"message_id":"m3","timestamp":"2026-01-02T03:00:00.000000Z","person_id":"{0}"}}],)"
          R"("next_cursor":null}})",
          ProfileOf("user-1")));
}

TEST(EventsQueryTest, DefaultsAreTheLast30DaysNewestFirst100Rows) {
  std::vector<Event> events;
  const TimePoint now = At("2026-03-01T00:00:00Z");
  for (int i = 0; i < 250; ++i) {
    // One event every 4 hours back from now: 180 in the 30 days.
    events.push_back(MakeEvent("ws_a", EventType::kTrack, "Tick", "a1", "",
                               now - std::chrono::hours(4 * i) + std::chrono::seconds(1),
                               fmt::format("m{:03}", i)));
  }
  TestEventStore store(events);
  const Result<QueryOutput> output = RunEventsQueryAt(ContextOf(2), store.store(), "{}", now);
  ASSERT_TRUE(output.ok()) << output.status().ToString();
  EXPECT_EQ(output->rows, 100u);
  EXPECT_TRUE(output->json.starts_with(
      R"({"from":"2026-01-30T00:00:00.000000Z","to":"2026-03-01T00:00:00.000000Z",)"
      R"("columns":["message_id","timestamp","person_id","type","event","anonymous_id","user_id","properties"],)"
      R"("events":[{"message_id":"m001","timestamp":"2026-02-28T20:00:01.000000Z","person_id":")" +
      ProfileOf("a1") +
      R"(","type":"track","event":"Tick","anonymous_id":"a1","user_id":null,"properties":{}},)"))
      << output->json;
  const Result<std::vector<StoredColumn>> stored = store.store().Columns(kWorkspace);
  const Result<EventsRequest> request = ParseEventsRequest("{}", *stored, now);
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->from, now - std::chrono::hours(24 * 30));
  EXPECT_EQ(request->to, now);
  EXPECT_EQ(request->limit, 100u);
  EXPECT_EQ(request->order, EventsOrder::kNewestFirst);
}

TEST(EventsQueryTest, TheLargestLimitTakesTenThousandRows) {
  std::vector<Event> events;
  std::mt19937_64 random(17);
  for (int i = 0; i < 12'345; ++i) {
    events.push_back(
        MakeEvent("ws_a", EventType::kTrack, "E", fmt::format("a{}", random() % 900), "",
                  At("2026-01-02") + std::chrono::microseconds(random() % 86'400'000'000),
                  fmt::format("m{}", i)));
  }
  TestEventStore store(events, 3, 1024);
  for (const std::string order : {"newest", "oldest"}) {
    Body body;
    body.Set("from", Quoted("2026-01-02")).Set("to", Quoted("2026-01-03"));
    body.Set("columns", R"(["event"])").Set("order", Quoted(order)).Set("limit", "10000");
    EXPECT_EQ(ExpectPagesMatchReference(events, store.store(), body, 2), 12'345u);
  }
}

TEST(EventsQueryTest, AColumnNoEventHasIsNullAndAnEmptySectionIsAnEmptyObject) {
  Event event =
      MakeEvent("ws_a", EventType::kTrack, "A", "a1", "u1", At("2026-01-02T01:00:00.5Z"), "m1");
  event.properties.push_back(
      Property{.name = "plan", .value = std::string("pro"), .timestamp = {}});
  event.properties.push_back(Property{.name = "price", .value = 9.5, .timestamp = {}});
  event.properties.push_back(Property{.name = "new", .value = true, .timestamp = {}});
  event.properties.push_back(Property{.name = "gone", .value = std::monostate{}, .timestamp = {}});
  TestEventStore store(std::vector<Event>{event});
  const Result<QueryOutput> output = RunEventsQueryAt(
      ContextOf(1), store.store(),
      R"({"from":"2026-01-02","to":"2026-01-03","columns":["properties.missing","traits",)"
      R"("properties","properties.price","sent_at","type"]})",
      kNow);
  ASSERT_TRUE(output.ok()) << output.status().ToString();
  // The event has a user id: its person is u1's.
  EXPECT_NE(output->json.find(
                R"({"message_id":"m1","timestamp":"2026-01-02T01:00:00.500000Z","person_id":")" +
                ProfileOf("u1") +
                R"(",)"
                R"("properties.missing":null,"traits":{},)"
                R"("properties":{"new":true,"plan":"pro","price":9.5},"properties.price":9.5,)"
                R"("sent_at":null,"type":"track"})"),
            std::string::npos)
      << output->json;
}

// --- Bad requests ----------------------------------------------------------

TEST(EventsQueryTest, EachBadFieldIsA400NamingIt) {
  const std::vector<Event> events = TestEvents(6, 200);
  TestEventStore store(events);
  const std::string newest_cursor = EncodeEventsCursor(EventsOrder::kNewestFirst, {1, "m"});
  std::string damaged_cursor = newest_cursor;
  damaged_cursor[3] = damaged_cursor[3] == 'A' ? 'B' : 'A';
  const std::pair<std::string, std::string> cases[] = {
      {"not json", ""},
      {"[1,2]", ""},
      {R"({"bogus":1})", "bogus"},
      {R"({"from":"yesterday"})", "from"},
      {R"({"from":"2026-01-02T25:00:00Z","to":"2026-01-03"})", "from"},
      {R"({"to":5})", "to"},
      {R"({"from":"2026-01-03","to":"2026-01-02"})", "to"},
      {R"({"from":"2026-01-03","to":"2026-01-03"})", "to"},
      {R"({"from":"2030-01-01"})", "from"},
      {R"({"types":[]})", "types"},
      {R"({"types":"track"})", "types"},
      {R"({"types":["track","click"]})", "types[1]"},
      {R"({"types":[1]})", "types[0]"},
      {R"({"events":[]})", "events"},
      {R"({"events":["Signed Up",""]})", "events[1]"},
      {R"({"events":[null]})", "events[0]"},
      {R"({"person_id":""})", "person_id"},
      {R"({"person_id":7})", "person_id"},
      {R"({"anonymous_id":""})", "anonymous_id"},
      {R"({"user_id":["u1"]})", "user_id"},
      {R"({"filters":{}})", "filters"},
      {R"({"filters":[{"property":"nope","operator":"equals","value":1}]})", "filters[0].property"},
      {R"({"filters":[{"property":"event","operator":"like","value":"x"}]})",
       "filters[0].operator"},
      {R"({"filters":[{"property":"event","operator":"regex","value":"(("}]})", "filters[0].value"},
      {R"({"filters":[{"property":"properties.price","operator":"contains","value":"1"}]})",
       "filters[0].operator"},
      {R"({"filters":[{"property":"properties.price","operator":"gt","value":"cheap"}]})",
       "filters[0].value"},
      {R"({"filters":[{"property":"event","operator":"equals"}]})", "filters[0].value"},
      {R"({"filters":[{"property":"event","operator":"is_set","value":1}]})", "filters[0].value"},
      {R"({"filters":[{"property":"event","operator":"equals","value":"x","and":1}]})",
       "filters[0].and"},
      {R"({"columns":[]})", "columns"},
      {R"({"columns":"event"})", "columns"},
      {R"({"columns":["event","bogus"]})", "columns[1]"},
      {R"({"columns":["properties."]})", "columns[0]"},
      {R"({"columns":["property.plan"]})", "columns[0]"},
      {R"({"columns":["event",3]})", "columns[1]"},
      {R"({"columns":["event","type","event"]})", "columns[2]"},
      {R"({"order":"latest"})", "order"},
      {R"({"order":1})", "order"},
      {R"({"limit":0})", "limit"},
      {R"({"limit":10001})", "limit"},
      {R"({"limit":1.5})", "limit"},
      {R"({"limit":"10"})", "limit"},
      {R"({"cursor":""})", "cursor"},
      {R"({"cursor":"!!not a cursor"})", "cursor"},
      {R"({"cursor":12})", "cursor"},
      {R"({"cursor":")" + damaged_cursor + "\"}", "cursor"},
      {R"({"order":"oldest","cursor":")" + newest_cursor + "\"}", "cursor"},
  };
  for (const auto& [body, field] : cases) {
    const Result<QueryOutput> output = RunEventsQueryAt(ContextOf(2), store.store(), body, kNow);
    ASSERT_FALSE(output.ok()) << body;
    EXPECT_EQ(output.status().code(), ErrorCode::kBadRequest) << body;
    EXPECT_EQ(output.status().field(), field) << body << ": " << output.status().ToString();
  }
  // And the good cursor is good.
  const Result<QueryOutput> output =
      RunEventsQueryAt(ContextOf(2), store.store(), R"({"cursor":")" + newest_cursor + "\"}", kNow);
  EXPECT_TRUE(output.ok()) << output.status().ToString();
}

// --- Cancellation ----------------------------------------------------------

// Delegates to a store, raising `cancel` when the first batch arrives.
class CancellingStore final : public EventStore {
 public:
  CancellingStore(EventStore& store, std::atomic<bool>& cancel) : store_(store), cancel_(cancel) {}
  Status Append(std::span<const Event> events, const SourceOffsets& through) override {
    return store_.Append(events, through);
  }
  Status Flush() override { return store_.Flush(); }
  Result<SourceOffsets> FlushedOffsets() override { return store_.FlushedOffsets(); }
  Status Scan(const ScanRequest& request, int parallelism, const ScanConsumer& consume) override {
    return store_.Scan(request, parallelism, [&](int worker, const ScanBatch& batch) {
      cancel_.store(true);
      return consume(worker, batch);
    });
  }
  Result<std::vector<StoredColumn>> Columns(std::string_view workspace_id) override {
    return store_.Columns(workspace_id);
  }
  Result<StoreStats> Stats(std::string_view workspace_id) override {
    return store_.Stats(workspace_id);
  }
  Status DropBefore(std::string_view workspace_id, TimePoint keep_from) override {
    return store_.DropBefore(workspace_id, keep_from);
  }

 private:
  EventStore& store_;
  std::atomic<bool>& cancel_;
};

TEST(EventsQueryTest, StopsWhenCancelled) {
  const std::vector<Event> events = TestEvents(7, 2000);
  TestEventStore store(events, 2, 64);
  const std::string body = R"({"from":"2026-01-01","to":"2026-01-07"})";
  {
    std::atomic<bool> cancelled{true};
    const Result<QueryOutput> output =
        RunEventsQueryAt(ContextOf(2, &cancelled), store.store(), body, kNow);
    ASSERT_FALSE(output.ok());
    EXPECT_EQ(output.status().code(), CancelledStatus().code());
    EXPECT_EQ(output.status().message(), CancelledStatus().message());
  }
  for (const int parallelism : {1, 2}) {
    std::atomic<bool> cancelled{false};
    CancellingStore cancelling(store.store(), cancelled);
    const Result<QueryOutput> output =
        RunEventsQueryAt(ContextOf(parallelism, &cancelled), cancelling, body, kNow);
    ASSERT_FALSE(output.ok());
    EXPECT_EQ(output.status().message(), CancelledStatus().message());
  }
}

}  // namespace
}  // namespace cdp::query
