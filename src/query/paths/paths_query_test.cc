#include "query/paths/paths_query.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <tuple>

#include "core/json_writer.h"
#include "queries/json_difference.h"
#include "queries/query_case.h"
#include "query/event_filter.h"
#include "query/session/testing/reference_sessions.h"
#include "query/session/testing/session_events.h"
#include "query/testing/random_persons.h"
#include "query/testing/static_person_directory.h"
#include "query/testing/test_event_store.h"
#include "store/event_columns.h"

namespace cdp::query {
namespace {

using cases::kCaseWorkspace;
using testing::FormatMicros;

// A paths request as the reference reads it (the test writes both it and the
// JSON body from the same choices).
struct ReferenceRequest {
  int64_t from = 0;
  int64_t to = 0;
  bool next = true;
  std::string anchor_json;  // the start (next) or end (previous) selector; "" for none
  int steps = 5;
  int64_t timeout_minutes = 30;
  std::string path_property;  // "" for the event name
  std::string filters_json;   // "" for none
  size_t limit = 50;
  bool collapse_repeats = false;
};

std::string BodyOf(const ReferenceRequest& request) {
  std::string body = fmt::format(
      R"({{"from":"{}","to":"{}","direction":"{}","steps":{},"timeout_minutes":{},"limit":{},)"
      R"("collapse_repeats":{})",
      FormatMicros(request.from), FormatMicros(request.to), request.next ? "next" : "previous",
      request.steps, request.timeout_minutes, request.limit, request.collapse_repeats);
  if (!request.anchor_json.empty()) {
    body += fmt::format(R"(,"{}":{})", request.next ? "start" : "end", request.anchor_json);
  }
  if (!request.path_property.empty()) {
    body += fmt::format(R"(,"path_property":"{}")", request.path_property);
  }
  if (!request.filters_json.empty()) body += R"(,"filters":)" + request.filters_json;
  return body + "}";
}

// The predicates of a selector or filters in JSON, as the store's catalog
// types them.
std::vector<Predicate> PredicatesOf(const std::string& selector_json, EventStore& store) {
  if (selector_json.empty()) return {};
  simdjson::dom::parser parser;
  const RequestObject object = *RequestObject::Parse(parser, selector_json);
  const ColumnCatalog catalog = *ColumnCatalog::Load(store, kCaseWorkspace);
  return *ToPredicates(*ParseEventSelector(object), catalog);
}

// The result of POST /query/paths, straight from its definition.
std::string ReferencePathsResult(std::span<const Event> events, const ReferenceRequest& request,
                                 EventStore& store, const PersonMap& persons) {
  const std::string path_property = request.path_property;
  testing::ReferenceSessionOptions options{
      .from_micros = request.from,
      .to_micros = request.to,
      .timeout_micros = request.timeout_minutes * 60'000'000,
      .predicates = request.filters_json.empty()
                        ? std::vector<Predicate>{}
                        : PredicatesOf(R"({"filters":)" + request.filters_json + "}", store),
      .name_of = [&](const Event& event) -> std::optional<std::string> {
        if (path_property.empty()) return testing::ReferenceEventName(event);
        const ScalarValue value = ColumnValueOf(event, path_property);
        if (const auto* text = std::get_if<std::string>(&value)) return *text;
        return std::nullopt;
      },
      .anchor = PredicatesOf(request.anchor_json, store),
      .persons = &persons};

  uint64_t start_count = 0;
  std::map<std::tuple<int, std::string, std::string>, uint64_t> transitions;
  std::map<std::pair<int, std::string>, uint64_t> dropoffs;
  for (const auto& [person, sessions] : testing::ReferenceSessions(events, options)) {
    for (const testing::ReferenceSession& session : sessions) {
      // The session in the walk's order: forward from the anchor, or
      // backward from it.
      testing::ReferenceSession walk = session;
      if (!request.next) std::reverse(walk.begin(), walk.end());
      size_t anchor = 0;
      if (!request.anchor_json.empty()) {
        // The first matching event in time order.
        const auto first = std::find_if(session.begin(), session.end(),
                                        [](const testing::ReferenceStep& s) { return s.anchor; });
        if (first == session.end()) continue;
        const size_t index = size_t(first - session.begin());
        anchor = request.next ? index : session.size() - 1 - index;
      }
      ++start_count;
      std::vector<std::string> path = {walk[anchor].name};
      for (size_t i = anchor + 1; i < walk.size() && int(path.size()) <= request.steps; ++i) {
        if (request.collapse_repeats && walk[i].name == path.back()) continue;
        path.push_back(walk[i].name);
      }
      for (size_t step = 1; step < path.size(); ++step) {
        if (request.next) {
          ++transitions[{int(step), path[step - 1], path[step]}];
        } else {
          ++transitions[{int(step), path[step], path[step - 1]}];
        }
      }
      const int made = int(path.size()) - 1;
      if (made < request.steps) ++dropoffs[{made, path.back()}];
    }
  }

  JsonWriter out;
  out.BeginObject();
  out.Key("start_count").Uint(start_count);
  out.Key("transitions").BeginArray();
  for (int step = 1; step <= request.steps; ++step) {
    std::vector<std::tuple<uint64_t, std::string, std::string>> list;
    for (const auto& [key, count] : transitions) {
      if (std::get<0>(key) == step) list.emplace_back(count, std::get<1>(key), std::get<2>(key));
    }
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
      if (std::get<0>(a) != std::get<0>(b)) return std::get<0>(a) > std::get<0>(b);
      return std::tie(std::get<1>(a), std::get<2>(a)) < std::tie(std::get<1>(b), std::get<2>(b));
    });
    if (list.size() > request.limit) list.resize(request.limit);
    for (const auto& [count, from, to] : list) {
      out.BeginObject().Key("step").Int(step).Key("from").String(from).Key("to").String(to);
      out.Key("sessions").Uint(count).EndObject();
    }
  }
  out.EndArray();
  out.Key("dropoffs").BeginArray();
  for (int step = 0; step < request.steps; ++step) {
    std::vector<std::pair<uint64_t, std::string>> list;
    for (const auto& [key, count] : dropoffs) {
      if (key.first == step) list.emplace_back(count, key.second);
    }
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    if (list.size() > request.limit) list.resize(request.limit);
    for (const auto& [count, at] : list) {
      out.BeginObject().Key("step").Int(step).Key("at").String(at);
      out.Key("sessions").Uint(count).EndObject();
    }
  }
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

constexpr const char* kAnchors[] = {
    "",
    R"({"event":"Searched"})",
    R"({"type":"page"})",
    R"({"event":"Page Viewed","filters":[{"property":"properties.plan","operator":"equals","value":"pro"}]})",
    R"({"type":"identify"})",
    R"({"filters":[{"property":"context.country","operator":"in","value":["DE","FR"]}]})",
};

constexpr const char* kFilters[] = {
    "",
    "",
    R"([{"property":"type","operator":"in","value":["page","screen","track"]}])",
    R"([{"property":"properties.plan","operator":"is_set"}])",
    R"([{"property":"event","operator":"not_equals","value":"Logged In"}])",
};

constexpr const char* kPathProperties[] = {"", "", "context.page_url", "properties.plan"};

TEST(PathsQueryTest, MatchesTheReferenceOnRandomData) {
  std::mt19937_64 random(20261025);
  constexpr int64_t kTimeouts[] = {1, 5, 30, 60, 1440};
  const int64_t from = UnixMicros(*ParseRequestTime("2026-10-24T00:00:00Z"));
  const int64_t to = UnixMicros(*ParseRequestTime("2026-10-27T00:00:00Z"));
  int compared = 0;
  for (int data_set = 0; data_set < 25; ++data_set) {
    const int64_t timeout_minutes = kTimeouts[random() % std::size(kTimeouts)];
    const std::vector<Event> events =
        testing::SessionEvents(random, {.from = FromUnixMicros(from),
                                        .to = FromUnixMicros(to),
                                        .timeout_micros = timeout_minutes * 60'000'000,
                                        .persons = 15 + int(random() % 30),
                                        .events = 300 + random() % 1500});
    query::testing::TestEventStore store(events, 3, 256);
    // Every other query resolves persons with some of them merged.
    const query::testing::StaticPersonDirectory merged =
        query::testing::RandomPersonDirectory(random, events);
    for (int query = 0; query < 8; ++query) {
      const PersonDirectory* persons = query % 2 == 1 ? &merged : nullptr;
      ReferenceRequest request;
      request.timeout_minutes = query % 2 == 0 ? timeout_minutes : kTimeouts[random() % 5];
      request.from = from;
      request.to = to;
      if (random() % 3 == 0) {  // edges at event times: events exactly on both
        const int64_t a = UnixMicros(events[random() % events.size()].timestamp);
        const int64_t b = UnixMicros(events[random() % events.size()].timestamp);
        request.from = std::min(a, b);
        request.to = std::max(a, b) + (a == b);
      } else if (random() % 10 == 0) {  // a range holding nothing
        request.from = to + 86'400'000'000;
        request.to = request.from + 1;
      }
      request.next = random() % 2 == 0;
      request.anchor_json = kAnchors[random() % std::size(kAnchors)];
      request.steps = random() % 8 == 0 ? 20 : 1 + int(random() % 6);
      request.path_property = kPathProperties[random() % std::size(kPathProperties)];
      request.filters_json = kFilters[random() % std::size(kFilters)];
      request.limit = random() % 3 == 0 ? 50 : 1 + random() % 6;
      request.collapse_repeats = random() % 2 == 0;
      const std::string body = BodyOf(request);
      SCOPED_TRACE(persons != nullptr ? body + " (merged)" : body);
      const QueryContext context = ContextWith(1 + int(random() % 3), persons);
      const Result<QueryOutput> output = RunPathsQuery(context, store.store(), body);
      ASSERT_TRUE(output.ok()) << output.status().message();
      const std::string expected =
          ReferencePathsResult(events, request, store.store(), *PersonSnapshotOf(context));
      EXPECT_EQ(cases::JsonDifferences(output->json, expected), std::vector<std::string>{})
          << "engine: " << output->json << "\nreference: " << expected;
      ++compared;
    }
  }
  EXPECT_EQ(compared, 200);
}

TEST(PathsQueryTest, RefusesBadRequestsNamingTheField) {
  std::mt19937_64 random(5);
  const std::vector<Event> events = testing::SessionEvents(
      random, {.from = *ParseRequestTime("2026-03-01"), .to = *ParseRequestTime("2026-03-02")});
  query::testing::TestEventStore store(events);
  const std::string range = R"("from":"2026-03-01","to":"2026-03-02")";
  const std::pair<std::string, const char*> cases[] = {
      {R"({"to":"2026-03-02"})", "from"},
      {R"({"from":"2026-03-02","to":"2026-03-01"})", "to"},
      {"{" + range + R"(,"direction":"sideways"})", "direction"},
      {"{" + range + R"(,"direction":"previous","start":{"event":"A"}})", "start"},
      {"{" + range + R"(,"end":{"event":"A"}})", "end"},
      {"{" + range + R"(,"start":{}})", "start"},
      {"{" + range + R"(,"start":"Signed Up"})", "start"},
      {"{" + range + R"(,"start":{"event":5}})", "start.event"},
      {"{" + range + R"(,"start":{"name":"A"}})", "start.name"},
      {"{" + range + R"(,"start":{"type":"click"}})", "start.type"},
      {"{" + range +
           R"(,"start":{"filters":[{"property":"properties.plan","operator":"like",)"
           R"("value":"x"}]}})",
       "start.filters[0].operator"},
      {"{" + range +
           R"(,"direction":"previous","end":{"filters":[{"property":"properties.price",)"
           R"("operator":"gt","value":"cheap"}]}})",
       "end.filters[0].value"},
      {"{" + range + R"(,"steps":0})", "steps"},
      {"{" + range + R"(,"steps":21})", "steps"},
      {"{" + range + R"(,"timeout_minutes":0})", "timeout_minutes"},
      {"{" + range + R"(,"path_property":"page_url"})", "path_property"},
      {"{" + range + R"(,"path_property":"timestamp"})", "path_property"},
      {"{" + range + R"(,"path_property":"properties.price"})", "path_property"},
      {"{" + range + R"(,"path_property":7})", "path_property"},
      {"{" + range + R"(,"limit":0})", "limit"},
      {"{" + range + R"(,"limit":1001})", "limit"},
      {"{" + range + R"(,"collapse_repeats":"yes"})", "collapse_repeats"},
      {"{" + range + R"(,"filters":[{"property":"plan","operator":"equals","value":"x"}]})",
       "filters[0].property"},
      {"{" + range + R"(,"interval":"day"})", "interval"},
  };
  for (const auto& [body, field] : cases) {
    SCOPED_TRACE(body);
    const Result<QueryOutput> output = RunPathsQuery(ContextWith(2), store.store(), body);
    ASSERT_FALSE(output.ok());
    EXPECT_EQ(output.status().code(), ErrorCode::kBadRequest);
    EXPECT_EQ(output.status().field(), field) << output.status().message();
  }
}

}  // namespace
}  // namespace cdp::query
