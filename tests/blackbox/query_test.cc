// The query API as a client sees it, end to end: events sent with a write
// key go through the log and the loader into the store, and the analyses,
// SQL, saved queries, dashboards and async jobs answer about them with the
// workspace's secret key, never about another workspace.

#include <chrono>
#include <thread>

#include "blackbox/server_api_test.h"
#include "core/clock.h"
#include "support/json_pointer.h"

namespace cdp::testing {
namespace {

class QueryTest : public ServerApiTest {
 protected:
  // Three persons of acme: a1 signs up then creates a project, a2 only signs
  // up, a3 only creates a project; other's events must never count.
  void SendEvents() {
    const TimePoint start = SystemClock::Instance().Now() - std::chrono::hours(2);
    const auto at = [&](int minutes) {
      return FormatIso8601(start + std::chrono::minutes(minutes));
    };
    const std::string batch = R"({"batch": [
      {"type": "track", "anonymousId": "a1", "event": "Signed Up", "timestamp": ")" +
                              at(0) + R"("},
      {"type": "track", "anonymousId": "a1", "event": "Project Created", "timestamp": ")" +
                              at(5) + R"("},
      {"type": "track", "anonymousId": "a2", "event": "Signed Up", "timestamp": ")" +
                              at(10) + R"("},
      {"type": "track", "anonymousId": "a3", "event": "Project Created", "timestamp": ")" +
                              at(15) + R"("}]})";
    ASSERT_EQ(PostAs(acme_, "/v1/batch", batch).status, 200);
    ASSERT_EQ(
        PostAs(other_, "/v1/track",
               R"({"anonymousId": "o1", "event": "Signed Up", "timestamp": ")" + at(1) + R"("})")
            .status,
        200);
    range_ = R"("from": ")" + FormatIso8601(start - std::chrono::hours(1)) + R"(", "to": ")" +
             FormatIso8601(start + std::chrono::hours(3)) + R"(")";
  }

  // The answer's "result" once the store holds all four events (the loader
  // makes events visible within about a second).
  std::string WaitForEvents() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::string body;
    while (std::chrono::steady_clock::now() < deadline) {
      body = Api("POST", "/query/sql", R"({"query": "SELECT count(*) FROM events"})").body;
      if (body.find(R"("rows":[[4]])") != std::string::npos) return body;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "the events never became visible: " << body;
    return body;
  }

  std::string range_;
};

TEST_F(QueryTest, AnalysesAnswerAboutTheKeysWorkspaceOnly) {
  SendEvents();
  WaitForEvents();

  const std::string funnel = R"({)" + range_ + R"(, "steps": [{"event": "Signed Up"},
                                                             {"event": "Project Created"}]})";
  const HttpResponse first = Api("POST", "/query/funnel", funnel);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(JsonAt(first.body, "/kind"), R"("funnel")");
  EXPECT_EQ(JsonAt(first.body, "/result/steps/0/persons"), "2");
  EXPECT_EQ(JsonAt(first.body, "/result/steps/1/persons"), "1");
  EXPECT_EQ(JsonAt(first.body, "/cache_hit"), "false");
  // The same question, its keys reordered: answered from the cache.
  const std::string reordered =
      R"({"steps": [{"event": "Signed Up"}, {"event": "Project Created"}], )" + range_ + "}";
  EXPECT_EQ(JsonAt(Api("POST", "/query/funnel", reordered).body, "/cache_hit"), "true");

  const HttpResponse trends = Api(
      "POST", "/query/trends",
      "{" + range_ +
          R"(, "interval": "hour", "series": [{"event": "Signed Up", "math": "unique_persons"}]})");
  ASSERT_EQ(trends.status, 200) << trends.body;
  EXPECT_EQ(JsonAt(trends.body, "/result/series/0/total"), "2");

  const HttpResponse sql =
      Api("POST", "/query/sql",
          R"({"query": "SELECT anonymous_id, count(*), count(DISTINCT person_id), )"
          R"(min(person_id LIKE 'prs_%') FROM events GROUP BY 1 ORDER BY 1"})");
  // Each anonymous id is one person, named by a profile id.
  EXPECT_EQ(JsonAt(sql.body, "/result/rows"), R"([["a1",2,1,1],["a2",1,1,1],["a3",1,1,1]])")
      << sql.body;
  EXPECT_EQ(Api("POST", "/query/sql", R"({"query": "DELETE FROM events"})").status, 400);

  const HttpResponse bad = Api("POST", "/query/funnel", "{" + range_ + R"(, "steps": [{}]})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(JsonAt(bad.body, "/field"), R"("steps")") << bad.body;
}

TEST_F(QueryTest, EveryQueryRouteNeedsTheSecretKey) {
  for (const auto& [method, path] :
       std::vector<std::pair<std::string, std::string>>{{"POST", "/query/events"},
                                                        {"POST", "/query/trends"},
                                                        {"POST", "/query/funnel"},
                                                        {"POST", "/query/retention"},
                                                        {"POST", "/query/session"},
                                                        {"POST", "/query/paths"},
                                                        {"POST", "/query/sql"},
                                                        {"POST", "/query/async"},
                                                        {"GET", "/query/async/some-id"},
                                                        {"DELETE", "/query/async/some-id"},
                                                        {"GET", "/queries"},
                                                        {"POST", "/queries"},
                                                        {"GET", "/queries/some-id"},
                                                        {"GET", "/dashboards"},
                                                        {"POST", "/dashboards"},
                                                        {"GET", "/dashboards/some-id"}}) {
    SCOPED_TRACE(method + " " + path);
    const auto none = Fetch(port_, method, path, "{}");
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 401);
    const auto write_key =
        Fetch(port_, method, path, "{}", {{"Authorization", "Bearer " + acme_.write_key}});
    EXPECT_EQ(write_key->status, 401);
  }
}

TEST_F(QueryTest, SavedQueriesDashboardsAndAsyncJobsRunTheSameAnalyses) {
  SendEvents();
  WaitForEvents();
  const std::string request =
      "{" + range_ + R"(, "series": [{"event": "Project Created", "math": "total"}]})";

  const HttpResponse saved = Api(
      "POST", "/queries", R"({"name": "Projects", "kind": "trends", "request": )" + request + "}");
  ASSERT_EQ(saved.status, 201) << saved.body;
  const std::string query_id = JsonAt(saved.body, "/id");
  const HttpResponse dashboard =
      Api("POST", "/dashboards",
          R"({"name": "Growth", "widgets": [{"saved_query_id": )" + query_id +
              R"(, "layout": {"x": 0, "y": 0, "w": 6, "h": 4}}]})");
  ASSERT_EQ(dashboard.status, 201) << dashboard.body;
  const std::string dashboard_id = StringAt(dashboard.body, "/id");
  const HttpResponse shown = Api("GET", "/dashboards/" + dashboard_id + "?results=true");
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(JsonAt(shown.body, "/widgets/0/answer/result/series/0/total"), "2") << shown.body;
  // Another workspace sees neither.
  const auto foreign = Fetch(port_, "GET", "/dashboards/" + dashboard_id, "",
                             {{"Authorization", "Bearer " + other_.secret_key}});
  EXPECT_EQ(foreign->status, 404);

  const HttpResponse job =
      Api("POST", "/query/async", R"({"kind": "trends", "request": )" + request + "}");
  ASSERT_EQ(job.status, 202) << job.body;
  const std::string job_id = StringAt(job.body, "/id");
  std::string status;
  HttpResponse polled;
  for (int attempt = 0; attempt < 200 && status != R"("succeeded")"; ++attempt) {
    polled = Api("GET", "/query/async/" + job_id);
    status = JsonAt(polled.body, "/status");
    if (status != R"("succeeded")") std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(status, R"("succeeded")") << polled.body;
  EXPECT_EQ(JsonAt(polled.body, "/progress"), "1");
  EXPECT_EQ(JsonAt(polled.body, "/result/result/series/0/total"), "2");
  const auto foreign_job = Fetch(port_, "GET", "/query/async/" + job_id, "",
                                 {{"Authorization", "Bearer " + other_.secret_key}});
  EXPECT_EQ(foreign_job->status, 404);
}

}  // namespace
}  // namespace cdp::testing
