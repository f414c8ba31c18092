#include "meta/sqlite/sqlite_query_library.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>

#include "core/uuid.h"
#include "meta/sqlite/sqlite_connection.h"
#include "meta/sqlite/sqlite_migrator.h"
#include "meta/sqlite/sqlite_test_store.h"
#include "support/temp_dir.h"

namespace cdp {
namespace {

using namespace std::chrono_literals;

const TimePoint kT0 = std::chrono::sys_days{std::chrono::year{2026} / 3 / 4} + 5h + 6min + 789ms;

class SqliteQueryLibraryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    meta_ = testing::OpenMigratedSqliteMetaStore(path_);
    ASSERT_NE(meta_, nullptr);
    ASSERT_TRUE(meta_->CreateWorkspace({"w1", "demo", kT0}).ok());
    ASSERT_TRUE(meta_->CreateWorkspace({"w2", "other", kT0}).ok());
    auto library = OpenSqliteQueryLibrary(path_);
    ASSERT_TRUE(library.ok()) << library.status().ToString();
    library_ = std::move(library).value();
  }

  // A new saved query of `workspace_id` (not stored), with a fresh UUIDv7 a
  // millisecond after the previous id.
  SavedQuery Query(const std::string& workspace_id, std::string name = "Signups") {
    clock_.Advance(1ms);
    SavedQuery query;
    query.id = Uuid::NewV7(clock_).ToString();
    query.workspace_id = workspace_id;
    query.name = std::move(name);
    query.kind = "trends";
    query.request = R"({"from":"2026-03-01","to":"2026-03-08","series":[{"event":"Signed Up"}]})";
    query.created_at = clock_.Now();
    query.updated_at = clock_.Now();
    return query;
  }
  SavedQuery Saved(const std::string& workspace_id, std::string name = "Signups") {
    SavedQuery query = Query(workspace_id, std::move(name));
    const Status status = library_->CreateSavedQuery(query);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return query;
  }

  DashboardWidget Widget(const std::string& saved_query_id, std::string title = "") {
    clock_.Advance(1ms);
    return {Uuid::NewV7(clock_).ToString(), saved_query_id, std::move(title), {0, 2, 6, 4}};
  }
  Dashboard Board(const std::string& workspace_id, std::vector<DashboardWidget> widgets,
                  std::string name = "Growth") {
    clock_.Advance(1ms);
    Dashboard dashboard;
    dashboard.id = Uuid::NewV7(clock_).ToString();
    dashboard.workspace_id = workspace_id;
    dashboard.name = std::move(name);
    dashboard.description = "Weekly numbers";
    dashboard.widgets = std::move(widgets);
    dashboard.created_at = clock_.Now();
    dashboard.updated_at = clock_.Now();
    return dashboard;
  }
  Dashboard Created(const std::string& workspace_id, std::vector<DashboardWidget> widgets,
                    std::string name = "Growth") {
    Dashboard dashboard = Board(workspace_id, std::move(widgets), std::move(name));
    const Status status = library_->CreateDashboard(dashboard);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return dashboard;
  }

  template <typename T>
  static std::vector<std::string> Ids(const LibraryPage<T>& page) {
    std::vector<std::string> ids;
    for (const T& item : page.results) ids.push_back(item.id);
    return ids;
  }
  // Runs SQL on a second connection, as another process would.
  Status Exec(const std::string& sql) {
    auto connection = SqliteConnection::Open(path_);
    if (!connection.ok()) return connection.status();
    return (*connection)->Exec(sql);
  }

  testing::TempDir dir_;
  std::string path_ = dir_.File("meta.sqlite");
  ManualClock clock_{kT0};
  std::unique_ptr<SqliteMetaStore> meta_;
  std::unique_ptr<SqliteQueryLibrary> library_;
};

void ExpectBadRequest(const Status& status, std::string_view field) {
  EXPECT_EQ(status.code(), ErrorCode::kBadRequest) << status.ToString();
  EXPECT_EQ(status.field(), field) << status.ToString();
}

// --- Saved queries -----------------------------------------------------------

TEST_F(SqliteQueryLibraryTest, SavedQueryIsReadBackWithinItsWorkspaceOnly) {
  const SavedQuery query = Saved("w1");
  EXPECT_EQ(*library_->GetSavedQuery("w1", query.id), query);
  EXPECT_EQ(library_->GetSavedQuery("w2", query.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(library_->GetSavedQuery("w1", "nope").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(library_->GetSavedQuery("nope", query.id).status().code(), ErrorCode::kNotFound);
}

TEST_F(SqliteQueryLibraryTest, SavedQueryNamesNeedNotBeUnique) {
  const SavedQuery first = Saved("w1", "Signups");
  const SavedQuery second = Saved("w1", "Signups");
  EXPECT_NE(first.id, second.id);
  EXPECT_EQ(library_->ListSavedQueries("w1", "", 10)->results.size(), 2u);
}

TEST_F(SqliteQueryLibraryTest, CreateSavedQueryRefusesInvalidFields) {
  SavedQuery query = Query("w1");
  query.id = "";
  ExpectBadRequest(library_->CreateSavedQuery(query), "id");

  query = Query("w1", "");
  ExpectBadRequest(library_->CreateSavedQuery(query), "name");
  // 200 characters are allowed even when they take 400 bytes; 201 are not.
  std::string name;
  for (int i = 0; i < 200; ++i) name += "é";
  query = Query("w1", name);
  EXPECT_TRUE(library_->CreateSavedQuery(query).ok());
  query = Query("w1", name + "x");
  ExpectBadRequest(library_->CreateSavedQuery(query), "name");

  query = Query("w1");
  query.kind = "";
  ExpectBadRequest(library_->CreateSavedQuery(query), "kind");

  for (const char* request : {"", "[1,2]", "\"text\"", "{\"a\":", "42", "null"}) {
    query = Query("w1");
    query.request = request;
    ExpectBadRequest(library_->CreateSavedQuery(query), "request");
  }
  // Exactly 64 KiB of JSON is kept; one byte more is not.
  query = Query("w1");
  const std::string prefix = R"({"pad":")";
  query.request = prefix + std::string(kMaxSavedQueryRequestBytes - prefix.size() - 2, 'x') + "\"}";
  ASSERT_EQ(query.request.size(), kMaxSavedQueryRequestBytes);
  EXPECT_TRUE(library_->CreateSavedQuery(query).ok());
  query = Query("w1");
  query.request = prefix + std::string(kMaxSavedQueryRequestBytes - prefix.size() - 1, 'x') + "\"}";
  ExpectBadRequest(library_->CreateSavedQuery(query), "request");
}

TEST_F(SqliteQueryLibraryTest, CreateSavedQueryNeedsAWorkspaceAndAFreshId) {
  const Status missing = library_->CreateSavedQuery(Query("nope"));
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.field(), "workspace_id");

  const SavedQuery query = Saved("w1");
  SavedQuery again = Query("w2");
  again.id = query.id;
  const Status taken = library_->CreateSavedQuery(again);
  EXPECT_EQ(taken.code(), ErrorCode::kConflict);
  EXPECT_EQ(taken.field(), "id");
  EXPECT_EQ(*library_->GetSavedQuery("w1", query.id), query);
}

TEST_F(SqliteQueryLibraryTest, ListsSavedQueriesNewestFirstPageByPage) {
  std::vector<std::string> expected;
  for (int i = 0; i < 5; ++i) {
    expected.insert(expected.begin(), Saved("w1", fmt::format("q{}", i)).id);
    Saved("w2");  // interleaved, never listed for w1
  }
  auto first = library_->ListSavedQueries("w1", "", 2);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(Ids(*first), (std::vector<std::string>{expected[0], expected[1]}));
  EXPECT_EQ(first->results[0].name, "q4");
  EXPECT_EQ(first->next_cursor, expected[1]);
  auto second = library_->ListSavedQueries("w1", first->next_cursor, 2);
  EXPECT_EQ(Ids(*second), (std::vector<std::string>{expected[2], expected[3]}));
  auto last = library_->ListSavedQueries("w1", second->next_cursor, 2);
  EXPECT_EQ(Ids(*last), (std::vector<std::string>{expected[4]}));
  EXPECT_EQ(last->next_cursor, "");
  // A page that ends exactly at the last one has no next page.
  EXPECT_EQ(library_->ListSavedQueries("w1", "", 5)->next_cursor, "");
  EXPECT_EQ(Ids(*library_->ListSavedQueries("w1", "", 1000)), expected);

  ExpectBadRequest(library_->ListSavedQueries("w1", "", 0).status(), "limit");
  ExpectBadRequest(library_->ListSavedQueries("w1", "", kMaxQueryLibraryPageSize + 1).status(),
                   "limit");
  EXPECT_EQ(library_->ListSavedQueries("nope", "", 10).status().code(), ErrorCode::kNotFound);
  ASSERT_TRUE(meta_->CreateWorkspace({"w3", "empty", kT0}).ok());
  EXPECT_TRUE(library_->ListSavedQueries("w3", "", 10)->results.empty());
}

TEST_F(SqliteQueryLibraryTest, UpdateChangesOnlyTheGivenFields) {
  SavedQuery query = Saved("w1");
  SavedQueryChanges changes;
  changes.name = "Renamed";
  changes.updated_at = kT0 + 1h;
  auto renamed = library_->UpdateSavedQuery("w1", query.id, changes);
  ASSERT_TRUE(renamed.ok()) << renamed.status().ToString();
  query.name = "Renamed";
  query.updated_at = kT0 + 1h;
  EXPECT_EQ(*renamed, query);  // kind, request and created_at kept
  EXPECT_EQ(*library_->GetSavedQuery("w1", query.id), query);

  changes = {};
  changes.kind = "funnel";
  changes.request = R"({"steps":[]})";
  changes.updated_at = kT0 + 2h;
  auto changed = library_->UpdateSavedQuery("w1", query.id, changes);
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->name, "Renamed");
  EXPECT_EQ(changed->kind, "funnel");
  EXPECT_EQ(changed->request, R"({"steps":[]})");
  EXPECT_EQ(changed->created_at, query.created_at);
  EXPECT_EQ(changed->updated_at, kT0 + 2h);
}

TEST_F(SqliteQueryLibraryTest, UpdateIsScopedAndValidatedAndChangesNothingOnError) {
  const SavedQuery query = Saved("w1");
  SavedQueryChanges changes;
  changes.name = "Stolen";
  changes.updated_at = kT0 + 1h;
  EXPECT_EQ(library_->UpdateSavedQuery("w2", query.id, changes).status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(library_->UpdateSavedQuery("w1", "nope", changes).status().code(),
            ErrorCode::kNotFound);

  changes.name = "";
  ExpectBadRequest(library_->UpdateSavedQuery("w1", query.id, changes).status(), "name");
  changes.name.reset();
  changes.kind = "";
  ExpectBadRequest(library_->UpdateSavedQuery("w1", query.id, changes).status(), "kind");
  changes.kind.reset();
  changes.request = "[]";
  ExpectBadRequest(library_->UpdateSavedQuery("w1", query.id, changes).status(), "request");
  EXPECT_EQ(*library_->GetSavedQuery("w1", query.id), query);
}

TEST_F(SqliteQueryLibraryTest, DeleteSavedQueryIsScoped) {
  const SavedQuery query = Saved("w1");
  EXPECT_EQ(library_->DeleteSavedQuery("w2", query.id).code(), ErrorCode::kNotFound);
  EXPECT_TRUE(library_->GetSavedQuery("w1", query.id).ok());
  EXPECT_TRUE(library_->DeleteSavedQuery("w1", query.id).ok());
  EXPECT_EQ(library_->GetSavedQuery("w1", query.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(library_->DeleteSavedQuery("w1", query.id).code(), ErrorCode::kNotFound);
}

TEST_F(SqliteQueryLibraryTest, ASavedQueryShownOnADashboardCannotBeDeleted) {
  const SavedQuery query = Saved("w1");
  const SavedQuery unused = Saved("w1");
  Dashboard growth = Created("w1", {Widget(query.id), Widget(unused.id), Widget(query.id)});
  const Dashboard kpis = Created("w1", {Widget(query.id)}, "KPIs");

  const Status refused = library_->DeleteSavedQuery("w1", query.id);
  EXPECT_EQ(refused.code(), ErrorCode::kConflict);
  EXPECT_EQ(refused.field(), "id");
  // Each dashboard is named once, by name and id.
  EXPECT_EQ(refused.message(),
            fmt::format("saved query {} is shown on dashboard(s) 'Growth' ({}), 'KPIs' ({}): "
                        "remove those widgets before deleting it",
                        query.id, growth.id, kpis.id));
  EXPECT_TRUE(library_->GetSavedQuery("w1", query.id).ok());

  // Once no widget shows it, it goes.
  ASSERT_TRUE(library_->DeleteDashboard("w1", kpis.id).ok());
  DashboardChanges changes;
  changes.widgets = std::vector<DashboardWidget>{growth.widgets[1]};
  changes.updated_at = kT0 + 1h;
  ASSERT_TRUE(library_->UpdateDashboard("w1", growth.id, changes).ok());
  EXPECT_TRUE(library_->DeleteSavedQuery("w1", query.id).ok());
  EXPECT_EQ(library_->DeleteSavedQuery("w1", unused.id).code(), ErrorCode::kConflict);
}

TEST_F(SqliteQueryLibraryTest, TheConflictNamesAFewDashboardsAndCountsTheRest) {
  const SavedQuery query = Saved("w1");
  for (int i = 0; i < 7; ++i) Created("w1", {Widget(query.id)}, fmt::format("d{}", i));
  const Status refused = library_->DeleteSavedQuery("w1", query.id);
  EXPECT_EQ(refused.code(), ErrorCode::kConflict);
  EXPECT_NE(refused.message().find("'d4'"), std::string::npos) << refused.message();
  EXPECT_EQ(refused.message().find("'d5'"), std::string::npos) << refused.message();
  EXPECT_NE(refused.message().find(" and 2 more:"), std::string::npos) << refused.message();
}

// --- Dashboards --------------------------------------------------------------

TEST_F(SqliteQueryLibraryTest, DashboardIsReadBackWithItsWidgetsInOrder) {
  const SavedQuery a = Saved("w1");
  const SavedQuery b = Saved("w1");
  Dashboard dashboard =
      Board("w1", {Widget(b.id, "Second query first"), Widget(a.id), Widget(b.id, "Again")});
  dashboard.widgets[1].layout = {6, 0, 3, 2};
  ASSERT_TRUE(library_->CreateDashboard(dashboard).ok());
  EXPECT_EQ(*library_->GetDashboard("w1", dashboard.id), dashboard);
  EXPECT_EQ(library_->GetDashboard("w2", dashboard.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(library_->GetDashboard("w1", "nope").status().code(), ErrorCode::kNotFound);

  const Dashboard empty = Created("w1", {}, "Empty");
  EXPECT_EQ(*library_->GetDashboard("w1", empty.id), empty);
}

TEST_F(SqliteQueryLibraryTest, ListsDashboardsNewestFirstCountingDashboardsNotWidgets) {
  const SavedQuery query = Saved("w1");
  std::vector<Dashboard> expected;
  for (int i = 0; i < 4; ++i) {
    std::vector<DashboardWidget> widgets;
    for (int j = 0; j < i; ++j) widgets.push_back(Widget(query.id));
    expected.insert(expected.begin(), Created("w1", widgets, fmt::format("d{}", i)));
  }
  Created("w2", {});
  auto first = library_->ListDashboards("w1", "", 2);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->results, (std::vector<Dashboard>{expected[0], expected[1]}));
  EXPECT_EQ(first->next_cursor, expected[1].id);
  auto second = library_->ListDashboards("w1", first->next_cursor, 2);
  EXPECT_EQ(second->results, (std::vector<Dashboard>{expected[2], expected[3]}));
  EXPECT_EQ(second->next_cursor, "");
  EXPECT_EQ(library_->ListDashboards("w1", "", 1000)->results, expected);

  ExpectBadRequest(library_->ListDashboards("w1", "", 0).status(), "limit");
  EXPECT_EQ(library_->ListDashboards("nope", "", 10).status().code(), ErrorCode::kNotFound);
}

TEST_F(SqliteQueryLibraryTest, AWidgetShowsOnlyASavedQueryOfItsWorkspace) {
  const SavedQuery mine = Saved("w1");
  const SavedQuery theirs = Saved("w2");
  const Dashboard dashboard = Board("w1", {Widget(mine.id), Widget(theirs.id)});
  const Status refused = library_->CreateDashboard(dashboard);
  ExpectBadRequest(refused, "widgets[1].saved_query_id");
  // Nothing of the dashboard was kept.
  EXPECT_EQ(library_->GetDashboard("w1", dashboard.id).status().code(), ErrorCode::kNotFound);
  ExpectBadRequest(library_->CreateDashboard(Board("w1", {Widget("nope")})),
                   "widgets[0].saved_query_id");
}

TEST_F(SqliteQueryLibraryTest, CreateDashboardRefusesInvalidFields) {
  const SavedQuery query = Saved("w1");
  Dashboard dashboard = Board("w1", {});
  dashboard.id = "";
  ExpectBadRequest(library_->CreateDashboard(dashboard), "id");
  ExpectBadRequest(library_->CreateDashboard(Board("w1", {}, "")), "name");
  ExpectBadRequest(library_->CreateDashboard(Board("w1", {}, std::string(201, 'n'))), "name");
  dashboard = Board("w1", {});
  dashboard.description = std::string(kMaxDashboardDescriptionChars + 1, 'd');
  ExpectBadRequest(library_->CreateDashboard(dashboard), "description");
  dashboard.description = std::string(kMaxDashboardDescriptionChars, 'd');
  EXPECT_TRUE(library_->CreateDashboard(dashboard).ok());

  std::vector<DashboardWidget> many(kMaxDashboardWidgets + 1, Widget(query.id));
  for (size_t i = 0; i < many.size(); ++i) many[i].id = fmt::format("w{}", i);
  ExpectBadRequest(library_->CreateDashboard(Board("w1", many)), "widgets");
  many.pop_back();
  EXPECT_TRUE(library_->CreateDashboard(Board("w1", many)).ok());  // exactly the maximum

  DashboardWidget widget = Widget(query.id);
  const DashboardWidget twin = widget;
  ExpectBadRequest(library_->CreateDashboard(Board("w1", {Widget(query.id), widget, twin})),
                   "widgets[2].id");
  widget.id = "";
  ExpectBadRequest(library_->CreateDashboard(Board("w1", {widget})), "widgets[0].id");
  widget = Widget("");
  ExpectBadRequest(library_->CreateDashboard(Board("w1", {widget})), "widgets[0].saved_query_id");
  widget = Widget(query.id, std::string(201, 't'));
  ExpectBadRequest(library_->CreateDashboard(Board("w1", {widget})), "widgets[0].title");

  struct BadLayout {
    WidgetLayout layout;
    const char* field;
  };
  for (const BadLayout& bad : {BadLayout{{-1, 0, 1, 1}, "widgets[0].layout.x"},
                               BadLayout{{1001, 0, 1, 1}, "widgets[0].layout.x"},
                               BadLayout{{0, -1, 1, 1}, "widgets[0].layout.y"},
                               BadLayout{{0, 1001, 1, 1}, "widgets[0].layout.y"},
                               BadLayout{{0, 0, 0, 1}, "widgets[0].layout.w"},
                               BadLayout{{0, 0, 101, 1}, "widgets[0].layout.w"},
                               BadLayout{{0, 0, 1, 0}, "widgets[0].layout.h"},
                               BadLayout{{0, 0, 1, 101}, "widgets[0].layout.h"}}) {
    widget = Widget(query.id);
    widget.layout = bad.layout;
    ExpectBadRequest(library_->CreateDashboard(Board("w1", {widget})), bad.field);
  }
  widget = Widget(query.id);
  widget.layout = {1000, 1000, 100, 100};  // the bounds themselves are fine
  EXPECT_TRUE(library_->CreateDashboard(Board("w1", {widget})).ok());
}

TEST_F(SqliteQueryLibraryTest, CreateDashboardNeedsAWorkspaceAndAFreshId) {
  const Status missing = library_->CreateDashboard(Board("nope", {}));
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.field(), "workspace_id");
  const Dashboard dashboard = Created("w1", {});
  Dashboard again = Board("w2", {});
  again.id = dashboard.id;
  const Status taken = library_->CreateDashboard(again);
  EXPECT_EQ(taken.code(), ErrorCode::kConflict);
  EXPECT_EQ(taken.field(), "id");
}

TEST_F(SqliteQueryLibraryTest, UpdateDashboardChangesOnlyTheGivenFields) {
  const SavedQuery a = Saved("w1");
  const SavedQuery b = Saved("w1");
  Dashboard dashboard = Created("w1", {Widget(a.id), Widget(b.id)});

  DashboardChanges changes;
  changes.description = "";
  changes.updated_at = kT0 + 1h;
  auto cleared = library_->UpdateDashboard("w1", dashboard.id, changes);
  ASSERT_TRUE(cleared.ok()) << cleared.status().ToString();
  dashboard.description = "";
  dashboard.updated_at = kT0 + 1h;
  EXPECT_EQ(*cleared, dashboard);  // name, widgets and created_at kept

  // Widgets are replaced as a whole: reordered, one kept with its id, one new.
  changes = {};
  changes.name = "Renamed";
  DashboardWidget moved = dashboard.widgets[1];
  moved.layout = {3, 3, 3, 3};
  changes.widgets = std::vector<DashboardWidget>{moved, Widget(a.id, "New")};
  changes.updated_at = kT0 + 2h;
  auto replaced = library_->UpdateDashboard("w1", dashboard.id, changes);
  ASSERT_TRUE(replaced.ok()) << replaced.status().ToString();
  dashboard.name = "Renamed";
  dashboard.widgets = *changes.widgets;
  dashboard.updated_at = kT0 + 2h;
  EXPECT_EQ(*replaced, dashboard);
  EXPECT_EQ(*library_->GetDashboard("w1", dashboard.id), dashboard);

  changes = {};
  changes.widgets = std::vector<DashboardWidget>{};
  changes.updated_at = kT0 + 3h;
  EXPECT_TRUE(library_->UpdateDashboard("w1", dashboard.id, changes)->widgets.empty());
}

TEST_F(SqliteQueryLibraryTest, UpdateDashboardIsScopedAndAtomic) {
  const SavedQuery mine = Saved("w1");
  const SavedQuery theirs = Saved("w2");
  const Dashboard dashboard = Created("w1", {Widget(mine.id)});
  DashboardChanges changes;
  changes.name = "Stolen";
  changes.updated_at = kT0 + 1h;
  EXPECT_EQ(library_->UpdateDashboard("w2", dashboard.id, changes).status().code(),
            ErrorCode::kNotFound);

  // A bad widget leaves the name and the old widgets in place.
  changes.name = "Renamed";
  changes.widgets = std::vector<DashboardWidget>{Widget(mine.id), Widget(theirs.id)};
  ExpectBadRequest(library_->UpdateDashboard("w1", dashboard.id, changes).status(),
                   "widgets[1].saved_query_id");
  changes.widgets = std::vector<DashboardWidget>{Widget(mine.id, std::string(201, 't'))};
  ExpectBadRequest(library_->UpdateDashboard("w1", dashboard.id, changes).status(),
                   "widgets[0].title");
  changes.widgets.reset();
  changes.name = "";
  ExpectBadRequest(library_->UpdateDashboard("w1", dashboard.id, changes).status(), "name");
  EXPECT_EQ(*library_->GetDashboard("w1", dashboard.id), dashboard);
}

TEST_F(SqliteQueryLibraryTest, DeleteDashboardTakesItsWidgetsAndLeavesTheQueries) {
  const SavedQuery query = Saved("w1");
  const Dashboard dashboard = Created("w1", {Widget(query.id), Widget(query.id)});
  EXPECT_EQ(library_->DeleteDashboard("w2", dashboard.id).code(), ErrorCode::kNotFound);
  ASSERT_TRUE(library_->DeleteDashboard("w1", dashboard.id).ok());
  EXPECT_EQ(library_->GetDashboard("w1", dashboard.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(library_->DeleteDashboard("w1", dashboard.id).code(), ErrorCode::kNotFound);
  EXPECT_TRUE(library_->DeleteSavedQuery("w1", query.id).ok());  // no widget left showing it
}

// A workspace's deletion (an operator's SQL today) takes its library with it,
// although widgets refuse the deletion of the queries they show on their own.
TEST_F(SqliteQueryLibraryTest, DeletingAWorkspaceTakesItsLibrary) {
  const SavedQuery query = Saved("w1");
  const Dashboard dashboard = Created("w1", {Widget(query.id)});
  const SavedQuery kept = Saved("w2");
  ASSERT_TRUE(Exec("DELETE FROM workspaces WHERE id = 'w1'").ok());
  EXPECT_EQ(library_->GetSavedQuery("w1", query.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(library_->GetDashboard("w1", dashboard.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(*library_->GetSavedQuery("w2", kept.id), kept);
}

// The tables refuse what the store refuses, for writers that bypass it.
TEST_F(SqliteQueryLibraryTest, TheTablesHoldTheirOwnConstraints) {
  const SavedQuery mine = Saved("w1");
  const SavedQuery theirs = Saved("w2");
  const Dashboard dashboard = Created("w1", {Widget(mine.id)});
  const std::string insert_query =
      "INSERT INTO saved_queries (id, workspace_id, name, kind, request, created_at, updated_at) "
      "VALUES ('q', 'w1', 'n', 'trends', '{}', 't', 't')";
  EXPECT_TRUE(Exec(insert_query).ok());
  for (const char* request : {"'[]'", "'{'", "''"}) {
    EXPECT_FALSE(
        Exec(fmt::format("UPDATE saved_queries SET request = {} WHERE id = 'q'", request)).ok())
        << request;
  }
  EXPECT_FALSE(Exec("UPDATE saved_queries SET name = '' WHERE id = 'q'").ok());
  EXPECT_FALSE(Exec("UPDATE saved_queries SET kind = '' WHERE id = 'q'").ok());
  EXPECT_FALSE(Exec(fmt::format("DELETE FROM saved_queries WHERE id = '{}'", mine.id)).ok());

  static constexpr char kWidget[] =
      "INSERT INTO dashboard_widgets (workspace_id, dashboard_id, id, position, saved_query_id, "
      "x, y, w, h) VALUES ('w1', '{}', '{}', {}, '{}', {}, 0, 1, 1)";
  EXPECT_TRUE(Exec(fmt::format(kWidget, dashboard.id, "x1", 1, mine.id, 0)).ok());
  EXPECT_FALSE(Exec(fmt::format(kWidget, dashboard.id, "x2", 2, theirs.id, 0)).ok());
  EXPECT_FALSE(Exec(fmt::format(kWidget, dashboard.id, "x3", 1, mine.id, 0)).ok());  // position
  EXPECT_FALSE(Exec(fmt::format(kWidget, dashboard.id, "x4", 3, mine.id, 1001)).ok());
}

// --- Migration 0005 ----------------------------------------------------------

TEST_F(SqliteQueryLibraryTest, MigrationGoesDownAndUpAlone) {
  const SavedQuery query = Saved("w1");
  Created("w1", {Widget(query.id)});
  library_.reset();
  meta_.reset();
  auto migrator = OpenSqliteMigrator(path_);
  ASSERT_TRUE(migrator.ok());
  const int latest = (*migrator)->LatestVersion();
  ASSERT_GE(latest, 5);
  // Revert down to version 4, whatever came after 0005.
  ASSERT_TRUE((*migrator)->Down(latest - 4).ok());
  EXPECT_EQ(*(*migrator)->CurrentVersion(), 4);
  for (const char* table : {"saved_queries", "dashboards", "dashboard_widgets"}) {
    EXPECT_FALSE(Exec(fmt::format("SELECT 1 FROM {}", table)).ok()) << table;
  }
  EXPECT_TRUE(Exec("SELECT 1 FROM workspaces WHERE id = 'w1'").ok());

  ASSERT_TRUE((*migrator)->Up().ok());
  EXPECT_TRUE((*migrator)->CheckCurrent().ok());
  auto library = OpenSqliteQueryLibrary(path_);
  ASSERT_TRUE(library.ok());
  // The workspaces survived; their library went with the tables.
  auto page = (*library)->ListSavedQueries("w1", "", 10);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_TRUE(page->results.empty());
  EXPECT_TRUE((*library)->CreateSavedQuery(Query("w1")).ok());
}

}  // namespace
}  // namespace cdp
