// The access walk the issue asks for: every route `cdp routes` lists (the
// route table `cdp serve` builds) is called without credentials, with
// another workspace's secret key, with a viewer's session and with a
// non-member's session, and each answer is checked against the route's
// access: 401 / 403 / 404, and never another workspace's data.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "blackbox/server_api_test.h"

namespace cdp::testing {
namespace {

struct RouteRow {
  std::string method;
  std::string pattern;
  std::string access;
};

// The routes `cdp routes` prints ("METHOD\tPATTERN\tACCESS" lines; log lines
// on stderr, which Run mixes in, have no tabs).
std::vector<RouteRow> ListRoutes(const std::string& data_dir, std::string* output) {
  EXPECT_EQ(RunCdp(data_dir, {"routes"}, output, {{"CDP_LOG_LEVEL", "warn"}}), 0) << *output;
  std::vector<RouteRow> routes;
  std::istringstream lines(*output);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> fields;
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, '\t');) fields.push_back(cell);
    if (fields.size() != 3 || !fields[1].starts_with("/")) continue;
    routes.push_back({fields[0], fields[1], fields[2]});
  }
  return routes;
}

// What a route answered to one caller, and whether that was right.
struct Cell {
  std::string text = "-";  // the status, or "-" when the caller was not tried
  bool ok = true;
  std::string why;  // what was wrong
};

// The caller of one column of the table.
enum Column { kNone, kOtherKeyNamingAcme, kOtherKey, kViewer, kOutsider, kColumns };
constexpr const char* kColumnNames[kColumns] = {"none", "other key+acme", "other key", "viewer",
                                                "outsider"};

class AccessTest : public ServerApiTest {
 protected:
  void SetUp() override {
    ServerApiTest::SetUp();
    if (HasFatalFailure()) return;
    acme_id_ = WorkspaceId(acme_);
    other_id_ = WorkspaceId(other_);

    // Acme's objects, so that path parameters name real things of acme.
    ASSERT_EQ(PostAs(acme_, "/v1/track",
                     R"({"userId":"acme-person-7f3","event":"acme_signup_7f3",)"
                     R"("properties":{"acmeplan":"pro"}})")
                  .status,
              200);
    // A type conflict: a dead letter.
    ASSERT_EQ(PostAs(acme_, "/v1/track",
                     R"({"userId":"acme-person-7f3","event":"acme_signup_7f3",)"
                     R"("properties":{"acmeplan":3}})")
                  .status,
              400);
    dead_letter_id_ = StringAt(Api("GET", "/dlq").body, "/results/0/id");
    const HttpResponse query = Api("POST", "/queries",
                                   R"({"name":"acme-query-7f3","kind":"sql",)"
                                   R"("request":{"query":"SELECT 1"}})");
    ASSERT_EQ(query.status, 201) << query.body;
    query_id_ = StringAt(query.body, "/id");
    const HttpResponse dashboard =
        Api("POST", "/dashboards",
            R"({"name":"acme-dashboard-7f3","widgets":[{"saved_query_id":")" + query_id_ +
                R"(","layout":{"x":0,"y":0,"w":1,"h":1}}]})");
    ASSERT_EQ(dashboard.status, 201) << dashboard.body;
    dashboard_id_ = StringAt(dashboard.body, "/id");
    const HttpResponse job =
        Api("POST", "/query/async", R"({"kind":"sql","request":{"query":"SELECT 1"}})");
    ASSERT_EQ(job.status, 202) << job.body;
    job_id_ = StringAt(job.body, "/id");
    key_id_ = StringAt(Api("GET", "/api-keys").body, "/results/0/id");

    viewer_ = AddMember(acme_, "viewer-7f3@acme.test", "viewer");
    outsider_ = AddMember(other_, "outsider@other.test", "viewer");
    ASSERT_FALSE(viewer_.token.empty());
    ASSERT_FALSE(outsider_.token.empty());
    // The walk sends every one of these to every route: none may be logged.
    ExpectNeverPrinted({viewer_.password, viewer_.token, outsider_.password, outsider_.token,
                        acme_.secret_key, acme_.write_key, other_.secret_key, other_.write_key});
  }

  // The pattern with acme's ids (or, for a pattern the test does not know, a
  // made-up id: the access checks hold all the same).
  std::string Path(const std::string& pattern) const {
    const std::map<std::string, std::string> values = {
        {"/queries/{id}", "/queries/" + query_id_},
        {"/dashboards/{id}", "/dashboards/" + dashboard_id_},
        {"/query/async/{id}", "/query/async/" + job_id_},
        {"/dlq/{id}", "/dlq/" + dead_letter_id_},
        {"/profiles/{id}", "/profiles/acme-person-7f3"},
        {"/profiles/{id}/events", "/profiles/acme-person-7f3/events"},
        {"/profiles/{id}/unmerge", "/profiles/acme-person-7f3/unmerge"},
        {"/members/{user_id}", "/members/" + viewer_.id},
        {"/api-keys/{id}", "/api-keys/" + key_id_},
        {"/schemas/properties/{section}/{name}", "/schemas/properties/properties/acmeplan"},
    };
    if (const auto it = values.find(pattern); it != values.end()) return it->second;
    // A parameter of an unknown pattern gets a made-up id.
    std::string path;
    for (size_t i = 0; i < pattern.size();) {
      if (pattern[i] == '{') {
        path += "0190e9a0-0000-7000-8000-00000000a11c";
        i = pattern.find('}', i) + 1;
      } else {
        path += pattern[i++];
      }
    }
    return path;
  }

  // Acme's data that no answer to someone outside acme may hold.
  std::vector<std::string> AcmeMarkers() const {
    return {acme_id_,
            "acme-query-7f3",
            "acme-dashboard-7f3",
            "acme_signup_7f3",
            "acmeplan",
            "acme-person-7f3",
            "viewer-7f3@acme.test",
            query_id_,
            dashboard_id_,
            dead_letter_id_,
            job_id_,
            viewer_.id,
            key_id_,
            acme_.secret_key,
            acme_.write_key};
  }

  // Checks an answer to someone outside acme: no marker of acme except those
  // the request itself named.
  void ExpectNoAcmeData(const std::string& path, const HttpResponse& response, Cell& cell) const {
    for (const std::string& marker : AcmeMarkers()) {
      if (marker.empty() || path.find(marker) != std::string::npos) continue;
      if (response.body.find(marker) != std::string::npos) {
        cell.ok = false;
        cell.why += " leaks " + marker + ";";
      }
    }
  }

  std::string acme_id_, other_id_;
  std::string dead_letter_id_, query_id_, dashboard_id_, job_id_, key_id_;
  SignedInUser viewer_, outsider_;
};

// A request body: an event for the ingestion routes (so that only the
// missing write key is wrong with it), an empty object for other writes.
std::string Body(const RouteRow& route) {
  if (route.access == "ingestion") {
    if (route.pattern.find("batch") != std::string::npos ||
        route.pattern.find("import") != std::string::npos) {
      return R"({"batch":[{"type":"track","userId":"u1","event":"E"}]})";
    }
    if (route.pattern == "/capture") return R"({"event":"E","distinct_id":"u1"})";
    return R"({"userId":"u1","event":"E","type":"track"})";
  }
  return route.method == "POST" || route.method == "PUT" ? "{}" : "";
}

// Whether `status` meets what is expected; records the reason if not.
void Expect(Cell& cell, int status, bool ok, const std::string& expected) {
  cell.text = std::to_string(status);
  if (!ok) {
    cell.ok = false;
    cell.why += " expected " + expected + ";";
  }
}

TEST_F(AccessTest, EveryRouteAnswersEachCallerAsItsAccessSays) {
  std::string output;
  std::vector<RouteRow> routes = ListRoutes(dir_.path(), &output);
  ASSERT_GT(routes.size(), 30u) << output;
  std::set<std::string> listed;
  for (const RouteRow& route : routes) listed.insert(route.method + " " + route.pattern);
  // The table is the server's: spot checks of each kind of access.
  for (const char* known : {"GET /health", "POST /auth/login", "POST /v1/track", "GET /metrics",
                            "GET /me", "GET /queries", "POST /dashboards", "GET /audit"}) {
    EXPECT_TRUE(listed.count(known)) << known << " is missing from `cdp routes`:\n" << output;
  }
  // The viewer signs out last: the session must live through the walk.
  std::stable_partition(routes.begin(), routes.end(), [](const RouteRow& route) {
    return !(route.method == "POST" && route.pattern == "/auth/logout");
  });

  const std::set<std::string> workspace_access = {"read", "build", "admin"};
  std::vector<std::array<Cell, kColumns>> table(routes.size());
  std::vector<std::string> unknown;
  bool all_ok = true;
  for (size_t row = 0; row < routes.size(); ++row) {
    const RouteRow& route = routes[row];
    std::array<Cell, kColumns>& cells = table[row];
    const std::string path = Path(route.pattern);
    const std::string body = Body(route);
    const std::string& access = route.access;
    const bool in_workspace = workspace_access.count(access) > 0;
    if (!in_workspace && access != "public" && access != "ingestion" && access != "metrics_token" &&
        access != "user") {
      // A kind of access this test does not know: it cannot say what is right.
      unknown.push_back(route.method + " " + route.pattern + " " + access);
      continue;
    }
    const bool has_params = route.pattern.find('{') != std::string::npos;

    // (a) No credentials: only public routes answer anything but 401.
    {
      Cell& cell = cells[kNone];
      const HttpResponse response = Send(route.method, path, body);
      if (access == "public") {
        Expect(cell, response.status, response.status != 401, "not 401");
      } else {
        Expect(cell, response.status, response.status == 401, "401");
      }
      ExpectNoAcmeData(path, response, cell);
    }
    // (b) Another workspace's secret key naming acme: 403 for every route
    // of a workspace or a user; no data of acme anywhere.
    {
      Cell& cell = cells[kOtherKeyNamingAcme];
      const HttpResponse response = As(other_.secret_key, route.method, path, body, acme_id_);
      if (in_workspace || access == "user") {
        Expect(cell, response.status, response.status == 403, "403");
      } else if (access == "metrics_token") {
        Expect(cell, response.status, response.status == 401, "401");
      } else {
        cell.text = std::to_string(response.status);
      }
      ExpectNoAcmeData(path, response, cell);
    }
    // (b) The same key on its own workspace, with acme's ids: as unknown ids
    // (404 for a read of one object, some 4xx otherwise), and never acme's
    // data.
    {
      Cell& cell = cells[kOtherKey];
      const HttpResponse response = As(other_.secret_key, route.method, path, body);
      if (access == "user") {
        Expect(cell, response.status, response.status == 403, "403");
      } else if (access == "metrics_token") {
        Expect(cell, response.status, response.status == 401, "401");
      } else if (in_workspace && has_params && route.method == "GET") {
        Expect(cell, response.status, response.status == 404, "404");
      } else if (in_workspace && has_params) {
        Expect(cell, response.status, response.status >= 400 && response.status < 500, "4xx");
      } else {
        cell.text = std::to_string(response.status);
      }
      ExpectNoAcmeData(path, response, cell);
    }
    // (c) A viewer of acme: reads answer, building and administering are 403.
    {
      Cell& cell = cells[kViewer];
      const HttpResponse response = As(viewer_.token, route.method, path, body, acme_id_);
      const int status = response.status;
      if (access == "build" || access == "admin") {
        Expect(cell, status, status == 403, "403");
      } else if (access == "read" || access == "user") {
        Expect(cell, status, status != 401 && status != 403 && status < 500 && status > 0,
               "an answer (not 401/403/5xx)");
      } else if (access == "ingestion" || access == "metrics_token") {
        Expect(cell, status, status == 401, "401");
      } else {
        Expect(cell, status, status != 401, "not 401");
      }
    }
    // (c) A signed-in user who is not a member of acme: 403.
    if (in_workspace) {
      Cell& cell = cells[kOutsider];
      const HttpResponse response = As(outsider_.token, route.method, path, body, acme_id_);
      Expect(cell, response.status, response.status == 403, "403");
      ExpectNoAcmeData(path, response, cell);
    }
    for (const Cell& cell : cells) all_ok = all_ok && cell.ok;
  }

  EXPECT_TRUE(unknown.empty())
      << "routes with an access this test does not know (teach it what each caller gets):\n"
      << [&] {
           std::string text;
           for (const std::string& route : unknown) text += "  " + route + "\n";
           return text;
         }();
  if (!all_ok) {
    std::ostringstream text;
    text << "method  pattern  access";
    for (const char* name : kColumnNames) text << " | " << name;
    text << "\n";
    for (size_t row = 0; row < routes.size(); ++row) {
      bool row_ok = true;
      for (const Cell& cell : table[row]) row_ok = row_ok && cell.ok;
      text << (row_ok ? "  " : "! ") << routes[row].method << " " << routes[row].pattern << " "
           << routes[row].access;
      for (const Cell& cell : table[row]) text << " | " << cell.text << (cell.ok ? "" : "!");
      text << "\n";
      if (!row_ok) {
        for (int column = 0; column < kColumns; ++column) {
          if (!table[row][column].ok) {
            text << "    " << kColumnNames[column] << ":" << table[row][column].why << "\n";
          }
        }
      }
    }
    ADD_FAILURE() << "routes answered a caller as their access does not allow ('!'):\n"
                  << text.str();
  }
}

}  // namespace
}  // namespace cdp::testing
