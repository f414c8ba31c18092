#include "api/profile_routes.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "api/profile_list_request.h"
#include "api/testing/query_library_routes_test.h"
#include "identity/identity_service.h"
#include "meta/sqlite/sqlite_identity_store.h"
#include "model/person_map.h"
#include "query/explorer/events_query.h"
#include "query/service/in_process_query_cache.h"
#include "query/service/query_service.h"
#include "query/testing/test_event_store.h"

namespace cdp::api {
namespace {

using cdp::testing::JsonAt;
using cdp::testing::StringAt;
using std::chrono::minutes;

// A parsed JSON body, kept with its parser.
struct Json {
  explicit Json(const std::string& text) : padded(text) {
    EXPECT_EQ(parser.parse(padded).get(root), simdjson::SUCCESS) << text;
  }
  simdjson::padded_string padded;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
};

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    }
  }
  return out;
}

Property Text(std::string name, std::string value) {
  Property property;
  property.name = std::move(name);
  property.value = std::move(value);
  return property;
}
Property Number(std::string name, double value) {
  Property property;
  property.name = std::move(name);
  property.value = value;
  return property;
}

// Events as ingestion would append them.
Event MakeEvent(const std::string& workspace_id, EventType type, std::string message_id,
                std::string anonymous_id, std::string user_id, TimePoint at) {
  Event event;
  event.workspace_id = workspace_id;
  event.type = type;
  event.message_id = std::move(message_id);
  event.anonymous_id = std::move(anonymous_id);
  event.user_id = std::move(user_id);
  event.timestamp = at;
  event.received_at = at;
  return event;
}

// The routes over a real identity service (on the test's migrated metadata
// database, fed through ApplyEvents) and the real query service with the
// explorer, over a columnar store holding the same events.
class ProfileRoutesTest : public testing::QueryLibraryRoutesTest {
 protected:
  void SetUp() override {
    QueryLibraryRoutesTest::SetUp();
    auto store = OpenSqliteIdentityStore(path_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    identity_store_ = std::move(store).value();
    auto service = identity::IdentityService::Open(*identity_store_, clock_, {});
    ASSERT_TRUE(service.ok()) << service.status().ToString();
    identities_ = std::move(service).value();
  }

  void TearDown() override {
    if (queries_) queries_->Stop();
  }

  const std::string& Acme() const { return acme_.workspace.id; }
  const std::string& Other() const { return other_.workspace.id; }

  Event Track(const std::string& workspace_id, std::string message_id, std::string anonymous_id,
              std::string user_id, std::string name, TimePoint at) {
    Event event = MakeEvent(workspace_id, EventType::kTrack, std::move(message_id),
                            std::move(anonymous_id), std::move(user_id), at);
    event.event = std::move(name);
    return event;
  }
  Event Page(const std::string& workspace_id, std::string message_id, std::string anonymous_id,
             TimePoint at) {
    Event event = MakeEvent(workspace_id, EventType::kPage, std::move(message_id),
                            std::move(anonymous_id), "", at);
    event.event = "Home";
    return event;
  }
  Event Identify(const std::string& workspace_id, std::string message_id, std::string anonymous_id,
                 std::string user_id, TimePoint at, std::vector<Property> traits = {}) {
    Event event = MakeEvent(workspace_id, EventType::kIdentify, std::move(message_id),
                            std::move(anonymous_id), std::move(user_id), at);
    event.traits = std::move(traits);
    return event;
  }
  Event DangerousAlias(const std::string& workspace_id, std::string message_id,
                       std::string previous_id, std::string user_id, TimePoint at) {
    Event event = MakeEvent(workspace_id, EventType::kAlias, std::move(message_id), "",
                            std::move(user_id), at);
    event.previous_id = std::move(previous_id);
    Property flag;
    flag.name = "merge_dangerously";
    flag.value = true;
    event.context.push_back(std::move(flag));
    return event;
  }

  // Applies `events` to the identity service in batches (as the identity
  // loader would, one log partition), puts them in the event store, and adds
  // the routes over both.
  void Load(std::vector<Event> events, ProfileRoutesOptions options = {}) {
    events_ = std::move(events);
    constexpr size_t kBatch = 37;
    for (size_t begin = 0; begin < events_.size(); begin += kBatch) {
      const size_t end = std::min(events_.size(), begin + kBatch);
      const Status applied = identities_->ApplyEvents(
          std::span<const Event>(events_).subspan(begin, end - begin), {{0, uint64_t(end)}});
      ASSERT_TRUE(applied.ok()) << applied.ToString();
    }
    event_store_ = std::make_unique<query::testing::TestEventStore>(events_, 2, 16);
    queries_ = std::make_unique<query::QueryService>(
        event_store_->store(),
        query::QueryService::Functions{{query::QueryKind::kEvents, query::RunEventsQuery}}, cache_,
        clock_, query::QueryServiceOptions{.persons = identities_.get()});
    AddProfileRoutes(access_.routes(), access_.audit(), *identities_, *queries_,
                     std::move(options));
  }

  // The story of docs/profiles.md, in acme: a visitor (a1) signs up as u1
  // and logs in on a second device (a2); u2 logs in on a1's device and stays
  // apart (the safeguard); u3 (device a3) is merged into u1 dangerously.
  // Another workspace has its own a1; and an id that needs percent-encoding.
  std::vector<Event> Story() {
    const TimePoint t = kT0 - std::chrono::hours(48);
    return {
        Page(Acme(), "m01", "a1", t),
        Track(Acme(), "m02", "a1", "", "Viewed Product", t + minutes(1)),
        Identify(Acme(), "m03", "a1", "u1", t + minutes(2),
                 {Text("plan", "free"), Number("age", 30), Text("email", "u1@example.com")}),
        Track(Acme(), "m04", "a1", "u1", "Signed Up", t + minutes(3)),
        Track(Other(), "o01", "a1", "", "Viewed Product", t + minutes(4)),
        Page(Acme(), "m05", "a2", t + minutes(10)),
        Identify(Acme(), "m06", "a2", "u1", t + minutes(11), {Text("plan", "pro")}),
        Track(Acme(), "m07", "a2", "u1", "Order Completed", t + minutes(12)),
        Identify(Acme(), "m08", "a1", "u2", t + minutes(20), {Text("plan", "team")}),
        Track(Acme(), "m09", "a1", "u2", "Viewed Product", t + minutes(21)),
        Page(Acme(), "m10", "a3", t + minutes(29)),
        Identify(Acme(), "m11", "a3", "u3", t + minutes(30), {Number("age", 41)}),
        DangerousAlias(Acme(), "m12", "u3", "u1", t + minutes(31)),
        Track(Acme(), "m13", "x y/z", "", "Viewed Product", t + minutes(40)),
    };
  }

  std::string ProfileIdOfId(std::string_view id) { return ProfileIdOf(PersonKeyOf(id)); }

  // Every profile of a workspace, as the store has it, by profile id.
  std::map<std::string, Profile> AllProfiles(const std::string& workspace_id) {
    std::map<std::string, Profile> profiles;
    const Status scanned = identities_->ScanProfiles(workspace_id, [&](const Profile& profile) {
      profiles.emplace(ProfileIdOfId(profile.person), profile);
      return true;
    });
    EXPECT_TRUE(scanned.ok()) << scanned.ToString();
    return profiles;
  }

  // The ids of every page of GET /profiles<query> with `limit`, in order.
  std::vector<std::string> ListAll(const std::string& query, int limit) {
    std::vector<std::string> ids;
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {
      std::string target = "/profiles?limit=" + std::to_string(limit) + query;
      if (!cursor.empty()) target += "&cursor=" + cursor;
      const http::Response response = Call("GET", target, acme_.secret_key);
      EXPECT_EQ(response.status, 200) << response.body;
      if (response.status != 200) break;
      const Json body(response.body);
      size_t rows = 0;
      const simdjson::dom::array results = body.root["results"].get_array().value();
      for (const simdjson::dom::element profile : results) {
        ids.emplace_back(std::string_view(profile["id"].get_string().value()));
        ++rows;
      }
      EXPECT_LE(rows, size_t(limit));
      if (body.root["next_cursor"].is_null()) break;
      EXPECT_EQ(rows, size_t(limit)) << "only a full page has a next page";
      cursor = UrlEncode(std::string_view(body.root["next_cursor"].get_string().value()));
    }
    return ids;
  }

  // The message ids of the person `id` names, newest first: the events whose
  // resolution id is one of the person's ids.
  std::vector<std::string> ReferenceTimeline(const std::string& id) {
    Result<std::vector<std::string>> members = identities_->MemberIds(Acme(), id);
    EXPECT_TRUE(members.ok()) << members.status().ToString();
    if (!members.ok()) return {};
    std::vector<const Event*> events;
    for (const Event& event : events_) {
      const std::string_view resolution = ResolutionIdOf(event.anonymous_id, event.user_id);
      if (event.workspace_id == Acme() &&
          std::find(members->begin(), members->end(), resolution) != members->end()) {
        events.push_back(&event);
      }
    }
    std::sort(events.begin(), events.end(), [](const Event* a, const Event* b) {
      return std::tie(a->timestamp, a->message_id) > std::tie(b->timestamp, b->message_id);
    });
    std::vector<std::string> ids;
    for (const Event* event : events) ids.push_back(event->message_id);
    return ids;
  }

  // The message ids of every page of GET /profiles/{id}/events with `limit`,
  // in order; every row must show `profile_id` as its person.
  std::vector<std::string> ReadTimeline(const std::string& id, int limit,
                                        const std::string& profile_id) {
    std::vector<std::string> seen;
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {
      const http::Response response =
          Call("GET",
               "/profiles/" + UrlEncode(id) + "/events?limit=" + std::to_string(limit) +
                   (cursor.empty() ? "" : "&cursor=" + cursor),
               acme_.secret_key);
      EXPECT_EQ(response.status, 200) << response.body;
      if (response.status != 200) break;
      const Json body(response.body);
      const simdjson::dom::array rows = body.root["events"].get_array().value();
      for (const simdjson::dom::element row : rows) {
        seen.emplace_back(std::string_view(row["message_id"].get_string().value()));
        EXPECT_EQ(std::string_view(row["person_id"].get_string().value()), profile_id);
      }
      if (body.root["next_cursor"].is_null()) break;
      cursor = UrlEncode(std::string_view(body.root["next_cursor"].get_string().value()));
    }
    return seen;
  }

  std::unique_ptr<SqliteIdentityStore> identity_store_;
  std::unique_ptr<identity::IdentityService> identities_;
  std::vector<Event> events_;
  std::unique_ptr<query::testing::TestEventStore> event_store_;
  query::InProcessQueryCache cache_{1 << 20, clock_};
  std::unique_ptr<query::QueryService> queries_;  // goes before the identity service
};

// The methods docs/openapi.yaml lists under each path, read from its
// two-space-indented path lines.
std::map<std::string, std::set<std::string>> DocumentedRoutes() {
  const std::filesystem::path file =
      std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "docs" /
      "openapi.yaml";
  std::ifstream in(file);
  EXPECT_TRUE(in) << "cannot read " << file;
  std::map<std::string, std::set<std::string>> routes;
  std::string path;
  bool in_paths = false;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != ' ' && line[0] != '#') in_paths = line == "paths:";
    if (!in_paths) continue;
    if (line.starts_with("  /") && line.ends_with(":")) {
      path = line.substr(2, line.size() - 3);
    } else if (!path.empty() && line.starts_with("    ") && !line.starts_with("     ")) {
      routes[path].insert(line.substr(4, line.find(':') - 4));
    }
  }
  return routes;
}

TEST_F(ProfileRoutesTest, EveryRouteIsRegisteredAndDocumented) {
  Load({});
  std::set<std::string> routes;
  const std::map<std::string, std::set<std::string>> documented = DocumentedRoutes();
  for (const http::Route* route : router_.routes()) {
    routes.insert(route->method + " " + route->pattern);
    std::string method = route->method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto found = documented.find(route->pattern);
    ASSERT_NE(found, documented.end()) << route->pattern << " is not in docs/openapi.yaml";
    EXPECT_TRUE(found->second.contains(method)) << route->method << " " << route->pattern;
  }
  EXPECT_EQ(routes,
            (std::set<std::string>{"GET /profiles", "GET /profiles/{id}",
                                   "GET /profiles/{id}/events", "POST /profiles/{id}/unmerge"}));
}

TEST_F(ProfileRoutesTest, EveryRouteNeedsCredentialsOfTheWorkspace) {
  Load(Story());
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"GET", "/profiles"},
      {"GET", "/profiles/u1"},
      {"GET", "/profiles/u1/events"},
      {"POST", "/profiles/u1/unmerge"}};
  for (const auto& [method, path] : routes) {
    SCOPED_TRACE(method + " " + path);
    const std::string body = R"({"merge_id": "x"})";
    EXPECT_EQ(Call(method, path, "", body).status, 401);
    EXPECT_EQ(Call(method, path, "sk_not_a_key", body).status, 401);
    EXPECT_EQ(Call(method, path, acme_.write_key, body).status, 401);
    EXPECT_EQ(Call(method, path, acme_.secret_key, body, {{"X-Workspace-Id", other_.workspace.id}})
                  .status,
              403);
    // Another workspace's key: acme's persons do not exist there.
    if (path != "/profiles") {
      EXPECT_EQ(Call(method, path, other_.secret_key, body).status, 404);
    }
  }
  // Not even by profile id.
  EXPECT_EQ(Call("GET", "/profiles/" + ProfileIdOfId("x y/z"), other_.secret_key).status, 404);
  // Their a1 is their own person (whose profile id is the same name: a
  // profile id only means something within its workspace).
  const http::Response theirs = Call("GET", "/profiles/a1", other_.secret_key);
  ASSERT_EQ(theirs.status, 200) << theirs.body;
  EXPECT_EQ(StringAt(theirs.body, "/id"), ProfileIdOfId("a1"));
  EXPECT_EQ(JsonAt(theirs.body, "/event_count"), "1");
  EXPECT_EQ(JsonAt(theirs.body, "/user_id"), "null");
  const http::Response listed = Call("GET", "/profiles", other_.secret_key);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(JsonAt(listed.body, "/results/0/event_count"), "1");
  EXPECT_EQ(JsonAt(listed.body, "/results/1"), "");
}

TEST_F(ProfileRoutesTest, AProfileIsFoundByAnyOfItsIds) {
  Load(Story());
  const std::string profile_id = ProfileIdOfId("a1");
  for (const std::string& id :
       std::vector<std::string>{"u1", "a1", "a2", "a3", "u3", profile_id, "%75%31"}) {
    SCOPED_TRACE(id);
    const http::Response response = Call("GET", "/profiles/" + id, acme_.secret_key);
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.content_type, "application/json");
    EXPECT_EQ(StringAt(response.body, "/id"), profile_id);
  }
  const http::Response u1 = Call("GET", "/profiles/u1", acme_.secret_key);
  EXPECT_EQ(JsonAt(u1.body, "/user_id"), R"("u1")");
  EXPECT_EQ(JsonAt(u1.body, "/user_ids"), R"(["u1","u3"])");
  EXPECT_EQ(JsonAt(u1.body, "/anonymous_ids"), R"(["a1","a2","a3"])");
  EXPECT_EQ(JsonAt(u1.body, "/traits/plan"), R"("pro")");
  EXPECT_EQ(JsonAt(u1.body, "/traits/age"), "41");
  EXPECT_EQ(JsonAt(u1.body, "/traits/email"), R"("u1@example.com")");
  // Every acme event but u2's two and x y/z's one.
  EXPECT_EQ(JsonAt(u1.body, "/event_count"), "10");
  const TimePoint t = kT0 - std::chrono::hours(48);
  EXPECT_EQ(StringAt(u1.body, "/first_seen_at"), FormatIso8601(t));
  EXPECT_EQ(StringAt(u1.body, "/last_seen_at"), FormatIso8601(t + minutes(31)));

  // Four merges, by the order they were made; u2's refused identify is none.
  const std::vector<std::tuple<std::string, std::string, std::string, std::string>> merges = {
      {"identify", "a1", "u1", "m03"},
      {"identify", "a2", "u1", "m06"},
      {"identify", "a3", "u3", "m11"},
      {"merge_dangerously", "u3", "u1", "m12"}};
  for (size_t i = 0; i < merges.size(); ++i) {
    SCOPED_TRACE(i);
    const std::string at = "/merges/" + std::to_string(i);
    const auto& [kind, from, to, message] = merges[i];
    EXPECT_EQ(StringAt(u1.body, at + "/kind"), kind);
    EXPECT_EQ(StringAt(u1.body, at + "/from_id"), from);
    EXPECT_EQ(StringAt(u1.body, at + "/to_id"), to);
    EXPECT_EQ(StringAt(u1.body, at + "/message_id"), message);
    EXPECT_FALSE(StringAt(u1.body, at + "/merge_id").empty());
    EXPECT_FALSE(StringAt(u1.body, at + "/merged_at").empty());
    EXPECT_EQ(JsonAt(u1.body, at + "/unmerged_at"), "null");
  }
  EXPECT_EQ(JsonAt(u1.body, "/merges/4"), "");
  // The dangerous merge: a1's person absorbed a3's (both ids and profile ids).
  EXPECT_EQ(StringAt(u1.body, "/merges/3/winner/id"), "a1");
  EXPECT_EQ(StringAt(u1.body, "/merges/3/winner/profile_id"), profile_id);
  EXPECT_EQ(StringAt(u1.body, "/merges/3/loser/id"), "a3");
  EXPECT_EQ(StringAt(u1.body, "/merges/3/loser/profile_id"), ProfileIdOfId("a3"));
  EXPECT_EQ(JsonAt(u1.body, "/merges/3/moved_ids"), R"(["a3","u3"])");
  EXPECT_EQ(StringAt(u1.body, "/merges/3/event_timestamp"), FormatIso8601(t + minutes(31)));

  // u2 logged in on a1's device: kept apart.
  const http::Response u2 = Call("GET", "/profiles/u2", acme_.secret_key);
  ASSERT_EQ(u2.status, 200) << u2.body;
  EXPECT_EQ(StringAt(u2.body, "/id"), ProfileIdOfId("u2"));
  EXPECT_EQ(JsonAt(u2.body, "/event_count"), "2");
  EXPECT_EQ(JsonAt(u2.body, "/merges"), "[]");
  EXPECT_EQ(JsonAt(u2.body, "/traits"), R"({"plan":"team"})");

  // A path segment is percent-decoded.
  const http::Response encoded = Call("GET", "/profiles/x%20y%2Fz", acme_.secret_key);
  ASSERT_EQ(encoded.status, 200) << encoded.body;
  EXPECT_EQ(JsonAt(encoded.body, "/anonymous_ids"), R"(["x y/z"])");
  EXPECT_EQ(JsonAt(encoded.body, "/user_id"), "null");
  EXPECT_EQ(JsonAt(encoded.body, "/traits"), "{}");
}

TEST_F(ProfileRoutesTest, AnIdNoEventHadIs404NamingIt) {
  Load(Story());
  for (const std::string& id :
       {std::string("nobody"), ProfileIdOfId("nobody"), std::string("prs_zz"), std::string("A1")}) {
    SCOPED_TRACE(id);
    for (const std::string& path : {"/profiles/" + id, "/profiles/" + id + "/events"}) {
      const http::Response response = Call("GET", path, acme_.secret_key);
      EXPECT_EQ(response.status, 404) << response.body;
      EXPECT_EQ(StringAt(response.body, "/field"), "id");
    }
    const http::Response unmerge =
        Call("POST", "/profiles/" + id + "/unmerge", acme_.secret_key, R"({"merge_id": "x"})");
    EXPECT_EQ(unmerge.status, 404) << unmerge.body;
    EXPECT_EQ(StringAt(unmerge.body, "/field"), "id");
  }
}

TEST_F(ProfileRoutesTest, TheTimelineIsEveryEventOfThePersonNewestFirst) {
  Load(Story());
  const std::vector<std::string> expected = ReferenceTimeline("u1");
  ASSERT_EQ(expected.size(), 10u);
  for (const int limit : {1, 3, 10, 100}) {
    SCOPED_TRACE(limit);
    EXPECT_EQ(ReadTimeline("a2", limit, ProfileIdOfId("a1")), expected);
  }
  // u2's timeline: its own two events, though one carries a1.
  const http::Response u2 = Call("GET", "/profiles/u2/events", acme_.secret_key);
  ASSERT_EQ(u2.status, 200) << u2.body;
  EXPECT_EQ(StringAt(u2.body, "/events/0/message_id"), "m09");
  EXPECT_EQ(StringAt(u2.body, "/events/1/message_id"), "m08");
  EXPECT_EQ(JsonAt(u2.body, "/events/2"), "");
}

TEST_F(ProfileRoutesTest, UnmergeSplitsThePersonAlongOneMerge) {
  Load(Story());
  const http::Response before = Call("GET", "/profiles/u3", acme_.secret_key);
  ASSERT_EQ(before.status, 200) << before.body;
  const std::string merge_id = StringAt(before.body, "/merges/3/merge_id");
  ASSERT_EQ(StringAt(before.body, "/merges/3/kind"), "merge_dangerously");

  // Reading is not enough to undo a merge: an admin's.
  const std::string viewer = access_.MemberToken(acme_.workspace.id, Role::kViewer);
  const std::string member = access_.MemberToken(acme_.workspace.id, Role::kMember);
  EXPECT_EQ(Call("GET", "/profiles/u3", viewer).status, 200);
  EXPECT_EQ(Call("GET", "/profiles/u3/events", viewer).status, 200);
  EXPECT_EQ(Call("GET", "/profiles", viewer).status, 200);
  for (const std::string& caller :
       {viewer, member, access_.AddSecretKey(acme_.workspace.id, ApiKeyScope::kRead)}) {
    EXPECT_EQ(Call("POST", "/profiles/u1/unmerge", caller, R"({"merge_id": ")" + merge_id + R"("})")
                  .status,
              403);
  }
  EXPECT_TRUE(AcmeAudit().empty());

  const http::Response split = Call("POST", "/profiles/u1/unmerge", acme_.secret_key,
                                    R"({"merge_id": ")" + merge_id + R"("})");
  ASSERT_EQ(split.status, 200) << split.body;
  // Audited, with the ids of both persons.
  const std::vector<AuditEntry> audited = AcmeAudit();
  ASSERT_EQ(audited.size(), 1u);
  EXPECT_EQ(audited[0].action, "profile.unmerge");
  EXPECT_EQ(audited[0].target_kind, "profile");
  EXPECT_EQ(audited[0].target_id, ProfileIdOfId("a1"));
  EXPECT_EQ(StringAt(audited[0].details, "/merge_id"), merge_id);
  EXPECT_EQ(StringAt(audited[0].details, "/kept"), ProfileIdOfId("a1"));
  EXPECT_EQ(StringAt(audited[0].details, "/split_off"), ProfileIdOfId("a3"));
  EXPECT_EQ(StringAt(split.body, "/kept/id"), ProfileIdOfId("a1"));
  EXPECT_EQ(JsonAt(split.body, "/kept/user_ids"), R"(["u1"])");
  EXPECT_EQ(JsonAt(split.body, "/kept/anonymous_ids"), R"(["a1","a2"])");
  EXPECT_EQ(JsonAt(split.body, "/kept/event_count"), "8");
  EXPECT_EQ(JsonAt(split.body, "/kept/traits/age"), "30");
  EXPECT_EQ(StringAt(split.body, "/split_off/id"), ProfileIdOfId("a3"));
  EXPECT_EQ(JsonAt(split.body, "/split_off/user_ids"), R"(["u3"])");
  EXPECT_EQ(JsonAt(split.body, "/split_off/anonymous_ids"), R"(["a3"])");
  EXPECT_EQ(JsonAt(split.body, "/split_off/event_count"), "2");
  EXPECT_EQ(JsonAt(split.body, "/split_off/traits"), R"({"age":41})");

  // Seen at once, by the profiles (no cached view) and the timeline.
  EXPECT_EQ(StringAt(Call("GET", "/profiles/u3", acme_.secret_key).body, "/id"),
            ProfileIdOfId("a3"));
  const http::Response timeline = Call("GET", "/profiles/u3/events", acme_.secret_key);
  EXPECT_EQ(StringAt(timeline.body, "/events/0/message_id"), "m11");
  EXPECT_EQ(StringAt(timeline.body, "/events/1/message_id"), "m10");
  EXPECT_EQ(JsonAt(timeline.body, "/events/2"), "");

  const http::Response again = Call("POST", "/profiles/u1/unmerge", acme_.secret_key,
                                    R"({"merge_id": ")" + merge_id + R"("})");
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(StringAt(again.body, "/field"), "merge_id");
  const http::Response unknown =
      Call("POST", "/profiles/u1/unmerge", acme_.secret_key, R"({"merge_id": "no-such-merge"})");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(StringAt(unknown.body, "/field"), "merge_id");
  // A merge of another person is not this one's to undo.
  const std::string first_merge = StringAt(before.body, "/merges/0/merge_id");
  const http::Response foreign = Call("POST", "/profiles/u2/unmerge", acme_.secret_key,
                                      R"({"merge_id": ")" + first_merge + R"("})");
  EXPECT_EQ(foreign.status, 404) << foreign.body;
  EXPECT_EQ(StringAt(foreign.body, "/field"), "merge_id");
  // Nor is it another workspace's.
  EXPECT_EQ(Call("POST", "/profiles/u1/unmerge", other_.secret_key,
                 R"({"merge_id": ")" + first_merge + R"("})")
                .status,
            404);
  // Refused unmerges are not audited.
  EXPECT_EQ(AcmeAudit().size(), 1u);
}

TEST_F(ProfileRoutesTest, InvalidParametersAre400NamingThem) {
  Load(Story());
  const std::string valid_cursor = EncodeProfileCursor(kT0, "a1");
  std::string tampered = valid_cursor;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == '0' ? '1' : '0';
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/profiles?limit=0", "limit"},
      {"/profiles?limit=1001", "limit"},
      {"/profiles?limit=ten", "limit"},
      {"/profiles?cursor=zz", "cursor"},
      {"/profiles?cursor=" + tampered, "cursor"},
      {"/profiles?cursor=" + valid_cursor + "0", "cursor"},
      {"/profiles?search=" + std::string(201, 'a'), "search"},
      {"/profiles?filters=nope", "filters"},
      {"/profiles?filters=" + UrlEncode(R"({"trait": "plan"})"), "filters"},
      {"/profiles?filters=" + UrlEncode(R"([1])"), "filters[0]"},
      {"/profiles?filters=" + UrlEncode(R"([{"operator": "is_set"}])"), "filters[0].trait"},
      {"/profiles?filters=" + UrlEncode(R"([{"trait": "", "operator": "is_set"}])"),
       "filters[0].trait"},
      {"/profiles?filters=" +
           UrlEncode(R"([{"trait": "plan", "operator": "is_set"}, {"trait": "plan"}])"),
       "filters[1].operator"},
      {"/profiles?filters=" +
           UrlEncode(
               R"([{"trait": "plan", "operator": "is_set"}, {"trait": "plan", "operator": "like", "value": "p"}])"),
       "filters[1].operator"},
      {"/profiles?filters=" + UrlEncode(R"([{"trait": "plan", "operator": "equals"}])"),
       "filters[0].value"},
      {"/profiles?filters=" +
           UrlEncode(R"([{"trait": "plan", "operator": "equals", "value": [1]}])"),
       "filters[0].value"},
      {"/profiles?filters=" + UrlEncode(R"([{"trait": "plan", "operator": "gt", "value": true}])"),
       "filters[0].value"},
      {"/profiles?filters=" +
           UrlEncode(R"([{"trait": "age", "operator": "contains", "value": 4}])"),
       "filters[0].value"},
      {"/profiles?filters=" +
           UrlEncode(R"([{"trait": "plan", "operator": "is_set", "value": "pro"}])"),
       "filters[0].value"},
      {"/profiles?filters=" +
           UrlEncode(R"([{"trait": "plan", "operator": "is_set", "property": "x"}])"),
       "filters[0].property"},
      {"/profiles/u1/events?limit=0", "limit"},
      {"/profiles/u1/events?limit=10001", "limit"},
      {"/profiles/u1/events?cursor=nope", "cursor"},
  };
  for (const auto& [target, field] : cases) {
    SCOPED_TRACE(target);
    ExpectBadRequest(Call("GET", target, acme_.secret_key), field);
  }
  std::string many = "[";
  for (int i = 0; i < 51; ++i) {
    many += std::string(i == 0 ? "" : ",") + R"({"trait": "plan", "operator": "is_set"})";
  }
  ExpectBadRequest(Call("GET", "/profiles?filters=" + UrlEncode(many + "]"), acme_.secret_key),
                   "filters");

  const std::vector<std::pair<std::string, std::string>> bodies = {
      {"", ""},
      {"[]", ""},
      {"{}", "merge_id"},
      {R"({"merge_id": 3})", "merge_id"},
      {R"({"merge_id": ""})", "merge_id"},
      {R"({"merge_id": "x", "why": "oops"})", "why"}};
  for (const auto& [body, field] : bodies) {
    SCOPED_TRACE(body);
    const http::Response response = Call("POST", "/profiles/u1/unmerge", acme_.secret_key, body);
    EXPECT_EQ(response.status, 400) << response.body;
    if (!field.empty()) {
      EXPECT_EQ(StringAt(response.body, "/field"), field);
    }
  }
}

TEST_F(ProfileRoutesTest, ABusyQueryPoolAnswers503) {
  Load(Story(), {.run_queries = [](std::function<void()>) { return false; }});
  for (const std::string path : {"/profiles", "/profiles/u1/events"}) {
    const http::Response refused = Call("GET", path, acme_.secret_key);
    EXPECT_EQ(refused.status, 503) << refused.body;
    EXPECT_EQ(refused.Header("Retry-After"), "1");
  }
  // A lookup needs no query thread.
  EXPECT_EQ(Call("GET", "/profiles/u1", acme_.secret_key).status, 200);
}

// Random persons: visitors browse, some sign up (on one or two devices),
// with random traits; the list pages through every profile exactly once,
// most recently seen first, and its filters and search pick what a
// reference over every profile picks.
class ProfileListTest : public ProfileRoutesTest {
 protected:
  void SetUp() override {
    ProfileRoutesTest::SetUp();
    std::mt19937_64 random(61);
    const TimePoint start = kT0 - std::chrono::hours(24 * 10);
    std::vector<Event> events;
    int message = 0;
    const auto at = [&] {
      return start +
             std::chrono::seconds(std::uniform_int_distribution<int>(0, 86400 * 10)(random));
    };
    const auto next_id = [&] { return "e" + std::to_string(++message); };
    const char* plans[] = {"free", "pro", "team"};
    for (int visitor = 0; visitor < 160; ++visitor) {
      const std::string anonymous_id = "v" + std::to_string(visitor);
      const int views = std::uniform_int_distribution<int>(1, 3)(random);
      for (int i = 0; i < views; ++i) {
        events.push_back(Track(Acme(), next_id(), anonymous_id, "", "Viewed", at()));
      }
      if (visitor % 3 != 0) continue;
      // Every third visitor signs up; half of those on the previous
      // visitor's device too (a second device of the same user).
      const std::string user_id = "User" + std::to_string(visitor);
      std::vector<Property> traits;
      if (random() % 4 != 0) traits.push_back(Text("plan", plans[random() % 3]));
      if (random() % 3 != 0) {
        traits.push_back(Number("age", double(std::uniform_int_distribution<int>(18, 70)(random))));
      }
      events.push_back(Identify(Acme(), next_id(), anonymous_id, user_id, at(), traits));
      if (visitor > 0 && random() % 2 == 0) {
        events.push_back(
            Identify(Acme(), next_id(), "v" + std::to_string(visitor - 1), user_id, at(), {}));
      }
    }
    // Many profiles seen at the very same time: the order's tie-break.
    for (int i = 0; i < 12; ++i) {
      events.push_back(Track(Acme(), next_id(), "same-" + std::to_string(i), "", "Viewed",
                             start + std::chrono::hours(5)));
    }
    std::sort(events.begin(), events.end(),
              [](const Event& a, const Event& b) { return a.timestamp < b.timestamp; });
    Load(std::move(events));
    profiles_ = AllProfiles(Acme());
  }

  // The profiles `keep` accepts, most recently seen first (ties in any order).
  std::set<std::string> Expected(const std::function<bool(const Profile&, const Json&)>& keep) {
    std::set<std::string> ids;
    for (const auto& [id, profile] : profiles_) {
      const Json traits(profile.traits_json);
      if (keep(profile, traits)) ids.insert(id);
    }
    return ids;
  }

  // Pages through `query` and checks that it lists exactly `expected`, each
  // once, most recently seen first.
  void ExpectListed(const std::string& query, const std::set<std::string>& expected, int limit) {
    const std::vector<std::string> listed = ListAll(query, limit);
    EXPECT_EQ(std::set<std::string>(listed.begin(), listed.end()), expected);
    EXPECT_EQ(listed.size(), expected.size()) << "a profile was listed twice";
    for (size_t i = 1; i < listed.size(); ++i) {
      ASSERT_TRUE(profiles_.contains(listed[i - 1]) && profiles_.contains(listed[i]));
      EXPECT_GE(profiles_[listed[i - 1]].last_seen, profiles_[listed[i]].last_seen) << i;
    }
  }

  static std::optional<std::string_view> TextTrait(const Json& traits, const char* name) {
    std::string_view text;
    if (traits.root[name].get_string().get(text) != simdjson::SUCCESS) return std::nullopt;
    return text;
  }
  static std::optional<double> NumberTrait(const Json& traits, const char* name) {
    double number;
    if (traits.root[name].get_double().get(number) != simdjson::SUCCESS) return std::nullopt;
    return number;
  }

  std::map<std::string, Profile> profiles_;
};

TEST_F(ProfileListTest, PagesThroughEveryProfileExactlyOnce) {
  ASSERT_GT(profiles_.size(), 120u);
  std::set<std::string> all;
  for (const auto& [id, profile] : profiles_) all.insert(id);
  for (const int limit : {1, 7, 100, 1000}) {
    SCOPED_TRACE(limit);
    ExpectListed("", all, limit);
  }
  // Each listed profile is the one GET /profiles/{id} shows, but for merges.
  const http::Response page = Call("GET", "/profiles?limit=5", acme_.secret_key);
  for (int i = 0; i < 5; ++i) {
    const std::string at = "/results/" + std::to_string(i);
    const http::Response one =
        Call("GET", "/profiles/" + StringAt(page.body, at + "/id"), acme_.secret_key);
    for (const std::string field : {"/id", "/user_id", "/user_ids", "/anonymous_ids", "/traits",
                                    "/first_seen_at", "/last_seen_at", "/event_count"}) {
      EXPECT_EQ(JsonAt(page.body, at + field), JsonAt(one.body, field)) << field;
    }
    EXPECT_EQ(JsonAt(page.body, at + "/merges"), "");
  }
}

TEST_F(ProfileListTest, EveryTimelineHoldsTheProfilesEvents) {
  std::mt19937_64 random(7);
  std::vector<const Profile*> profiles;
  for (const auto& [id, profile] : profiles_) profiles.push_back(&profile);
  std::shuffle(profiles.begin(), profiles.end(), random);
  int merged = 0;
  for (size_t i = 0; i < 25; ++i) {
    const Profile& profile = *profiles[i];
    SCOPED_TRACE(profile.person);
    merged += profile.user_ids.size() + profile.anonymous_ids.size() > 1 ? 1 : 0;
    // By any of its ids: the last one it got.
    const std::string& id =
        profile.anonymous_ids.empty() ? profile.user_ids.back() : profile.anonymous_ids.back();
    const std::vector<std::string> expected = ReferenceTimeline(id);
    EXPECT_EQ(int64_t(expected.size()), profile.event_count);
    EXPECT_EQ(ReadTimeline(id, 1 + int(random() % 4), ProfileIdOfId(profile.person)), expected);
  }
  EXPECT_GT(merged, 3) << "the sample should hold persons of several ids";
}

TEST_F(ProfileListTest, FiltersAndSearchPickWhatTheReferencePicks) {
  struct Case {
    std::string filters;
    std::function<bool(const Profile&, const Json&)> keep;
  };
  const std::vector<Case> cases = {
      {R"([{"trait": "plan", "operator": "equals", "value": "pro"}])",
       [](const Profile&, const Json& t) { return TextTrait(t, "plan") == "pro"; }},
      {R"([{"trait": "plan", "operator": "not_equals", "value": "pro"}])",
       [](const Profile&, const Json& t) {
         const auto plan = TextTrait(t, "plan");
         return plan && plan != "pro";
       }},
      {R"([{"trait": "age", "operator": "gte", "value": 40}])",
       [](const Profile&, const Json& t) { return NumberTrait(t, "age") >= 40.0; }},
      {R"([{"trait": "age", "operator": "lt", "value": 30}, {"trait": "plan", "operator": "is_set"}])",
       [](const Profile&, const Json& t) {
         const auto age = NumberTrait(t, "age");
         return age && *age < 30 && TextTrait(t, "plan");
       }},
      {R"([{"trait": "plan", "operator": "contains", "value": "ea"}])",
       [](const Profile&, const Json& t) { return TextTrait(t, "plan") == "team"; }},
      {R"([{"trait": "plan", "operator": "is_not_set"}])",
       [](const Profile&, const Json& t) { return !TextTrait(t, "plan"); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.filters);
    const std::set<std::string> expected = Expected(c.keep);
    EXPECT_FALSE(expected.empty());
    ExpectListed("&filters=" + UrlEncode(c.filters), expected, 9);
  }

  // Search: any id or trait value, without case.
  const auto has_id_containing = [](const Profile& profile, std::string_view part) {
    for (const auto* ids : {&profile.user_ids, &profile.anonymous_ids}) {
      for (const std::string& id : *ids) {
        std::string lower = id;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower.find(part) != std::string::npos) return true;
      }
    }
    return false;
  };
  const std::set<std::string> user1 =
      Expected([&](const Profile& p, const Json&) { return has_id_containing(p, "user1"); });
  EXPECT_GT(user1.size(), 2u);
  ExpectListed("&search=uSeR1", user1, 4);
  const std::set<std::string> team = Expected([&](const Profile& p, const Json& t) {
    return TextTrait(t, "plan") == "team" || has_id_containing(p, "team");
  });
  ExpectListed("&search=TEAM", team, 50);
  // Search and a filter together.
  const std::set<std::string> both = Expected([&](const Profile& p, const Json& t) {
    return has_id_containing(p, "user1") && TextTrait(t, "plan") == "pro";
  });
  ExpectListed("&search=user1&filters=" +
                   UrlEncode(R"([{"trait": "plan", "operator": "equals", "value": "pro"}])"),
               both, 2);
}

}  // namespace
}  // namespace cdp::api
