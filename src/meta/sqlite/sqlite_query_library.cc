// The query library on SQLite: tables saved_queries, dashboards and
// dashboard_widgets (migration 0005). The tables' CHECK and foreign-key
// constraints repeat the checks made here, so a bug above the store cannot
// store what the interface refuses; the checks here give the errors a caller
// can act on.

#include "meta/sqlite/sqlite_query_library.h"

#include <fmt/format.h>

#include <set>
#include <utility>
#include <vector>

#include "meta/sqlite/sqlite_connection.h"
#include "meta/sqlite/sqlite_values.h"

namespace cdp {

namespace {

constexpr char kSavedQueryColumns[] =
    "SELECT id, workspace_id, name, kind, request, created_at, updated_at FROM saved_queries ";
// A dashboard with its widgets in one statement, so one snapshot even while
// another process updates it; a dashboard without widgets has one row of
// NULLs on the right. `{}` is the dashboards' source: the table, or a page of it.
constexpr char kDashboardRows[] =
    "SELECT d.id, d.workspace_id, d.name, d.description, d.created_at, d.updated_at, w.id, "
    "w.saved_query_id, w.title, w.x, w.y, w.w, w.h FROM {} d "
    "LEFT JOIN dashboard_widgets w ON w.workspace_id = d.workspace_id AND w.dashboard_id = d.id ";
// Both foreign keys of a widget are checked at the end of its INSERT: the
// first failure names the widget at fault.
constexpr char kInsertWidget[] =
    "INSERT INTO dashboard_widgets (workspace_id, dashboard_id, id, position, saved_query_id, "
    "title, x, y, w, h) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
// The dashboards a delete of a saved query would break, for its Conflict.
constexpr char kDashboardsShowing[] =
    "SELECT DISTINCT d.id, d.name FROM dashboard_widgets w JOIN dashboards d "
    "ON d.workspace_id = w.workspace_id AND d.id = w.dashboard_id "
    "WHERE w.workspace_id = ?1 AND w.saved_query_id = ?2 ORDER BY d.id";
// How many of them the Conflict names; the rest are counted.
constexpr size_t kMaxDashboardsNamed = 5;

// Unicode code points of valid UTF-8 (continuation bytes do not count), as
// SQLite's length() counts them.
size_t CountChars(std::string_view text) {
  size_t chars = 0;
  for (const char c : text) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return chars;
}

Status ValidateName(std::string_view name, const std::string& field) {
  const size_t chars = CountChars(name);
  if (chars < 1 || chars > kMaxLibraryNameChars) {
    return Status::BadRequest(
        fmt::format("{} must have 1 to {} characters", field, kMaxLibraryNameChars), field);
  }
  return Status::Ok();
}

Status ValidateKind(std::string_view kind) {
  if (kind.empty()) return Status::BadRequest("kind is required", "kind");
  return Status::Ok();
}

// The size bound; whether the text is a JSON object is asked of SQLite
// (IsJsonObject), the store having no JSON parser of its own.
Status ValidateRequestSize(std::string_view request) {
  if (request.size() > kMaxSavedQueryRequestBytes) {
    return Status::BadRequest(
        fmt::format("request must be at most {} bytes of JSON", kMaxSavedQueryRequestBytes),
        "request");
  }
  return Status::Ok();
}

Status ValidateIntIn(int value, int min, int max, const std::string& field) {
  if (value < min || value > max) {
    return Status::BadRequest(fmt::format("{} must be an integer from {} to {}", field, min, max),
                              field);
  }
  return Status::Ok();
}

Status ValidateWidgets(const std::vector<DashboardWidget>& widgets) {
  if (widgets.size() > kMaxDashboardWidgets) {
    return Status::BadRequest(
        fmt::format("a dashboard holds at most {} widgets", kMaxDashboardWidgets), "widgets");
  }
  std::set<std::string_view> ids;
  for (size_t i = 0; i < widgets.size(); ++i) {
    const DashboardWidget& widget = widgets[i];
    const std::string path = fmt::format("widgets[{}]", i);
    if (widget.id.empty()) return Status::BadRequest("a widget needs an id", path + ".id");
    if (!ids.insert(widget.id).second) {
      return Status::BadRequest(fmt::format("widget id {} is repeated", widget.id), path + ".id");
    }
    if (widget.saved_query_id.empty()) {
      return Status::BadRequest(path + ".saved_query_id is required", path + ".saved_query_id");
    }
    if (!widget.title.empty()) CDP_RETURN_IF_ERROR(ValidateName(widget.title, path + ".title"));
    const WidgetLayout& layout = widget.layout;
    CDP_RETURN_IF_ERROR(ValidateIntIn(layout.x, 0, kMaxWidgetCoordinate, path + ".layout.x"));
    CDP_RETURN_IF_ERROR(ValidateIntIn(layout.y, 0, kMaxWidgetCoordinate, path + ".layout.y"));
    CDP_RETURN_IF_ERROR(ValidateIntIn(layout.w, 1, kMaxWidgetExtent, path + ".layout.w"));
    CDP_RETURN_IF_ERROR(ValidateIntIn(layout.h, 1, kMaxWidgetExtent, path + ".layout.h"));
  }
  return Status::Ok();
}

Status ValidateDescription(std::string_view description) {
  if (CountChars(description) > kMaxDashboardDescriptionChars) {
    return Status::BadRequest(
        fmt::format("description must have at most {} characters", kMaxDashboardDescriptionChars),
        "description");
  }
  return Status::Ok();
}

Status ValidateLimit(int limit) {
  if (limit < 1 || limit > kMaxQueryLibraryPageSize) {
    return Status::BadRequest(
        fmt::format("limit must be between 1 and {}", kMaxQueryLibraryPageSize), "limit");
  }
  return Status::Ok();
}

// BadRequest (field "request") unless `request` is the text of a JSON object.
Status CheckJsonObject(SqliteConnection& connection, std::string_view request) {
  CDP_ASSIGN_OR_RETURN(auto select, connection.Prepare("SELECT CASE WHEN json_valid(?1) "
                                                       "THEN json_type(?1) = 'object' ELSE 0 END"));
  CDP_RETURN_IF_ERROR(select.BindText(1, request));
  CDP_ASSIGN_OR_RETURN(const bool row, select.Step());
  if (!row || select.ColumnInt64(0) == 0) {
    return Status::BadRequest("request must be a JSON object", "request");
  }
  return Status::Ok();
}

Status SavedQueryNotFound(std::string_view workspace_id, std::string_view id) {
  return Status::NotFound(
      fmt::format("saved query {} not found in workspace {}", id, workspace_id));
}

Status DashboardNotFound(std::string_view workspace_id, std::string_view id) {
  return Status::NotFound(fmt::format("dashboard {} not found in workspace {}", id, workspace_id));
}

// The errors of inserting a row with a new id into a workspace.
Status InsertError(const Status& status, std::string_view what, std::string_view workspace_id,
                   std::string_view id) {
  if (status.code() == ErrorCode::kNotFound) {  // the workspace's foreign key
    return Reword(status, fmt::format("workspace {} not found", workspace_id), "workspace_id");
  }
  if (status.code() == ErrorCode::kConflict) {
    return Reword(status, fmt::format("a {} with id {} already exists", what, id), "id");
  }
  return status;
}

// Columns in kSavedQueryColumns order.
Result<SavedQuery> ReadSavedQueryRow(const SqliteStatement& row) {
  SavedQuery query;
  query.id = row.ColumnText(0);
  query.workspace_id = row.ColumnText(1);
  query.name = row.ColumnText(2);
  query.kind = row.ColumnText(3);
  query.request = row.ColumnText(4);
  CDP_ASSIGN_OR_RETURN(query.created_at, ReadTime(row, 5, "saved_queries.created_at"));
  CDP_ASSIGN_OR_RETURN(query.updated_at, ReadTime(row, 6, "saved_queries.updated_at"));
  return query;
}

// Groups the rows of a kDashboardRows statement (ordered by dashboard, then
// widget position) into dashboards.
Result<std::vector<Dashboard>> ReadDashboardRows(SqliteStatement& select) {
  std::vector<Dashboard> dashboards;
  while (true) {
    CDP_ASSIGN_OR_RETURN(const bool row, select.Step());
    if (!row) return dashboards;
    std::string id = select.ColumnText(0);
    if (dashboards.empty() || dashboards.back().id != id) {
      Dashboard dashboard;
      dashboard.id = std::move(id);
      dashboard.workspace_id = select.ColumnText(1);
      dashboard.name = select.ColumnText(2);
      dashboard.description = select.ColumnText(3);
      CDP_ASSIGN_OR_RETURN(dashboard.created_at, ReadTime(select, 4, "dashboards.created_at"));
      CDP_ASSIGN_OR_RETURN(dashboard.updated_at, ReadTime(select, 5, "dashboards.updated_at"));
      dashboards.push_back(std::move(dashboard));
    }
    if (!select.ColumnOptionalText(6).has_value()) continue;  // no widgets
    DashboardWidget widget;
    widget.id = select.ColumnText(6);
    widget.saved_query_id = select.ColumnText(7);
    widget.title = select.ColumnText(8);
    widget.layout = {
        static_cast<int>(select.ColumnInt64(9)), static_cast<int>(select.ColumnInt64(10)),
        static_cast<int>(select.ColumnInt64(11)), static_cast<int>(select.ColumnInt64(12))};
    dashboards.back().widgets.push_back(std::move(widget));
  }
}

// Inserts the dashboard's widgets, in order. REQUIRES: the dashboard row
// exists in the open transaction, and it has no widgets there.
Status InsertWidgets(SqliteConnection& connection, const Dashboard& dashboard) {
  if (dashboard.widgets.empty()) return Status::Ok();
  CDP_ASSIGN_OR_RETURN(auto insert, connection.Prepare(kInsertWidget));
  CDP_RETURN_IF_ERROR(insert.BindText(1, dashboard.workspace_id));
  CDP_RETURN_IF_ERROR(insert.BindText(2, dashboard.id));
  for (size_t i = 0; i < dashboard.widgets.size(); ++i) {
    const DashboardWidget& widget = dashboard.widgets[i];
    insert.Reset();
    CDP_RETURN_IF_ERROR(insert.BindText(3, widget.id));
    CDP_RETURN_IF_ERROR(insert.BindInt64(4, static_cast<int64_t>(i)));
    CDP_RETURN_IF_ERROR(insert.BindText(5, widget.saved_query_id));
    CDP_RETURN_IF_ERROR(insert.BindOptionalText(6, NullIfEmpty(widget.title)));
    CDP_RETURN_IF_ERROR(insert.BindInt64(7, widget.layout.x));
    CDP_RETURN_IF_ERROR(insert.BindInt64(8, widget.layout.y));
    CDP_RETURN_IF_ERROR(insert.BindInt64(9, widget.layout.w));
    CDP_RETURN_IF_ERROR(insert.BindInt64(10, widget.layout.h));
    Status status = insert.Run();
    // The dashboard exists (REQUIRES), so a missing parent is the saved query:
    // unknown, or of another workspace.
    if (status.code() == ErrorCode::kNotFound) {
      const std::string field = fmt::format("widgets[{}].saved_query_id", i);
      return Status::BadRequest(fmt::format("saved query {} not found in workspace {}",
                                            widget.saved_query_id, dashboard.workspace_id),
                                field)
          .WithCause(status.cause());
    }
    CDP_RETURN_IF_ERROR(status);
  }
  return Status::Ok();
}

}  // namespace

SqliteQueryLibrary::SqliteQueryLibrary(std::unique_ptr<SqliteConnection> connection)
    : connection_(std::move(connection)) {}

SqliteQueryLibrary::~SqliteQueryLibrary() = default;

Status SqliteQueryLibrary::CheckWorkspaceExists(std::string_view workspace_id) {
  CDP_ASSIGN_OR_RETURN(auto select, connection_->Prepare("SELECT 1 FROM workspaces WHERE id = ?1"));
  CDP_RETURN_IF_ERROR(select.BindText(1, workspace_id));
  CDP_ASSIGN_OR_RETURN(const bool found, select.Step());
  if (!found) return Status::NotFound(fmt::format("workspace {} not found", workspace_id));
  return Status::Ok();
}

// --- Saved queries -----------------------------------------------------------

Status SqliteQueryLibrary::CreateSavedQuery(const SavedQuery& query) {
  if (query.id.empty()) return Status::BadRequest("a saved query needs an id", "id");
  CDP_RETURN_IF_ERROR(ValidateName(query.name, "name"));
  CDP_RETURN_IF_ERROR(ValidateKind(query.kind));
  CDP_RETURN_IF_ERROR(ValidateRequestSize(query.request));
  std::lock_guard lock(mutex_);
  CDP_RETURN_IF_ERROR(CheckJsonObject(*connection_, query.request));
  CDP_ASSIGN_OR_RETURN(
      auto insert,
      connection_->Prepare("INSERT INTO saved_queries (id, workspace_id, name, kind, request, "
                           "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  CDP_RETURN_IF_ERROR(insert.BindText(1, query.id));
  CDP_RETURN_IF_ERROR(insert.BindText(2, query.workspace_id));
  CDP_RETURN_IF_ERROR(insert.BindText(3, query.name));
  CDP_RETURN_IF_ERROR(insert.BindText(4, query.kind));
  CDP_RETURN_IF_ERROR(insert.BindText(5, query.request));
  CDP_RETURN_IF_ERROR(insert.BindText(6, FormatIso8601(query.created_at)));
  CDP_RETURN_IF_ERROR(insert.BindText(7, FormatIso8601(query.updated_at)));
  return InsertError(insert.Run(), "saved query", query.workspace_id, query.id);
}

Result<SavedQuery> SqliteQueryLibrary::ReadSavedQuery(std::string_view workspace_id,
                                                      std::string_view id) {
  CDP_ASSIGN_OR_RETURN(auto select, connection_->Prepare(std::string(kSavedQueryColumns) +
                                                         "WHERE workspace_id = ?1 AND id = ?2"));
  CDP_RETURN_IF_ERROR(select.BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(select.BindText(2, id));
  CDP_ASSIGN_OR_RETURN(const bool found, select.Step());
  if (!found) return SavedQueryNotFound(workspace_id, id);
  return ReadSavedQueryRow(select);
}

Result<SavedQuery> SqliteQueryLibrary::GetSavedQuery(std::string_view workspace_id,
                                                     std::string_view id) {
  std::lock_guard lock(mutex_);
  return ReadSavedQuery(workspace_id, id);
}

Result<SavedQueryPage> SqliteQueryLibrary::ListSavedQueries(std::string_view workspace_id,
                                                            std::string_view cursor, int limit) {
  CDP_RETURN_IF_ERROR(ValidateLimit(limit));
  std::lock_guard lock(mutex_);
  // Two statements rather than "?3 = '' OR id < ?3", which would keep SQLite
  // from seeking the (workspace_id, id) index to the cursor.
  std::string sql = std::string(kSavedQueryColumns) + "WHERE workspace_id = ?1 ";
  if (!cursor.empty()) sql += "AND id < ?3 ";
  sql += "ORDER BY id DESC LIMIT ?2";
  CDP_ASSIGN_OR_RETURN(auto select, connection_->Prepare(sql));
  CDP_RETURN_IF_ERROR(select.BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(select.BindInt64(2, int64_t{limit} + 1));  // one more shows a next page
  if (!cursor.empty()) CDP_RETURN_IF_ERROR(select.BindText(3, cursor));
  SavedQueryPage page;
  while (true) {
    CDP_ASSIGN_OR_RETURN(const bool row, select.Step());
    if (!row) break;
    if (page.results.size() == static_cast<size_t>(limit)) {
      page.next_cursor = page.results.back().id;
      break;
    }
    CDP_ASSIGN_OR_RETURN(auto query, ReadSavedQueryRow(select));
    page.results.push_back(std::move(query));
  }
  if (page.results.empty()) CDP_RETURN_IF_ERROR(CheckWorkspaceExists(workspace_id));
  return page;
}

Result<SavedQuery> SqliteQueryLibrary::UpdateSavedQuery(std::string_view workspace_id,
                                                        std::string_view id,
                                                        const SavedQueryChanges& changes) {
  if (changes.name) CDP_RETURN_IF_ERROR(ValidateName(*changes.name, "name"));
  if (changes.kind) CDP_RETURN_IF_ERROR(ValidateKind(*changes.kind));
  if (changes.request) CDP_RETURN_IF_ERROR(ValidateRequestSize(*changes.request));
  std::lock_guard lock(mutex_);
  if (changes.request) CDP_RETURN_IF_ERROR(CheckJsonObject(*connection_, *changes.request));
  // The update and the read-back in one transaction: the answer is what this
  // update stored, not a later writer's.
  CDP_ASSIGN_OR_RETURN(auto transaction, SqliteTransaction::Begin(*connection_));
  CDP_ASSIGN_OR_RETURN(auto update,
                       connection_->Prepare("UPDATE saved_queries SET name = coalesce(?3, name), "
                                            "kind = coalesce(?4, kind), "
                                            "request = coalesce(?5, request), updated_at = ?6 "
                                            "WHERE workspace_id = ?1 AND id = ?2"));
  CDP_RETURN_IF_ERROR(update.BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(update.BindText(2, id));
  CDP_RETURN_IF_ERROR(update.BindOptionalText(3, changes.name));
  CDP_RETURN_IF_ERROR(update.BindOptionalText(4, changes.kind));
  CDP_RETURN_IF_ERROR(update.BindOptionalText(5, changes.request));
  CDP_RETURN_IF_ERROR(update.BindText(6, FormatIso8601(changes.updated_at)));
  CDP_RETURN_IF_ERROR(update.Run());
  if (connection_->Changes() == 0) return SavedQueryNotFound(workspace_id, id);
  CDP_ASSIGN_OR_RETURN(SavedQuery query, ReadSavedQuery(workspace_id, id));
  CDP_RETURN_IF_ERROR(transaction.Commit());
  return query;
}

Status SqliteQueryLibrary::DeleteSavedQuery(std::string_view workspace_id, std::string_view id) {
  std::lock_guard lock(mutex_);
  // Holding the write lock from BEGIN, no widget can start showing the query
  // between the check and the delete.
  CDP_ASSIGN_OR_RETURN(auto transaction, SqliteTransaction::Begin(*connection_));
  CDP_ASSIGN_OR_RETURN(auto users, connection_->Prepare(kDashboardsShowing));
  CDP_RETURN_IF_ERROR(users.BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(users.BindText(2, id));
  std::string named;
  size_t dashboards = 0;
  while (true) {
    CDP_ASSIGN_OR_RETURN(const bool row, users.Step());
    if (!row) break;
    if (++dashboards > kMaxDashboardsNamed) continue;
    if (!named.empty()) named += ", ";
    named += fmt::format("'{}' ({})", users.ColumnText(1), users.ColumnText(0));
  }
  if (dashboards > 0) {
    if (dashboards > kMaxDashboardsNamed) {
      named += fmt::format(" and {} more", dashboards - kMaxDashboardsNamed);
    }
    return Status::Conflict(fmt::format("saved query {} is shown on dashboard(s) {}: remove "
                                        "those widgets before deleting it",
                                        id, named),
                            "id");
  }
  CDP_ASSIGN_OR_RETURN(auto erase, connection_->Prepare("DELETE FROM saved_queries "
                                                        "WHERE workspace_id = ?1 AND id = ?2"));
  CDP_RETURN_IF_ERROR(erase.BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(erase.BindText(2, id));
  CDP_RETURN_IF_ERROR(erase.Run());
  if (connection_->Changes() == 0) return SavedQueryNotFound(workspace_id, id);
  return transaction.Commit();
}

// --- Dashboards --------------------------------------------------------------

Status SqliteQueryLibrary::CreateDashboard(const Dashboard& dashboard) {
  if (dashboard.id.empty()) return Status::BadRequest("a dashboard needs an id", "id");
  CDP_RETURN_IF_ERROR(ValidateName(dashboard.name, "name"));
  CDP_RETURN_IF_ERROR(ValidateDescription(dashboard.description));
  CDP_RETURN_IF_ERROR(ValidateWidgets(dashboard.widgets));
  std::lock_guard lock(mutex_);
  // The dashboard and its widgets together or not at all.
  CDP_ASSIGN_OR_RETURN(auto transaction, SqliteTransaction::Begin(*connection_));
  CDP_ASSIGN_OR_RETURN(auto insert, connection_->Prepare("INSERT INTO dashboards (id, "
                                                         "workspace_id, name, description, "
                                                         "created_at, updated_at) "
                                                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  CDP_RETURN_IF_ERROR(insert.BindText(1, dashboard.id));
  CDP_RETURN_IF_ERROR(insert.BindText(2, dashboard.workspace_id));
  CDP_RETURN_IF_ERROR(insert.BindText(3, dashboard.name));
  CDP_RETURN_IF_ERROR(insert.BindText(4, dashboard.description));
  CDP_RETURN_IF_ERROR(insert.BindText(5, FormatIso8601(dashboard.created_at)));
  CDP_RETURN_IF_ERROR(insert.BindText(6, FormatIso8601(dashboard.updated_at)));
  CDP_RETURN_IF_ERROR(InsertError(insert.Run(), "dashboard", dashboard.workspace_id, dashboard.id));
  CDP_RETURN_IF_ERROR(InsertWidgets(*connection_, dashboard));
  return transaction.Commit();
}

Result<Dashboard> SqliteQueryLibrary::ReadDashboard(std::string_view workspace_id,
                                                    std::string_view id) {
  CDP_ASSIGN_OR_RETURN(auto select, connection_->Prepare(fmt::format(kDashboardRows, "dashboards") +
                                                         "WHERE d.workspace_id = ?1 AND d.id = ?2 "
                                                         "ORDER BY w.position"));
  CDP_RETURN_IF_ERROR(select.BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(select.BindText(2, id));
  CDP_ASSIGN_OR_RETURN(std::vector<Dashboard> dashboards, ReadDashboardRows(select));
  if (dashboards.empty()) return DashboardNotFound(workspace_id, id);
  return std::move(dashboards.front());
}

Result<Dashboard> SqliteQueryLibrary::GetDashboard(std::string_view workspace_id,
                                                   std::string_view id) {
  std::lock_guard lock(mutex_);
  return ReadDashboard(workspace_id, id);
}

Result<DashboardPage> SqliteQueryLibrary::ListDashboards(std::string_view workspace_id,
                                                         std::string_view cursor, int limit) {
  CDP_RETURN_IF_ERROR(ValidateLimit(limit));
  std::lock_guard lock(mutex_);
  // The page is chosen in a subquery, so the LIMIT counts dashboards, not
  // widget rows; one more than asked shows whether a next page exists.
  std::string page_sql = "(SELECT * FROM dashboards WHERE workspace_id = ?1 ";
  if (!cursor.empty()) page_sql += "AND id < ?3 ";
  page_sql += "ORDER BY id DESC LIMIT ?2)";
  CDP_ASSIGN_OR_RETURN(auto select, connection_->Prepare(fmt::format(kDashboardRows, page_sql) +
                                                         "ORDER BY d.id DESC, w.position"));
  CDP_RETURN_IF_ERROR(select.BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(select.BindInt64(2, int64_t{limit} + 1));
  if (!cursor.empty()) CDP_RETURN_IF_ERROR(select.BindText(3, cursor));
  DashboardPage page;
  CDP_ASSIGN_OR_RETURN(page.results, ReadDashboardRows(select));
  if (page.results.size() > static_cast<size_t>(limit)) {
    page.results.pop_back();
    page.next_cursor = page.results.back().id;
  }
  if (page.results.empty()) CDP_RETURN_IF_ERROR(CheckWorkspaceExists(workspace_id));
  return page;
}

Result<Dashboard> SqliteQueryLibrary::UpdateDashboard(std::string_view workspace_id,
                                                      std::string_view id,
                                                      const DashboardChanges& changes) {
  if (changes.name) CDP_RETURN_IF_ERROR(ValidateName(*changes.name, "name"));
  if (changes.description) CDP_RETURN_IF_ERROR(ValidateDescription(*changes.description));
  if (changes.widgets) CDP_RETURN_IF_ERROR(ValidateWidgets(*changes.widgets));
  std::lock_guard lock(mutex_);
  CDP_ASSIGN_OR_RETURN(auto transaction, SqliteTransaction::Begin(*connection_));
  CDP_ASSIGN_OR_RETURN(auto update,
                       connection_->Prepare("UPDATE dashboards SET name = coalesce(?3, name), "
                                            "description = coalesce(?4, description), "
                                            "updated_at = ?5 WHERE workspace_id = ?1 AND id = ?2"));
  CDP_RETURN_IF_ERROR(update.BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(update.BindText(2, id));
  CDP_RETURN_IF_ERROR(update.BindOptionalText(3, changes.name));
  CDP_RETURN_IF_ERROR(update.BindOptionalText(4, changes.description));
  CDP_RETURN_IF_ERROR(update.BindText(5, FormatIso8601(changes.updated_at)));
  CDP_RETURN_IF_ERROR(update.Run());
  if (connection_->Changes() == 0) return DashboardNotFound(workspace_id, id);
  if (changes.widgets) {
    // Replaced as a whole: positions are the list's order, and a widget id
    // may move to another position.
    CDP_ASSIGN_OR_RETURN(auto erase,
                         connection_->Prepare("DELETE FROM dashboard_widgets "
                                              "WHERE workspace_id = ?1 AND dashboard_id = ?2"));
    CDP_RETURN_IF_ERROR(erase.BindText(1, workspace_id));
    CDP_RETURN_IF_ERROR(erase.BindText(2, id));
    CDP_RETURN_IF_ERROR(erase.Run());
    Dashboard replaced;
    replaced.workspace_id = std::string(workspace_id);
    replaced.id = std::string(id);
    replaced.widgets = *changes.widgets;
    CDP_RETURN_IF_ERROR(InsertWidgets(*connection_, replaced));
  }
  CDP_ASSIGN_OR_RETURN(Dashboard dashboard, ReadDashboard(workspace_id, id));
  CDP_RETURN_IF_ERROR(transaction.Commit());
  return dashboard;
}

Status SqliteQueryLibrary::DeleteDashboard(std::string_view workspace_id, std::string_view id) {
  std::lock_guard lock(mutex_);
  // Its widgets go through their foreign key (ON DELETE CASCADE).
  CDP_ASSIGN_OR_RETURN(auto erase, connection_->Prepare("DELETE FROM dashboards "
                                                        "WHERE workspace_id = ?1 AND id = ?2"));
  CDP_RETURN_IF_ERROR(erase.BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(erase.BindText(2, id));
  CDP_RETURN_IF_ERROR(erase.Run());
  if (connection_->Changes() == 0) return DashboardNotFound(workspace_id, id);
  return Status::Ok();
}

Result<std::unique_ptr<SqliteQueryLibrary>> OpenSqliteQueryLibrary(const std::string& path) {
  CDP_ASSIGN_OR_RETURN(auto connection, SqliteConnection::Open(path));
  return std::make_unique<SqliteQueryLibrary>(std::move(connection));
}

}  // namespace cdp
