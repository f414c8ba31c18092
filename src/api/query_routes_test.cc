#include "api/query_routes.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "api/testing/api_test_access.h"
#include "auth/workspace_provisioner.h"
#include "query/service/in_process_query_cache.h"
#include "query/service/testing/counting_queries.h"
#include "query/testing/test_event_store.h"
#include "store/testing/random_events.h"
#include "support/route_dispatch.h"
#include "support/temp_dir.h"

namespace cdp::api {
namespace {

using query::QueryKind;
using query::QueryService;
using query::testing::CountEventsQuery;
using query::testing::CountEventsReference;
using std::chrono::seconds;

constexpr std::string_view kWeek = R"({"from": "2026-01-01", "to": "2026-01-08"})";
const TimePoint kJan1 = FromUnixMicros(int64_t{1'767'225'600} * 1'000'000);

// Captures the response a handler sends, from whichever thread sends it.
class WaitingTarget final : public http::ReplyTarget {
 public:
  void Complete(http::Response response) override {
    std::lock_guard lock(mutex_);
    ++completions_;
    response_ = std::move(response);
    changed_.notify_all();
  }
  const std::string& RequestIdForReply() const override { return request_id_; }

  // The response, once sent (the test fails after a generous wait).
  http::Response Wait() {
    std::unique_lock lock(mutex_);
    const bool sent = changed_.wait_for(lock, seconds(30), [&] { return response_.has_value(); });
    EXPECT_TRUE(sent) << "no response";
    EXPECT_EQ(completions_, sent ? 1 : 0);
    return response_.value_or(http::Response{});
  }
  bool answered() const {
    std::lock_guard lock(mutex_);
    return response_.has_value();
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<http::Response> response_;
  int completions_ = 0;
  std::string request_id_ = "req_test";
};

// Headers as the test writes them; a call keeps them while its request lives.
using Headers = std::vector<std::pair<std::string, std::string>>;

// A request in flight: the request (and what its views point to) lives until
// its reply is sent.
struct PendingCall {
  std::string method;
  std::string path;
  Headers headers;
  std::unique_ptr<http::Request> request = std::make_unique<http::Request>();
  std::shared_ptr<WaitingTarget> target = std::make_shared<WaitingTarget>();
  http::Response Wait() { return target->Wait(); }
};

// A parsed JSON body, kept with its parser.
struct Json {
  explicit Json(const std::string& text) : padded(text) {
    EXPECT_EQ(parser.parse(padded).get(root), simdjson::SUCCESS) << text;
  }
  simdjson::dom::element operator[](std::string_view key) const { return root[key].value(); }
  simdjson::padded_string padded;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
};

std::string_view StringOf(simdjson::dom::element value) {
  std::string_view text;
  EXPECT_EQ(value.get_string().get(text), simdjson::SUCCESS);
  return text;
}

class QueryRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(access_.Open(dir_.File("meta.sqlite"), router_));
    acme_ = access_.CreateWorkspace("acme");
    other_ = access_.CreateWorkspace("other");
    ASSERT_FALSE(acme_.secret_key.empty() || other_.secret_key.empty());
    std::mt19937_64 random(5);
    events_ = cdp::testing::RandomEvents(random, 2000);
    for (Event& event : events_) {
      event.workspace_id = event.workspace_id == "ws_a" ? acme_.workspace.id : other_.workspace.id;
    }
    store_ = std::make_unique<query::testing::TestEventStore>(events_, 3, 64);
  }

  void TearDown() override {
    if (service_) service_->Stop();
  }

  // The routes over a service whose every kind counts events, except those
  // given in `functions`.
  void AddRoutes(query::QueryServiceOptions options = {}, QueryService::Functions functions = {}) {
    for (const QueryKind kind : query::kQueryKinds) functions.emplace(kind, CountEventsQuery);
    service_ = std::make_unique<QueryService>(store_->store(), std::move(functions), cache_, clock_,
                                              std::move(options));
    AddQueryRoutes(access_.routes(), *service_);
  }
  // The routes with the funnel held at the gate.
  void AddGatedRoutes(query::QueryServiceOptions options) {
    AddRoutes(std::move(options), {{QueryKind::kFunnel, gate_.function()}});
  }

  static Headers Bearer(const std::string& key) { return {{"Authorization", "Bearer " + key}}; }
  Headers Acme() const { return Bearer(acme_.secret_key); }
  Headers Other() const { return Bearer(other_.secret_key); }

  std::unique_ptr<PendingCall> Start(std::string method, std::string path, std::string body,
                                     Headers headers) {
    auto call = std::make_unique<PendingCall>();
    call->method = std::move(method);
    call->path = std::move(path);
    call->headers = std::move(headers);
    http::HeaderList views;
    for (const auto& [name, value] : call->headers) views.emplace_back(name, value);
    http::Request& request = *call->request;
    request.SetStartLine(call->method, call->path);
    request.SetHeaders(std::move(views));
    request.SetBody(std::move(body));
    request.SetRequestId("req_test");
    if (!cdp::testing::DispatchToRoute(router_, request, http::Reply(call->target))) {
      call->target->Complete(http::Response{});
    }
    return call;
  }

  http::Response Call(std::string method, std::string path, std::string body = {},
                      Headers headers = {}) {
    return Start(std::move(method), std::move(path), std::move(body), std::move(headers))->Wait();
  }

  // Polls GET /query/async/{id} until `done` (or a generous deadline).
  std::string WaitForJob(const std::string& id, const std::function<bool(const Json&)>& done) {
    const auto deadline = std::chrono::steady_clock::now() + seconds(30);
    while (true) {
      const http::Response response = Call("GET", "/query/async/" + id, "", Acme());
      EXPECT_EQ(response.status, 200) << response.body;
      const Json job(response.body);
      if (response.status != 200 || done(job) || std::chrono::steady_clock::now() > deadline) {
        return response.body;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  std::string WaitForStatus(const std::string& id, std::string_view status) {
    return WaitForJob(id, [&](const Json& job) { return StringOf(job["status"]) == status; });
  }

  // Starts an async funnel over the week for acme; its id.
  std::string StartJob(std::string_view request = kWeek) {
    const http::Response response =
        Call("POST", "/query/async",
             R"({"kind": "funnel", "request": )" + std::string(request) + "}", Acme());
    EXPECT_EQ(response.status, 202) << response.body;
    if (response.status != 202) return "";
    return std::string(StringOf(Json(response.body)["id"]));
  }

  uint64_t WeekCount(const ProvisionedWorkspace& workspace) const {
    return CountEventsReference(events_, workspace.workspace.id, kJan1, kJan1 + seconds(7 * 86400));
  }

  cdp::testing::TempDir dir_;
  ProvisionedWorkspace acme_;
  ProvisionedWorkspace other_;
  std::vector<Event> events_;
  std::unique_ptr<query::testing::TestEventStore> store_;
  ManualClock clock_{TimePoint{} + seconds(1'800'000'000)};
  query::InProcessQueryCache cache_{1 << 20, clock_};
  query::testing::GatedCountQuery gate_;
  http::Router router_;
  testing::ApiTestAccess access_;          // the guard in front of router_
  std::unique_ptr<QueryService> service_;  // goes before the router and the gate
};

TEST_F(QueryRoutesTest, EveryQueryRouteIsRegistered) {
  AddRoutes();
  std::set<std::string> routes;
  for (const http::Route* route : router_.routes())
    routes.insert(route->method + " " + route->pattern);
  EXPECT_EQ(routes,
            (std::set<std::string>{"POST /query/events", "POST /query/trends", "POST /query/funnel",
                                   "POST /query/retention", "POST /query/session",
                                   "POST /query/paths", "POST /query/sql", "POST /query/async",
                                   "GET /query/async/{id}", "DELETE /query/async/{id}"}));
}

TEST_F(QueryRoutesTest, EveryRouteNeedsCredentialsOfTheWorkspace) {
  AddRoutes();
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"POST", "/query/funnel"},
      {"POST", "/query/sql"},
      {"POST", "/query/async"},
      {"GET", "/query/async/job_x"},
      {"DELETE", "/query/async/job_x"}};
  for (const auto& [method, path] : routes) {
    SCOPED_TRACE(method + " " + path);
    const std::string body = R"({"kind":"funnel","request":{}})";
    EXPECT_EQ(Call(method, path, body).status, 401);
    EXPECT_EQ(Call(method, path, body, Bearer("sk_not_a_key")).status, 401);
    // The write key is no API credential.
    EXPECT_EQ(Call(method, path, body, Bearer(acme_.write_key)).status, 401);
    // A key of one workspace naming another.
    Headers mismatched = Acme();
    mismatched.emplace_back("X-Workspace-Id", other_.workspace.id);
    EXPECT_EQ(Call(method, path, body, mismatched).status, 403);
  }
  EXPECT_EQ(service_->counters().queries, 0u);
}

TEST_F(QueryRoutesTest, EveryReaderMayQuery) {
  AddRoutes();
  const std::vector<Headers> readers = {
      Bearer(access_.AddSecretKey(acme_.workspace.id, ApiKeyScope::kRead)),
      Bearer(access_.MemberToken(acme_.workspace.id, Role::kViewer)),
      Bearer(access_.MemberToken(acme_.workspace.id, Role::kMember))};
  for (const Headers& reader : readers) {
    const http::Response response = Call("POST", "/query/funnel", std::string(kWeek), reader);
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(uint64_t(Json(response.body)["result"]["count"]), WeekCount(acme_));
    const http::Response job =
        Call("POST", "/query/async", R"({"kind": "funnel", "request": )" + std::string(kWeek) + "}",
             reader);
    ASSERT_EQ(job.status, 202) << job.body;
    const std::string id(StringOf(Json(job.body)["id"]));
    EXPECT_EQ(Call("GET", "/query/async/" + id, "", reader).status, 200);
    EXPECT_EQ(Call("DELETE", "/query/async/" + id, "", reader).status, 200);
    // A job is its workspace's: another's caller does not find it.
    EXPECT_EQ(Call("GET", "/query/async/" + id, "", Other()).status, 404);
  }
  // A member of another workspace only.
  const Headers outsider = Bearer(access_.MemberToken(other_.workspace.id, Role::kOwner));
  Headers named = outsider;
  named.emplace_back("X-Workspace-Id", acme_.workspace.id);
  EXPECT_EQ(Call("POST", "/query/funnel", std::string(kWeek), named).status, 403);
  const http::Response theirs = Call("POST", "/query/funnel", std::string(kWeek), outsider);
  ASSERT_EQ(theirs.status, 200) << theirs.body;
  EXPECT_EQ(uint64_t(Json(theirs.body)["result"]["count"]), WeekCount(other_));
}

TEST_F(QueryRoutesTest, RunsTheAnalysisForTheKeysWorkspace) {
  AddRoutes();
  Headers named = Acme();
  named.emplace_back("X-Workspace-Id", acme_.workspace.id);
  const http::Response response = Call("POST", "/query/funnel", std::string(kWeek), named);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.content_type, "application/json");
  const Json answer(response.body);
  EXPECT_EQ(StringOf(answer["kind"]), "funnel");
  EXPECT_EQ(uint64_t(answer["result"]["count"]), WeekCount(acme_));
  EXPECT_EQ(bool(answer["cache_hit"]), false);
  EXPECT_EQ(uint64_t(answer["rows"]), 1u);
  EXPECT_GE(double(answer["duration_ms"]), 0);

  const http::Response other = Call("POST", "/query/funnel", std::string(kWeek), Other());
  ASSERT_EQ(other.status, 200) << other.body;
  EXPECT_EQ(uint64_t(Json(other.body)["result"]["count"]), WeekCount(other_));
  EXPECT_NE(WeekCount(acme_), WeekCount(other_));
}

TEST_F(QueryRoutesTest, TheSecondIdenticalRequestIsACacheHit) {
  AddRoutes();
  ASSERT_EQ(Call("POST", "/query/trends", std::string(kWeek), Acme()).status, 200);
  const http::Response second =
      Call("POST", "/query/trends", R"({"to":"2026-01-08",   "from":"2026-01-01"})", Acme());
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(bool(Json(second.body)["cache_hit"]), true);
  EXPECT_EQ(uint64_t(Json(second.body)["result"]["count"]), WeekCount(acme_));
  // Another workspace's identical request is its own.
  EXPECT_EQ(
      bool(Json(Call("POST", "/query/trends", std::string(kWeek), Other()).body)["cache_hit"]),
      false);
  // SQL never comes from the cache.
  Call("POST", "/query/sql", std::string(kWeek), Acme());
  EXPECT_EQ(bool(Json(Call("POST", "/query/sql", std::string(kWeek), Acme()).body)["cache_hit"]),
            false);
}

TEST_F(QueryRoutesTest, InvalidRequestsAre400NamingTheField) {
  AddRoutes();
  struct Case {
    std::string body;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"", ""},
      {"[1]", ""},
      {R"({"from":"2026-01-01"})", "to"},
      {R"({"from":"2026-01-08","to":"2026-01-01"})", "to"},
      {R"({"from":"2026-01-01","to":"2026-01-08","limit":3})", "limit"},
      {R"({"from":"2026-01-01","to":"2026-01-08","event":4})", "event"},
      {R"({"from":"x","from":"y","to":"2026-01-08"})", "from"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    const http::Response response = Call("POST", "/query/retention", c.body, Acme());
    EXPECT_EQ(response.status, 400) << response.body;
    const Json error(response.body);
    EXPECT_FALSE(StringOf(error["error"]).empty());
    if (c.field.empty()) {
      EXPECT_NE(error.root["field"].error(), simdjson::SUCCESS) << response.body;
    } else {
      EXPECT_EQ(StringOf(error["field"]), c.field) << response.body;
    }
  }
}

TEST_F(QueryRoutesTest, AnAnalysisThisBuildLacksIs404) {
  service_ = std::make_unique<QueryService>(
      store_->store(), QueryService::Functions{{QueryKind::kFunnel, CountEventsQuery}}, cache_,
      clock_);
  AddQueryRoutes(access_.routes(), *service_);
  const http::Response response = Call("POST", "/query/paths", std::string(kWeek), Acme());
  EXPECT_EQ(response.status, 404) << response.body;
  EXPECT_EQ(Call("POST", "/query/funnel", std::string(kWeek), Acme()).status, 200);
  const http::Response async =
      Call("POST", "/query/async", R"({"kind":"paths","request":{}})", Acme());
  EXPECT_EQ(async.status, 400) << async.body;
  EXPECT_EQ(StringOf(Json(async.body)["field"]), "kind");
}

TEST_F(QueryRoutesTest, AFullQueryPoolAnswers503WithRetryAfter) {
  AddGatedRoutes({.threads = 1, .max_queued = 1});
  auto running = Start("POST", "/query/funnel", std::string(kWeek), Acme());
  ASSERT_TRUE(gate_.WaitForQueriesStarted(1));
  // The handler returned at once: the event loop is not held by the query.
  EXPECT_FALSE(running->target->answered());
  auto queued = Start("POST", "/query/funnel", std::string(kWeek), Acme());
  for (const std::string path : {"/query/funnel", "/query/trends"}) {
    const http::Response refused = Call("POST", path, std::string(kWeek), Acme());
    EXPECT_EQ(refused.status, 503) << refused.body;
    EXPECT_EQ(refused.Header("Retry-After"), "1");
  }
  const http::Response async = Call(
      "POST", "/query/async", R"({"kind":"trends","request":)" + std::string(kWeek) + "}", Acme());
  EXPECT_EQ(async.status, 503) << async.body;
  EXPECT_EQ(async.Header("Retry-After"), "1");

  gate_.Open();
  EXPECT_EQ(running->Wait().status, 200);
  EXPECT_EQ(queued->Wait().status, 200);
  EXPECT_EQ(Call("POST", "/query/trends", std::string(kWeek), Acme()).status, 200);
}

TEST_F(QueryRoutesTest, AsyncJobLifecycle) {
  AddGatedRoutes({.threads = 1});
  const http::Response created =
      Call("POST", "/query/async",
           R"({"request": {"to": "2026-01-08", "from": "2026-01-01"}, "kind": "funnel"})", Acme());
  ASSERT_EQ(created.status, 202) << created.body;
  const Json job(created.body);
  const std::string id(StringOf(job["id"]));
  EXPECT_EQ(StringOf(job["kind"]), "funnel");
  EXPECT_EQ(StringOf(job["status"]), "queued");
  EXPECT_EQ(created.Header("Location"), "/query/async/" + id);

  ASSERT_TRUE(gate_.WaitForQueriesStarted(1));
  gate_.Allow(2);
  ASSERT_TRUE(gate_.WaitForBlocksPassed(2));
  const http::Response running = Call("GET", "/query/async/" + id, "", Acme());
  ASSERT_EQ(running.status, 200) << running.body;
  const Json progress(running.body);
  EXPECT_EQ(StringOf(progress["id"]), id);
  EXPECT_EQ(StringOf(progress["status"]), "running");
  EXPECT_GT(double(progress["progress"]), 0);
  EXPECT_LT(double(progress["progress"]), 1);
  EXPECT_FALSE(StringOf(progress["created_at"]).empty());
  EXPECT_FALSE(StringOf(progress["started_at"]).empty());
  EXPECT_NE(progress.root["result"].error(), simdjson::SUCCESS);

  // Another workspace sees nothing, and cannot cancel it.
  EXPECT_EQ(Call("GET", "/query/async/" + id, "", Other()).status, 404);
  EXPECT_EQ(Call("DELETE", "/query/async/" + id, "", Other()).status, 404);

  gate_.Open();
  const Json done(WaitForStatus(id, "succeeded"));
  EXPECT_EQ(StringOf(done["status"]), "succeeded");
  EXPECT_EQ(double(done["progress"]), 1);
  EXPECT_FALSE(StringOf(done["finished_at"]).empty());
  EXPECT_EQ(StringOf(done["result"]["kind"]), "funnel");
  EXPECT_EQ(uint64_t(done["result"]["result"]["count"]), WeekCount(acme_));
  EXPECT_EQ(bool(done["result"]["cache_hit"]), false);
  EXPECT_EQ(uint64_t(done["result"]["rows"]), 1u);
  EXPECT_NE(done.root["error"].error(), simdjson::SUCCESS);
}

TEST_F(QueryRoutesTest, DeleteCancelsARunningJob) {
  AddGatedRoutes({.threads = 1});
  const std::string id = StartJob();
  ASSERT_TRUE(gate_.WaitForQueriesStarted(1));
  const http::Response cancelled = Call("DELETE", "/query/async/" + id, "", Acme());
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(bool(Json(cancelled.body)["cancel_requested"]), true);
  // The gate stays shut: only the cancellation ends the scan.
  const Json done(WaitForStatus(id, "cancelled"));
  EXPECT_EQ(StringOf(done["status"]), "cancelled");
  EXPECT_NE(done.root["result"].error(), simdjson::SUCCESS);
}

TEST_F(QueryRoutesTest, DeleteCancelsAQueuedJobBeforeItStarts) {
  AddGatedRoutes({.threads = 1});
  const std::string first = StartJob();
  ASSERT_TRUE(gate_.WaitForQueriesStarted(1));
  const std::string second = StartJob(R"({"from":"2026-01-02","to":"2026-01-03"})");
  const http::Response cancelled = Call("DELETE", "/query/async/" + second, "", Acme());
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(StringOf(Json(cancelled.body)["status"]), "cancelled");
  gate_.Open();
  WaitForStatus(first, "succeeded");
  service_->Stop();
  EXPECT_EQ(gate_.queries_started(), 1);
}

TEST_F(QueryRoutesTest, AFailedJobCarriesItsError) {
  AddRoutes();
  const std::string id = StartJob(R"({"from":"2026-01-08","to":"2026-01-01"})");
  const Json done(WaitForStatus(id, "failed"));
  EXPECT_EQ(StringOf(done["status"]), "failed");
  EXPECT_EQ(int64_t(done["error"]["code"]), 400);
  EXPECT_EQ(StringOf(done["error"]["field"]), "to");
  EXPECT_FALSE(StringOf(done["error"]["message"]).empty());
}

TEST_F(QueryRoutesTest, AsyncRequestsAreValidated) {
  AddRoutes();
  struct Case {
    std::string body;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"nope", ""},
      {R"({"request":{}})", "kind"},
      {R"({"kind":"funnels","request":{}})", "kind"},
      {R"({"kind":3,"request":{}})", "kind"},
      {R"({"kind":"funnel"})", "request"},
      {R"({"kind":"funnel","request":[1]})", "request"},
      {R"({"kind":"funnel","request":{},"priority":1})", "priority"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    const http::Response response = Call("POST", "/query/async", c.body, Acme());
    EXPECT_EQ(response.status, 400) << response.body;
    if (!c.field.empty()) {
      EXPECT_EQ(StringOf(Json(response.body)["field"]), c.field);
    }
  }
}

TEST_F(QueryRoutesTest, UnknownJobIs404) {
  AddRoutes();
  EXPECT_EQ(Call("GET", "/query/async/job_unknown", "", Acme()).status, 404);
  EXPECT_EQ(Call("DELETE", "/query/async/job_unknown", "", Acme()).status, 404);
}

TEST_F(QueryRoutesTest, AWorkspaceWithTooManyUnfinishedJobsGets429) {
  AddGatedRoutes({.threads = 1, .jobs = {.max_per_workspace = 2}});
  StartJob();
  StartJob();
  const http::Response refused = Call(
      "POST", "/query/async", R"({"kind":"funnel","request":)" + std::string(kWeek) + "}", Acme());
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_FALSE(refused.Header("Retry-After").empty());
  gate_.Open();
}

// The methods docs/openapi.yaml lists under each path ("/query/async/{id}"
// -> {"get", "delete"}), read from its two-space-indented path lines.
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
      const std::string key = line.substr(4, line.find(':') - 4);
      if (key == "get" || key == "post" || key == "put" || key == "delete") {
        routes[path].insert(key);
      }
    }
  }
  return routes;
}

TEST_F(QueryRoutesTest, EveryRouteIsInTheOpenApiDocument) {
  AddRoutes();
  const std::map<std::string, std::set<std::string>> documented = DocumentedRoutes();
  for (const http::Route* route : router_.routes()) {
    std::string method = route->method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto found = documented.find(route->pattern);
    ASSERT_NE(found, documented.end()) << route->pattern << " is not in docs/openapi.yaml";
    EXPECT_TRUE(found->second.contains(method))
        << route->method << " " << route->pattern << " is not in docs/openapi.yaml";
  }
}

TEST(QueryMetricsTextTest, OneSamplePerCounter) {
  const std::string text =
      QueryMetricsText({.queries = 7, .cache_hits = 3, .failed = 2, .refused = 1});
  EXPECT_NE(text.find("cdp_query_total 7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("cdp_query_cache_hits_total 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("cdp_query_failed_total 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("cdp_query_refused_total 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE cdp_query_total counter\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace cdp::api
