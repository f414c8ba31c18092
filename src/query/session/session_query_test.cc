#include "query/session/session_query.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "core/json_writer.h"
#include "queries/json_difference.h"
#include "queries/query_case.h"
#include "query/event_filter.h"
#include "query/session/testing/reference_sessions.h"
#include "query/session/testing/session_events.h"
#include "query/testing/random_persons.h"
#include "query/testing/static_person_directory.h"
#include "query/testing/test_event_store.h"
#include "query/time_buckets.h"

namespace cdp::query {
namespace {

using cases::kCaseWorkspace;
using testing::FormatMicros;
using testing::ReferenceSession;

// A session request as the reference reads it (the test writes both it and
// the JSON body from the same choices).
struct ReferenceRequest {
  int64_t from = 0;
  int64_t to = 0;
  int64_t timeout_minutes = 30;
  Interval interval = Interval::kDay;
  std::string time_zone = "UTC";
  std::string filters_json;  // "" for none
  size_t entry_exit_limit = 10;
};

std::string BodyOf(const ReferenceRequest& request) {
  std::string body =
      fmt::format(R"({{"from":"{}","to":"{}","timeout_minutes":{},"interval":"{}",)"
                  R"("time_zone":"{}","entry_exit_limit":{})",
                  FormatMicros(request.from), FormatMicros(request.to), request.timeout_minutes,
                  IntervalName(request.interval), request.time_zone, request.entry_exit_limit);
  if (!request.filters_json.empty()) body += R"(,"filters":)" + request.filters_json;
  return body + "}";
}

// The predicates of the request's filters, as the store's catalog types them.
std::vector<Predicate> PredicatesOf(const ReferenceRequest& request, EventStore& store) {
  if (request.filters_json.empty()) return {};
  simdjson::dom::parser parser;
  const std::string body = R"({"filters":)" + request.filters_json + "}";
  const RequestObject object = *RequestObject::Parse(parser, body);
  const ColumnCatalog catalog = *ColumnCatalog::Load(store, kCaseWorkspace);
  std::vector<Predicate> predicates;
  const std::vector<PropertyFilter> filters = *ParseFilters(object);
  for (const PropertyFilter& filter : filters) {
    predicates.push_back(*ToPredicate(filter, catalog));
  }
  return predicates;
}

void WriteReferenceHistogram(JsonWriter& out, const std::vector<int64_t>& edges,
                             const std::vector<int64_t>& values, std::string_view from_key,
                             std::string_view to_key) {
  out.Key("histogram").BeginArray();
  for (size_t i = 0; i < edges.size(); ++i) {
    uint64_t count = 0;
    for (const int64_t value : values) {
      count += value >= edges[i] && (i + 1 == edges.size() || value < edges[i + 1]);
    }
    out.BeginObject().Key(from_key).Int(edges[i]).Key(to_key);
    if (i + 1 < edges.size()) {
      out.Int(edges[i + 1]);
    } else {
      out.Null();
    }
    out.Key("sessions").Uint(count).EndObject();
  }
  out.EndArray();
}

void WriteReferenceTop(JsonWriter& out, const std::map<std::string, uint64_t>& counts,
                       size_t limit) {
  std::vector<std::pair<std::string, uint64_t>> list(counts.begin(), counts.end());
  std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (list.size() > limit) list.resize(limit);
  out.BeginArray();
  for (const auto& [name, count] : list) {
    out.BeginObject().Key("event").String(name).Key("sessions").Uint(count).EndObject();
  }
  out.EndArray();
}

// The result of POST /query/session, straight from its definition.
std::string ReferenceSessionResult(std::span<const Event> events, const ReferenceRequest& request,
                                   EventStore& store, const PersonMap& persons) {
  const TimeZone zone = *TimeZone::Load(request.time_zone, "time_zone");
  const auto sessions_by_person = testing::ReferenceSessions(
      events, {.from_micros = request.from,
               .to_micros = request.to,
               .timeout_micros = request.timeout_minutes * 60'000'000,
               .predicates = PredicatesOf(request, store),
               .name_of = [](const Event& event) { return testing::ReferenceEventName(event); },
               .anchor = {},
               .persons = &persons});
  std::vector<double> durations_seconds;
  std::vector<int64_t> whole_durations_seconds;  // for the histogram: [edge, next edge)
  std::vector<double> event_counts;
  std::vector<int64_t> whole_event_counts;
  std::map<std::string, uint64_t> entries;
  std::map<std::string, uint64_t> exits;
  struct Bucket {
    uint64_t sessions = 0;
    double duration_seconds = 0;
    std::set<PersonKey> persons;
  };
  std::map<std::string, Bucket> buckets;  // by label
  for (const auto& [person, sessions] : sessions_by_person) {
    for (const ReferenceSession& session : sessions) {
      const int64_t duration = session.back().micros - session.front().micros;
      durations_seconds.push_back(double(duration) / 1e6);
      // Floor to whole seconds: edges are whole, so the bin is the same.
      whole_durations_seconds.push_back(duration / 1'000'000);
      event_counts.push_back(double(session.size()));
      whole_event_counts.push_back(int64_t(session.size()));
      ++entries[session.front().name];
      ++exits[session.back().name];
      const TimePoint start = FromUnixMicros(session.front().micros);
      const std::string label =
          zone.Format(zone.Instant(FloorToInterval(zone.Civil(start), request.interval)));
      Bucket& bucket = buckets[label];
      ++bucket.sessions;
      bucket.duration_seconds += double(duration) / 1e6;
      bucket.persons.insert(person);
    }
  }
  const auto average = [](const std::vector<double>& values) {
    double sum = 0;
    for (const double value : values) sum += value;
    return values.empty() ? 0 : sum / double(values.size());
  };

  JsonWriter out;
  out.BeginObject();
  out.Key("sessions").Uint(durations_seconds.size());
  out.Key("persons").Uint(sessions_by_person.size());
  out.Key("duration_seconds").BeginObject();
  out.Key("average").Double(average(durations_seconds));
  out.Key("median").Double(testing::ReferenceQuantile(durations_seconds, 0.5));
  out.Key("p90").Double(testing::ReferenceQuantile(durations_seconds, 0.9));
  WriteReferenceHistogram(out, {0, 1, 10, 30, 60, 180, 600, 1800, 3600, 10800},
                          whole_durations_seconds, "from_seconds", "to_seconds");
  out.EndObject();
  out.Key("events_per_session").BeginObject();
  out.Key("average").Double(average(event_counts));
  out.Key("median").Double(testing::ReferenceQuantile(event_counts, 0.5));
  out.Key("p90").Double(testing::ReferenceQuantile(event_counts, 0.9));
  WriteReferenceHistogram(out, {1, 2, 3, 4, 5, 6, 11, 21, 51, 101}, whole_event_counts,
                          "from_events", "to_events");
  out.EndObject();
  out.Key("entry_events");
  WriteReferenceTop(out, entries, request.entry_exit_limit);
  out.Key("exit_events");
  WriteReferenceTop(out, exits, request.entry_exit_limit);
  out.Key("over_time").BeginArray();
  const TimeBuckets all = *TimeBuckets::Make(zone, request.interval, FromUnixMicros(request.from),
                                             FromUnixMicros(request.to), "interval");
  size_t labelled = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    const auto found = buckets.find(all.Label(i));
    const Bucket bucket = found == buckets.end() ? Bucket{} : found->second;
    labelled += found != buckets.end();
    out.BeginObject()
        .Key("bucket")
        .String(all.Label(i))
        .Key("sessions")
        .Uint(bucket.sessions)
        .Key("average_duration_seconds")
        .Double(bucket.sessions == 0 ? 0 : bucket.duration_seconds / double(bucket.sessions))
        .Key("persons")
        .Uint(bucket.persons.size())
        .EndObject();
  }
  EXPECT_EQ(labelled, buckets.size()) << "a session's bucket is not one of the range's";
  out.EndArray();
  out.EndObject();
  return std::move(out).Take();
}

QueryContext ContextWith(int parallelism, const PersonDirectory* persons = nullptr) {
  return QueryContext{.workspace_id = std::string(kCaseWorkspace),
                      .parallelism = parallelism,
                      .cancelled = nullptr,
                      .progress = nullptr,
                      .persons = persons};
}

// Days around DST changes: Europe/Paris (2026-03-29, 2026-10-25) and
// America/New_York (2026-03-08, 2026-11-01), and an ordinary week.
constexpr const char* kFrames[][2] = {
    {"2026-03-27T00:00:00Z", "2026-03-31T00:00:00Z"},
    {"2026-10-23T00:00:00Z", "2026-10-27T00:00:00Z"},
    {"2026-03-06T00:00:00Z", "2026-03-10T00:00:00Z"},
    {"2026-10-30T00:00:00Z", "2026-11-03T00:00:00Z"},
    {"2026-05-04T00:00:00Z", "2026-05-11T00:00:00Z"},
};

constexpr const char* kFilters[] = {
    "",
    R"([{"property":"type","operator":"equals","value":"page"}])",
    R"([{"property":"properties.plan","operator":"in","value":["pro","team"]}])",
    R"([{"property":"context.country","operator":"is_set"}])",
    R"([{"property":"event","operator":"not_equals","value":"Searched"}])",
    R"([{"property":"properties.price","operator":"gt","value":20}])",
};

int64_t MicrosOf(const char* text) { return UnixMicros(*ParseRequestTime(text)); }

TEST(SessionQueryTest, MatchesTheReferenceOnRandomData) {
  std::mt19937_64 random(20260329);
  constexpr int64_t kTimeouts[] = {1, 5, 30, 30, 60, 1440};
  constexpr const char* kZones[] = {"UTC", "Europe/Paris", "America/New_York"};
  int compared = 0;
  for (int data_set = 0; data_set < 30; ++data_set) {
    const auto& frame = kFrames[data_set % std::size(kFrames)];
    const int64_t timeout_minutes = kTimeouts[random() % std::size(kTimeouts)];
    const int64_t from = MicrosOf(frame[0]);
    const int64_t to = MicrosOf(frame[1]);
    const std::vector<Event> events =
        testing::SessionEvents(random, {.from = FromUnixMicros(from),
                                        .to = FromUnixMicros(to),
                                        .timeout_micros = timeout_minutes * 60'000'000,
                                        .persons = 20 + int(random() % 30),
                                        .events = 300 + random() % 1500});
    query::testing::TestEventStore store(events, 3, 256);
    // Every other query resolves persons with some of them merged.
    const query::testing::StaticPersonDirectory merged =
        query::testing::RandomPersonDirectory(random, events);
    for (int query = 0; query < 6; ++query) {
      const PersonDirectory* persons = query % 2 == 1 ? &merged : nullptr;
      ReferenceRequest request;
      request.timeout_minutes = query == 0 ? timeout_minutes : kTimeouts[random() % 6];
      request.from = from;
      request.to = to;
      const int range = int(random() % 4);
      if (range == 1) {  // edges at event times: events exactly on both
        const int64_t a = UnixMicros(events[random() % events.size()].timestamp);
        const int64_t b = UnixMicros(events[random() % events.size()].timestamp);
        request.from = std::min(a, b);
        request.to = std::max(a, b) + (a == b);
      } else if (range == 2) {  // a range holding nothing
        request.from = to + 30LL * 86'400'000'000;
        request.to = request.from + 86'400'000'000;
      } else if (range == 3) {
        request.from = from + int64_t(random() % uint64_t(to - from));
        request.to = request.from + 1 + int64_t(random() % uint64_t(to - request.from));
      }
      request.interval = Interval(random() % 3);  // hour, day, week
      if (random() % 6 == 0) request.interval = Interval::kMonth;
      request.time_zone = kZones[random() % std::size(kZones)];
      request.filters_json = kFilters[random() % std::size(kFilters)];
      request.entry_exit_limit = 1 + random() % 8;
      const std::string body = BodyOf(request);
      SCOPED_TRACE(persons != nullptr ? body + " (merged)" : body);
      const QueryContext context = ContextWith(1 + int(random() % 3), persons);
      const Result<QueryOutput> output = RunSessionQuery(context, store.store(), body);
      ASSERT_TRUE(output.ok()) << output.status().message();
      const std::string expected =
          ReferenceSessionResult(events, request, store.store(), *PersonSnapshotOf(context));
      EXPECT_EQ(cases::JsonDifferences(output->json, expected), std::vector<std::string>{})
          << "engine: " << output->json << "\nreference: " << expected;
      ++compared;
    }
  }
  EXPECT_EQ(compared, 180);
}

TEST(SessionQueryTest, GapOfExactlyTheTimeoutContinuesTheSession) {
  const auto at = [](const char* time, const char* name) {
    Event event;
    event.workspace_id = std::string(kCaseWorkspace);
    event.anonymous_id = "a";
    event.event = name;
    event.timestamp = *ParseRequestTime(time);
    return event;
  };
  const std::vector<Event> events = {
      at("2026-03-01T10:00:00Z", "A"), at("2026-03-01T10:30:00Z", "B"),  // exactly 30 min
      at("2026-03-01T11:00:00.000001Z", "C"),                            // 30 min + 1 us
  };
  query::testing::TestEventStore store(events);
  const Result<QueryOutput> output =
      RunSessionQuery(ContextWith(2), store.store(), R"({"from":"2026-03-01","to":"2026-03-02"})");
  ASSERT_TRUE(output.ok()) << output.status().message();
  EXPECT_NE(output->json.find(R"("sessions":2,"persons":1)"), std::string::npos) << output->json;
  EXPECT_NE(output->json.find(R"("exit_events":[{"event":"B","sessions":1},{"event":"C")"),
            std::string::npos)
      << output->json;
}

TEST(SessionQueryTest, RefusesBadRequestsNamingTheField) {
  std::mt19937_64 random(5);
  const std::vector<Event> events = testing::SessionEvents(
      random, {.from = *ParseRequestTime("2026-03-01"), .to = *ParseRequestTime("2026-03-02")});
  query::testing::TestEventStore store(events);
  const std::pair<const char*, const char*> cases[] = {
      {R"({"to":"2026-03-02"})", "from"},
      {R"({"from":"2026-03-01"})", "to"},
      {R"({"from":"2026-03-02","to":"2026-03-01"})", "to"},
      {R"({"from":"2026-03-01","to":"2026-03-01"})", "to"},
      {R"({"from":"yesterday","to":"2026-03-02"})", "from"},
      {R"({"from":"2026-03-01","to":"2026-03-02","timeout_minutes":0})", "timeout_minutes"},
      {R"({"from":"2026-03-01","to":"2026-03-02","timeout_minutes":1441})", "timeout_minutes"},
      {R"({"from":"2026-03-01","to":"2026-03-02","timeout_minutes":"30"})", "timeout_minutes"},
      {R"({"from":"2026-03-01","to":"2026-03-02","interval":"year"})", "interval"},
      {R"({"from":"2000-01-01","to":"2026-03-02","interval":"hour"})", "interval"},
      {R"({"from":"2026-03-01","to":"2026-03-02","time_zone":"Mars/Olympus"})", "time_zone"},
      {R"({"from":"2026-03-01","to":"2026-03-02","entry_exit_limit":0})", "entry_exit_limit"},
      {R"({"from":"2026-03-01","to":"2026-03-02","entry_exit_limit":1001})", "entry_exit_limit"},
      {R"({"from":"2026-03-01","to":"2026-03-02","filters":{}})", "filters"},
      {R"({"from":"2026-03-01","to":"2026-03-02","filters":[{"property":"plan",)"
       R"("operator":"equals","value":"pro"}]})",
       "filters[0].property"},
      {R"({"from":"2026-03-01","to":"2026-03-02","filters":[{"property":"properties.plan",)"
       R"("operator":"like","value":"pro"}]})",
       "filters[0].operator"},
      {R"({"from":"2026-03-01","to":"2026-03-02","filters":[{"property":"properties.price",)"
       R"("operator":"gt","value":"cheap"}]})",
       "filters[0].value"},
      {R"({"from":"2026-03-01","to":"2026-03-02","timeout":30})", "timeout"},
  };
  for (const auto& [body, field] : cases) {
    SCOPED_TRACE(body);
    const Result<QueryOutput> output = RunSessionQuery(ContextWith(2), store.store(), body);
    ASSERT_FALSE(output.ok());
    EXPECT_EQ(output.status().code(), ErrorCode::kBadRequest);
    EXPECT_EQ(output.status().field(), field) << output.status().message();
  }
  const Result<QueryOutput> not_json = RunSessionQuery(ContextWith(2), store.store(), "{");
  ASSERT_FALSE(not_json.ok());
  EXPECT_EQ(not_json.status().code(), ErrorCode::kBadRequest);
}

}  // namespace
}  // namespace cdp::query
