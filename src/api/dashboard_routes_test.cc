#include "api/dashboard_routes.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/saved_query_routes.h"
#include "api/testing/query_library_routes_test.h"
#include "auth/api_key_format.h"
#include "auth/workspace_provisioner.h"
#include "core/json_writer.h"
#include "core/uuid.h"
#include "http/response.h"
#include "meta/sqlite/sqlite_query_library.h"
#include "support/captured_reply.h"
#include "support/json_pointer.h"
#include "support/temp_dir.h"

namespace cdp::api {
namespace {

using namespace std::chrono_literals;

using cdp::testing::JsonAt;
using cdp::testing::StringAt;

// A QueryRunner that really looks at the request: its answer counts the
// request's keys ({"keys": n, "workspace_id": ..., "kind": ...}, n rows),
// except that a request with a key "broken" fails as an invalid request
// naming that key would, and one with "crash" fails as a backend would.
class KeyCountingRunner final : public query::QueryRunner {
 public:
  struct Call {
    std::string workspace_id;
    query::QueryKind kind;
    std::string body;
  };

  Result<query::QueryAnswer> Run(std::string_view workspace_id, query::QueryKind kind,
                                 std::string_view body, const query::QueryContext*) override {
    {
      std::lock_guard lock(mutex_);
      calls_.push_back({std::string(workspace_id), kind, std::string(body)});
    }
    simdjson::dom::parser parser;
    simdjson::dom::object request;
    if (parser.parse(body).get(request) != simdjson::SUCCESS) {
      return Status::BadRequest("the body must be a JSON object");
    }
    if (request["broken"].error() == simdjson::SUCCESS) {
      return Status::BadRequest("broken is not a field of this analysis", "broken");
    }
    if (request["crash"].error() == simdjson::SUCCESS) {
      return Status::Internal("the disk is on fire");
    }
    JsonWriter result;
    result.BeginObject()
        .Key("keys")
        .Uint(request.size())
        .Key("workspace_id")
        .String(workspace_id)
        .Key("kind")
        .String(query::QueryKindName(kind))
        .EndObject();
    return query::QueryAnswer{std::move(result).Take(), request.size(), false, 1.5};
  }

  std::vector<Call> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Call> calls_;
};

class DashboardRoutesTest : public testing::QueryLibraryRoutesTest {
 protected:
  void SetUp() override {
    QueryLibraryRoutesTest::SetUp();
    if (HasFatalFailure()) return;
    AddSavedQueryRoutes(access_.routes(), access_.audit(), *library_, clock_);
    DashboardRoutesOptions options;
    // The executor under test's control: inline unless a test defers or refuses.
    options.run_widgets = [this](std::function<void()> work) {
      if (refuse_work_) return false;
      if (defer_work_) {
        deferred_.push_back(std::move(work));
      } else {
        work();
      }
      return true;
    };
    AddDashboardRoutes(access_.routes(), access_.audit(), *library_, runner_, clock_,
                       std::move(options));
  }

  // POST /queries as `secret_key` (acme's by default); returns the new id.
  std::string SaveQuery(std::string_view request, std::string_view kind = "trends",
                        const std::string* secret_key = nullptr) {
    JsonWriter body;
    body.BeginObject().Key("name").String("q").Key("kind").String(kind).Key("request").Raw(request);
    const http::Response response =
        Call("POST", "/queries", secret_key ? *secret_key : acme_.secret_key,
             std::move(body.EndObject()).Take());
    EXPECT_EQ(response.status, 201) << response.body;
    return StringAt(response.body, "/id");
  }

  // A widget of a request body.
  static std::string WidgetJson(const std::string& saved_query_id, int x = 0) {
    return fmt::format(
        R"({{"saved_query_id": "{}", "layout": {{"x": {}, "y": 0, "w": 6, "h": 4}}}})",
        saved_query_id, x);
  }

  // POST /dashboards as acme; returns the response body.
  std::string CreateDashboard(const std::vector<std::string>& widgets,
                              std::string_view name = "Growth") {
    std::string list;
    for (const std::string& widget : widgets) list += (list.empty() ? "" : ",") + widget;
    const http::Response response =
        Call("POST", "/dashboards", acme_.secret_key,
             fmt::format(R"({{"name": "{}", "widgets": [{}]}})", name, list));
    EXPECT_EQ(response.status, 201) << response.body;
    return response.body;
  }

  KeyCountingRunner runner_;
  bool refuse_work_ = false;
  bool defer_work_ = false;
  std::vector<std::function<void()>> deferred_;
};

TEST_F(DashboardRoutesTest, EveryRouteNeedsCredentialsAndStaysInItsWorkspace) {
  const std::string query = SaveQuery("{}");
  const std::string id = StringAt(CreateDashboard({WidgetJson(query)}), "/id");
  const std::string path = "/dashboards/" + id;
  const std::pair<const char*, std::string> routes[] = {
      {"POST", "/dashboards"},         {"GET", "/dashboards"}, {"GET", path},
      {"GET", path + "?results=true"}, {"PUT", path},          {"DELETE", path}};
  for (const auto& [method, target] : routes) {
    EXPECT_EQ(Call(method, target, "").status, 401) << method << " " << target;
    EXPECT_EQ(Call(method, target, acme_.write_key).status, 401) << method << " " << target;
  }
  // Another workspace's key finds nothing: 404, never the dashboard.
  for (const std::string& target : {path, path + "?results=true"}) {
    const http::Response response = Call("GET", target, other_.secret_key);
    EXPECT_EQ(response.status, 404) << target;
    EXPECT_EQ(response.body.find("Growth"), std::string::npos) << response.body;
  }
  EXPECT_EQ(Call("PUT", path, other_.secret_key, R"({"name": "Mine"})").status, 404);
  EXPECT_EQ(Call("DELETE", path, other_.secret_key).status, 404);
  EXPECT_EQ(Call("GET", "/dashboards", other_.secret_key).body,
            R"({"results":[],"next_cursor":null})");
  EXPECT_TRUE(runner_.calls().empty());
  EXPECT_EQ(StringAt(Call("GET", path, acme_.secret_key).body, "/name"), "Growth");
}

TEST_F(DashboardRoutesTest, CreatesReadsAndLists) {
  const std::string a = SaveQuery(R"({"from": "2026-03-01"})");
  const std::string b = SaveQuery("{}", "funnel");
  clock_.Advance(1s);
  const http::Response created = Call("POST", "/dashboards", acme_.secret_key, R"({
      "name": "Growth", "description": "Weekly numbers",
      "widgets": [
        {"saved_query_id": ")" + b + R"(", "title": "Conversion",
         "layout": {"x": 6, "y": 0, "w": 6, "h": 4}},
        {"saved_query_id": ")" + a + R"(", "layout": {"x": 0, "y": 4, "w": 12, "h": 3}}]})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = StringAt(created.body, "/id");
  const std::string first = StringAt(created.body, "/widgets/0/id");
  const std::string second = StringAt(created.body, "/widgets/1/id");
  EXPECT_EQ(Uuid::Parse(first)->version(), 7);
  EXPECT_NE(first, second);
  const std::string at = FormatIso8601(kT0 + 1s);
  EXPECT_EQ(created.body,
            fmt::format(R"({{"id":"{}","name":"Growth","description":"Weekly numbers","widgets":[)"
                        R"({{"id":"{}","saved_query_id":"{}","title":"Conversion",)"
                        R"("layout":{{"x":6,"y":0,"w":6,"h":4}}}},)"
                        R"({{"id":"{}","saved_query_id":"{}","title":null,)"
                        R"("layout":{{"x":0,"y":4,"w":12,"h":3}}}}],)"
                        R"("created_at":"{}","updated_at":"{}"}})",
                        id, first, b, second, a, at, at));
  EXPECT_EQ(Call("GET", "/dashboards/" + id, acme_.secret_key).body, created.body);
  EXPECT_EQ(Call("GET", "/dashboards/" + id + "?results=false", acme_.secret_key).body,
            created.body);

  // Without widgets or description.
  const http::Response empty =
      Call("POST", "/dashboards", acme_.secret_key, R"({"name": "Empty"})");
  ASSERT_EQ(empty.status, 201) << empty.body;
  EXPECT_EQ(JsonAt(empty.body, "/widgets"), "[]");
  EXPECT_EQ(StringAt(empty.body, "/description"), "");

  const http::Response list = Call("GET", "/dashboards?limit=1", acme_.secret_key);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(JsonAt(list.body, "/results/0"), empty.body);  // newest first
  EXPECT_EQ(JsonAt(list.body, "/results/1"), "");
  const http::Response next = Call(
      "GET", "/dashboards?limit=1&cursor=" + StringAt(list.body, "/next_cursor"), acme_.secret_key);
  EXPECT_EQ(next.body, R"({"results":[)" + created.body + R"(],"next_cursor":null})");
  ExpectBadRequest(Call("GET", "/dashboards?limit=0", acme_.secret_key), "limit");
  EXPECT_TRUE(runner_.calls().empty());
}

TEST_F(DashboardRoutesTest, EachBadFieldIsA400NamingIt) {
  const std::string mine = SaveQuery("{}");
  const std::string theirs = SaveQuery("{}", "trends", &other_.secret_key);
  const auto post = [&](const std::string& body) {
    return Call("POST", "/dashboards", acme_.secret_key, body);
  };
  const auto with_widget = [&](const std::string& widget) {
    return post(R"({"name": "d", "widgets": [)" + WidgetJson(mine) + "," + widget + "]}");
  };
  EXPECT_EQ(post("nope").status, 400);
  ExpectBadRequest(post("{}"), "name");
  ExpectBadRequest(post(R"({"name": ""})"), "name");
  ExpectBadRequest(post(R"({"name": 1})"), "name");
  ExpectBadRequest(post(fmt::format(R"({{"name": "{}"}})", std::string(201, 'n'))), "name");
  ExpectBadRequest(post(fmt::format(R"({{"name": "d", "description": "{}"}})",
                                    std::string(kMaxDashboardDescriptionChars + 1, 'd'))),
                   "description");
  ExpectBadRequest(post(R"({"name": "d", "description": 3})"), "description");
  ExpectBadRequest(post(R"({"name": "d", "owner": "me"})"), "owner");
  ExpectBadRequest(post(R"({"name": "d", "widgets": {}})"), "widgets");
  std::string many;
  for (size_t i = 0; i <= kMaxDashboardWidgets; ++i) many += (i ? "," : "") + WidgetJson(mine);
  ExpectBadRequest(post(R"({"name": "d", "widgets": [)" + many + "]}"), "widgets");

  ExpectBadRequest(with_widget("7"), "widgets[1]");
  ExpectBadRequest(with_widget(R"({"layout": {"x": 0, "y": 0, "w": 1, "h": 1}})"),
                   "widgets[1].saved_query_id");
  ExpectBadRequest(with_widget(WidgetJson(theirs)), "widgets[1].saved_query_id");
  ExpectBadRequest(with_widget(WidgetJson("no-such-query")), "widgets[1].saved_query_id");
  ExpectBadRequest(with_widget(R"({"saved_query_id": ")" + mine + R"("})"), "widgets[1].layout");
  ExpectBadRequest(with_widget(R"({"saved_query_id": ")" + mine + R"(", "layout": [0, 0, 1, 1]})"),
                   "widgets[1].layout");
  ExpectBadRequest(with_widget(R"({"id": "w1", "saved_query_id": ")" + mine +
                               R"(", "layout": {"x": 0, "y": 0, "w": 1, "h": 1}})"),
                   "widgets[1].id");  // ids are given by the server
  ExpectBadRequest(
      with_widget(R"({"saved_query_id": ")" + mine + R"(", "title": ")" + std::string(201, 't') +
                  R"(", "layout": {"x": 0, "y": 0, "w": 1, "h": 1}})"),
      "widgets[1].title");
  struct BadLayout {
    const char* layout;
    const char* field;
  };
  for (const BadLayout& bad : {
           BadLayout{R"({"y": 0, "w": 1, "h": 1})", "widgets[1].layout.x"},
           BadLayout{R"({"x": -1, "y": 0, "w": 1, "h": 1})", "widgets[1].layout.x"},
           BadLayout{R"({"x": 1001, "y": 0, "w": 1, "h": 1})", "widgets[1].layout.x"},
           BadLayout{R"({"x": 0, "y": "0", "w": 1, "h": 1})", "widgets[1].layout.y"},
           BadLayout{R"({"x": 0, "y": 0, "w": 0, "h": 1})", "widgets[1].layout.w"},
           BadLayout{R"({"x": 0, "y": 0, "w": 101, "h": 1})", "widgets[1].layout.w"},
           BadLayout{R"({"x": 0, "y": 0, "w": 1.5, "h": 1})", "widgets[1].layout.w"},
           BadLayout{R"({"x": 0, "y": 0, "w": 1})", "widgets[1].layout.h"},
           BadLayout{R"({"x": 0, "y": 0, "w": 1, "h": 1, "z": 2})", "widgets[1].layout.z"},
       }) {
    ExpectBadRequest(
        with_widget(fmt::format(R"({{"saved_query_id": "{}", "layout": {}}})", mine, bad.layout)),
        bad.field);
  }
  // Nothing was created.
  EXPECT_EQ(Call("GET", "/dashboards", acme_.secret_key).body,
            R"({"results":[],"next_cursor":null})");

  const std::string id = StringAt(CreateDashboard({WidgetJson(mine)}), "/id");
  ExpectBadRequest(Call("GET", "/dashboards/" + id + "?results=yes", acme_.secret_key), "results");
  const std::string before = Call("GET", "/dashboards/" + id, acme_.secret_key).body;
  const auto put = [&](const std::string& body) {
    return Call("PUT", "/dashboards/" + id, acme_.secret_key, body);
  };
  ExpectBadRequest(put(R"({"name": ""})"), "name");
  ExpectBadRequest(put(R"({"widgets": [)" + WidgetJson(theirs) + "]}"),
                   "widgets[0].saved_query_id");
  ExpectBadRequest(put(R"({"widgets": [{"id": "not-on-this-dashboard", "saved_query_id": ")" +
                       mine + R"(", "layout": {"x": 0, "y": 0, "w": 1, "h": 1}}]})"),
                   "widgets[0].id");
  ExpectBadRequest(put(R"({"colour": "red"})"), "colour");
  EXPECT_EQ(Call("GET", "/dashboards/" + id, acme_.secret_key).body, before);
}

TEST_F(DashboardRoutesTest, PutReplacesOnlyWhatItGives) {
  const std::string a = SaveQuery("{}");
  const std::string b = SaveQuery("{}");
  const std::string created = CreateDashboard({WidgetJson(a, 0), WidgetJson(b, 6)});
  const std::string id = StringAt(created, "/id");
  const std::string kept = StringAt(created, "/widgets/1/id");

  clock_.Advance(1h);
  const http::Response renamed =
      Call("PUT", "/dashboards/" + id, acme_.secret_key, R"({"name": "Renamed"})");
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(StringAt(renamed.body, "/name"), "Renamed");
  EXPECT_EQ(JsonAt(renamed.body, "/widgets"), JsonAt(created, "/widgets"));
  EXPECT_EQ(StringAt(renamed.body, "/created_at"), StringAt(created, "/created_at"));
  EXPECT_EQ(StringAt(renamed.body, "/updated_at"), FormatIso8601(kT0 + 1h));

  // The second widget moves first and keeps its id; a new one is added.
  const http::Response replaced =
      Call("PUT", "/dashboards/" + id, acme_.secret_key,
           R"({"description": "Moved", "widgets": [
        {"id": ")" +
               kept + R"(", "saved_query_id": ")" + b +
               R"(", "title": "B", "layout": {"x": 0, "y": 0, "w": 3, "h": 3}},
        )" + WidgetJson(a, 3) +
               "]}");
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_EQ(StringAt(replaced.body, "/name"), "Renamed");
  EXPECT_EQ(StringAt(replaced.body, "/description"), "Moved");
  EXPECT_EQ(StringAt(replaced.body, "/widgets/0/id"), kept);
  EXPECT_EQ(StringAt(replaced.body, "/widgets/0/title"), "B");
  EXPECT_EQ(JsonAt(replaced.body, "/widgets/0/layout"), R"({"x":0,"y":0,"w":3,"h":3})");
  const std::string added = StringAt(replaced.body, "/widgets/1/id");
  EXPECT_NE(added, StringAt(created, "/widgets/0/id"));
  EXPECT_NE(added, kept);
  EXPECT_EQ(StringAt(replaced.body, "/widgets/1/saved_query_id"), a);
  EXPECT_EQ(JsonAt(replaced.body, "/widgets/2"), "");
  EXPECT_EQ(Call("GET", "/dashboards/" + id, acme_.secret_key).body, replaced.body);

  const http::Response cleared =
      Call("PUT", "/dashboards/" + id, acme_.secret_key, R"({"widgets": []})");
  EXPECT_EQ(JsonAt(cleared.body, "/widgets"), "[]");
  // With no widget left showing them, the queries can go; the dashboard can too.
  EXPECT_EQ(Call("DELETE", "/queries/" + a, acme_.secret_key).status, 204);
  EXPECT_EQ(Call("DELETE", "/dashboards/" + id, acme_.secret_key).status, 204);
  EXPECT_EQ(Call("GET", "/dashboards/" + id, acme_.secret_key).status, 404);
  EXPECT_EQ(Call("DELETE", "/dashboards/" + id, acme_.secret_key).status, 404);
  EXPECT_EQ(Call("GET", "/queries/" + b, acme_.secret_key).status, 200);
}

TEST_F(DashboardRoutesTest, DeletingAQueryADashboardShowsIsAConflict) {
  const std::string query = SaveQuery("{}");
  const std::string id = StringAt(CreateDashboard({WidgetJson(query)}, "Growth"), "/id");
  const http::Response refused = Call("DELETE", "/queries/" + query, acme_.secret_key);
  EXPECT_EQ(refused.status, 409);
  EXPECT_NE(refused.body.find("'Growth' (" + id + ")"), std::string::npos) << refused.body;
  EXPECT_EQ(Call("DELETE", "/dashboards/" + id, acme_.secret_key).status, 204);
  EXPECT_EQ(Call("DELETE", "/queries/" + query, acme_.secret_key).status, 204);
  // Both deletions are in the audit log, newest first, by the admin key.
  const std::vector<AuditEntry> entries = AcmeAudit();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].action, "saved_query.delete");
  EXPECT_EQ(entries[0].target_id, query);
  EXPECT_EQ(entries[1].action, "dashboard.delete");
  EXPECT_EQ(entries[1].target_kind, "dashboard");
  EXPECT_EQ(entries[1].target_id, id);
  EXPECT_EQ(JsonAt(entries[1].details, "/name"), R"("Growth")");
  EXPECT_EQ(JsonAt(entries[1].details, "/widgets"), "1");
  EXPECT_EQ(entries[1].actor.kind, AuditActorKind::kApiKey);
  EXPECT_EQ(entries[1].actor.label, MaskedKey(acme_.secret_key.substr(0, 8)));
}

TEST_F(DashboardRoutesTest, ViewersReadMembersBuild) {
  const std::string query = SaveQuery("{}");
  const std::string id = StringAt(CreateDashboard({WidgetJson(query)}), "/id");
  const std::string path = "/dashboards/" + id;
  const std::string viewer = access_.MemberToken(acme_.workspace.id, Role::kViewer);
  const std::string member = access_.MemberToken(acme_.workspace.id, Role::kMember);
  EXPECT_EQ(Call("GET", "/dashboards", viewer).status, 200);
  EXPECT_EQ(Call("GET", path, viewer).status, 200);
  const http::Response with_results = Call("GET", path + "?results=true", viewer);
  EXPECT_EQ(with_results.status, 200) << with_results.body;
  EXPECT_EQ(JsonAt(with_results.body, "/widgets/0/answer/rows"), "0");
  EXPECT_EQ(Call("POST", "/dashboards", viewer, R"({"name": "Mine"})").status, 403);
  EXPECT_EQ(Call("PUT", path, viewer, R"({"name": "Mine"})").status, 403);
  EXPECT_EQ(Call("DELETE", path, viewer).status, 403);
  EXPECT_EQ(Call("PUT", path, member, R"({"name": "Ours"})").status, 200);
  EXPECT_EQ(Call("POST", "/dashboards", member, R"({"name": "Mine"})").status, 201);
  EXPECT_EQ(Call("DELETE", path, member).status, 204);
  // The widget's query ran in acme only.
  for (const KeyCountingRunner::Call& call : runner_.calls()) {
    EXPECT_EQ(call.workspace_id, acme_.workspace.id);
  }
}

TEST_F(DashboardRoutesTest, ResultsCarryEachWidgetsAnswerOrItsError) {
  const std::string counted = SaveQuery(R"({"from": "2026-03-01", "to": "2026-03-08"})");
  const std::string broken = SaveQuery(R"({"broken": true})", "funnel");
  const std::string crashing = SaveQuery(R"({"crash": 1, "x": 2})", "sql");
  const std::string created = CreateDashboard(
      {WidgetJson(counted), WidgetJson(broken), WidgetJson(counted, 6), WidgetJson(crashing)});
  const std::string id = StringAt(created, "/id");

  const http::Response response =
      Call("GET", "/dashboards/" + id + "?results=true", acme_.secret_key);
  ASSERT_EQ(response.status, 200) << response.body;
  // The dashboard as without results, each widget with one more key.
  EXPECT_EQ(StringAt(response.body, "/name"), "Growth");
  EXPECT_EQ(StringAt(response.body, "/widgets/0/id"), StringAt(created, "/widgets/0/id"));
  EXPECT_EQ(JsonAt(response.body, "/widgets/0/layout"), JsonAt(created, "/widgets/0/layout"));

  const std::string answer =
      fmt::format(R"({{"kind":"trends","result":{{"keys":2,"workspace_id":"{}","kind":"trends"}},)"
                  R"("cache_hit":false,"duration_ms":1.5,"rows":2}})",
                  acme_.workspace.id);
  EXPECT_EQ(JsonAt(response.body, "/widgets/0/answer"), answer);
  EXPECT_EQ(JsonAt(response.body, "/widgets/0/error"), "");
  EXPECT_EQ(JsonAt(response.body, "/widgets/1/error"),
            R"({"code":400,"message":"broken is not a field of this analysis","field":"broken"})");
  EXPECT_EQ(JsonAt(response.body, "/widgets/1/answer"), "");
  EXPECT_EQ(JsonAt(response.body, "/widgets/2/answer"), answer);
  EXPECT_EQ(JsonAt(response.body, "/widgets/3/error"),
            R"({"code":500,"message":"internal error","field":null})");
  EXPECT_EQ(response.body.find("fire"), std::string::npos);  // the cause stays in the log

  // Each saved query ran once, as itself, for the key's workspace.
  const std::vector<KeyCountingRunner::Call> calls = runner_.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].workspace_id, acme_.workspace.id);
  EXPECT_EQ(calls[0].kind, query::QueryKind::kTrends);
  EXPECT_EQ(calls[0].body, R"({"from":"2026-03-01","to":"2026-03-08"})");
  EXPECT_EQ(calls[1].kind, query::QueryKind::kFunnel);
  EXPECT_EQ(calls[2].kind, query::QueryKind::kSql);
  for (const auto& call : calls) EXPECT_EQ(call.workspace_id, acme_.workspace.id);
}

TEST_F(DashboardRoutesTest, ResultsOfAnEmptyDashboard) {
  const std::string id = StringAt(CreateDashboard({}), "/id");
  const http::Response response =
      Call("GET", "/dashboards/" + id + "?results=true", acme_.secret_key);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(JsonAt(response.body, "/widgets"), "[]");
}

// The widgets run where the executor runs them, and the answer waits for them.
TEST_F(DashboardRoutesTest, WidgetsRunOnTheExecutorAndABusyOneAnswers503) {
  const std::string query = SaveQuery(R"({"a": 1})");
  const std::string id = StringAt(CreateDashboard({WidgetJson(query)}), "/id");

  defer_work_ = true;
  const auto reply = Start("GET", "/dashboards/" + id + "?results=true", acme_.secret_key);
  EXPECT_FALSE(reply->response().has_value());
  EXPECT_TRUE(runner_.calls().empty());
  ASSERT_EQ(deferred_.size(), 1u);
  deferred_.front()();
  ASSERT_TRUE(reply->response().has_value());
  EXPECT_EQ(reply->response()->status, 200);
  EXPECT_EQ(JsonAt(reply->response()->body, "/widgets/0/answer/rows"), "1");
  // Without results, nothing goes to the executor.
  EXPECT_EQ(Call("GET", "/dashboards/" + id, acme_.secret_key).status, 200);
  EXPECT_EQ(deferred_.size(), 1u);

  refuse_work_ = true;
  const http::Response busy = Call("GET", "/dashboards/" + id + "?results=true", acme_.secret_key);
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(busy.Header("Retry-After"), "1");
  EXPECT_EQ(runner_.calls().size(), 1u);
}

}  // namespace
}  // namespace cdp::api
