#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace cdp {

// Bounds of the query library, shared by its backends and the API. Lengths
// in characters are counted in Unicode code points (SQLite's length()).
inline constexpr size_t kMaxLibraryNameChars = 200;  // names and widget titles
inline constexpr size_t kMaxDashboardDescriptionChars = 2000;
inline constexpr size_t kMaxSavedQueryRequestBytes = 64 * 1024;  // the stored JSON text
inline constexpr size_t kMaxDashboardWidgets = 100;
// A widget's place on the dashboard's grid: x and y from 0 to
// kMaxWidgetCoordinate, w and h from 1 to kMaxWidgetExtent.
inline constexpr int kMaxWidgetCoordinate = 1000;
inline constexpr int kMaxWidgetExtent = 100;
// List calls return at most this many per page.
inline constexpr int kMaxQueryLibraryPageSize = 1000;

// A query kept under a name, to run again or to show on dashboards. Names
// need not be unique: as in PostHog, two "Signups" may coexist (ids tell them
// apart), and a copy never fails for its name.
struct SavedQuery {
  std::string id;  // UUIDv7, lower-case canonical form: ids sort in creation order
  std::string workspace_id;
  std::string name;  // 1 to kMaxLibraryNameChars characters
  // The analysis, as the query API names it ("funnel", "trends"...). The
  // store keeps any non-empty name: the API checks it against the kinds it
  // knows, so a new kind needs no migration.
  std::string kind;
  // The analysis's request body: the text of one JSON object, at most
  // kMaxSavedQueryRequestBytes. It is validated by its analysis when it runs,
  // not when saved (a query stays savable while its data is absent).
  std::string request;
  TimePoint created_at;
  TimePoint updated_at;

  friend bool operator==(const SavedQuery&, const SavedQuery&) = default;
};

// What UpdateSavedQuery changes: each field given replaces the stored one,
// each nullopt keeps it.
struct SavedQueryChanges {
  std::optional<std::string> name;
  std::optional<std::string> kind;
  std::optional<std::string> request;
  TimePoint updated_at;
};

// Where a widget sits on the dashboard's grid (bounds above).
struct WidgetLayout {
  int x = 0;
  int y = 0;
  int w = 1;
  int h = 1;

  friend bool operator==(const WidgetLayout&, const WidgetLayout&) = default;
};

// One tile of a dashboard: a saved query of the dashboard's workspace, shown
// with an optional title.
struct DashboardWidget {
  std::string id;  // unique within its dashboard; UUIDv7 from the API
  std::string saved_query_id;
  // Empty: none (a UI shows the query's name); else at most kMaxLibraryNameChars.
  std::string title;
  WidgetLayout layout;

  friend bool operator==(const DashboardWidget&, const DashboardWidget&) = default;
};

struct Dashboard {
  std::string id;  // UUIDv7
  std::string workspace_id;
  std::string name;         // 1 to kMaxLibraryNameChars characters; need not be unique
  std::string description;  // at most kMaxDashboardDescriptionChars; may be empty
  // In the order given (a UI lays them out by their layout); at most
  // kMaxDashboardWidgets.
  std::vector<DashboardWidget> widgets;
  TimePoint created_at;
  TimePoint updated_at;

  friend bool operator==(const Dashboard&, const Dashboard&) = default;
};

// What UpdateDashboard changes: each field given replaces the stored one,
// each nullopt keeps it. Given widgets replace the whole list.
struct DashboardChanges {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::vector<DashboardWidget>> widgets;
  TimePoint updated_at;
};

// One page of a listing, newest (highest id) first.
template <typename T>
struct LibraryPage {
  std::vector<T> results;
  // Pass to the list call for the next page; empty on the last page.
  std::string next_cursor;
};
using SavedQueryPage = LibraryPage<SavedQuery>;
using DashboardPage = LibraryPage<Dashboard>;

// Saved queries and the dashboards built from them. Part of the metadata
// store (SQLite: SqliteQueryLibrary). Every call is scoped to one workspace:
// an id of another workspace is NotFound there, exactly as an unknown id, and
// a widget can only show a saved query of its dashboard's workspace.
//
// A saved query used by a dashboard cannot be deleted (Conflict naming the
// dashboards): removing a tile from someone's dashboard behind their back is
// worse than asking the caller to do it first.
//
// Validation errors name the field as the HTTP API spells it ("name",
// "widgets[2].layout.w", "widgets[0].saved_query_id"), so that they can be
// answered as they are.
//
// Thread safety: all methods are safe to call concurrently from any thread.
// Times are kept to the millisecond, as MetaStore's.
// Errors: BadRequest, NotFound and Conflict as documented per method;
// Unavailable when the database is busy or unreachable; Internal otherwise.
class QueryLibrary {
 public:
  QueryLibrary() = default;
  QueryLibrary(const QueryLibrary&) = delete;
  QueryLibrary& operator=(const QueryLibrary&) = delete;
  virtual ~QueryLibrary() = default;

  // BadRequest (field "id", "name", "kind" or "request") for a value outside
  // the bounds SavedQuery documents; NotFound (field "workspace_id") when the
  // workspace does not exist; Conflict (field "id") when the id is taken.
  virtual Status CreateSavedQuery(const SavedQuery& query) = 0;
  // NotFound when the workspace has no saved query of that id.
  virtual Result<SavedQuery> GetSavedQuery(std::string_view workspace_id, std::string_view id) = 0;
  // Up to `limit` saved queries after `cursor` (empty for the first page, or
  // a previous page's next_cursor), newest first. BadRequest (field "limit")
  // unless 1 <= limit <= kMaxQueryLibraryPageSize; NotFound when the
  // workspace does not exist.
  virtual Result<SavedQueryPage> ListSavedQueries(std::string_view workspace_id,
                                                  std::string_view cursor, int limit) = 0;
  // Applies `changes` atomically and returns the saved query as stored.
  // BadRequest as CreateSavedQuery for a changed field; NotFound when the
  // workspace has no saved query of that id.
  virtual Result<SavedQuery> UpdateSavedQuery(std::string_view workspace_id, std::string_view id,
                                              const SavedQueryChanges& changes) = 0;
  // NotFound when the workspace has no saved query of that id; Conflict
  // (field "id") naming the dashboards whose widgets show it.
  virtual Status DeleteSavedQuery(std::string_view workspace_id, std::string_view id) = 0;

  // BadRequest (field "id", "name", "description", "widgets", or
  // "widgets[i].id", "widgets[i].title", "widgets[i].layout.x" ...) for a
  // value outside the bounds Dashboard documents or a widget id repeated;
  // BadRequest (field "widgets[i].saved_query_id") when the workspace has no
  // saved query of that id; NotFound (field "workspace_id") when the
  // workspace does not exist; Conflict (field "id") when the id is taken.
  virtual Status CreateDashboard(const Dashboard& dashboard) = 0;
  // NotFound when the workspace has no dashboard of that id.
  virtual Result<Dashboard> GetDashboard(std::string_view workspace_id, std::string_view id) = 0;
  // As ListSavedQueries, with every dashboard's widgets.
  virtual Result<DashboardPage> ListDashboards(std::string_view workspace_id,
                                               std::string_view cursor, int limit) = 0;
  // Applies `changes` atomically and returns the dashboard as stored.
  // BadRequest as CreateDashboard for a changed field; NotFound when the
  // workspace has no dashboard of that id.
  virtual Result<Dashboard> UpdateDashboard(std::string_view workspace_id, std::string_view id,
                                            const DashboardChanges& changes) = 0;
  // Deletes the dashboard and its widgets (the saved queries stay). NotFound
  // when the workspace has no dashboard of that id.
  virtual Status DeleteDashboard(std::string_view workspace_id, std::string_view id) = 0;
};

}  // namespace cdp
