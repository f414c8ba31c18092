#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/result.h"
#include "meta/query_library.h"

namespace cdp {

class SqliteConnection;

// QueryLibrary on the SQLite metadata database: tables saved_queries,
// dashboards and dashboard_widgets (migration 0005).
//
// It holds its own connection to the metadata file, beside SqliteMetaStore's:
// the library's calls (a few per dashboard view) then never queue behind the
// ingestion path's key and schema checks, and SQLite's WAL lets both read at
// once while writes serialize on the database's write lock (BEGIN IMMEDIATE,
// with the connection's busy timeout).
// Thread safety: as the interface; one call at a time on the connection.
class SqliteQueryLibrary final : public QueryLibrary {
 public:
  // Use OpenSqliteQueryLibrary(); this is for callers holding a connection.
  explicit SqliteQueryLibrary(std::unique_ptr<SqliteConnection> connection);
  ~SqliteQueryLibrary() override;

  Status CreateSavedQuery(const SavedQuery& query) override;
  Result<SavedQuery> GetSavedQuery(std::string_view workspace_id, std::string_view id) override;
  Result<SavedQueryPage> ListSavedQueries(std::string_view workspace_id, std::string_view cursor,
                                          int limit) override;
  Result<SavedQuery> UpdateSavedQuery(std::string_view workspace_id, std::string_view id,
                                      const SavedQueryChanges& changes) override;
  Status DeleteSavedQuery(std::string_view workspace_id, std::string_view id) override;

  Status CreateDashboard(const Dashboard& dashboard) override;
  Result<Dashboard> GetDashboard(std::string_view workspace_id, std::string_view id) override;
  Result<DashboardPage> ListDashboards(std::string_view workspace_id, std::string_view cursor,
                                       int limit) override;
  Result<Dashboard> UpdateDashboard(std::string_view workspace_id, std::string_view id,
                                    const DashboardChanges& changes) override;
  Status DeleteDashboard(std::string_view workspace_id, std::string_view id) override;

 private:
  // The helpers below REQUIRE mutex_ held.
  Status CheckWorkspaceExists(std::string_view workspace_id);
  Result<SavedQuery> ReadSavedQuery(std::string_view workspace_id, std::string_view id);
  Result<Dashboard> ReadDashboard(std::string_view workspace_id, std::string_view id);

  std::mutex mutex_;
  std::unique_ptr<SqliteConnection> connection_;  // guarded by mutex_
};

// Opens (creating it and its parent directory if missing) the SQLite metadata
// database at `path` for the query library. It does not migrate: see
// OpenSqliteMetaStore.
Result<std::unique_ptr<SqliteQueryLibrary>> OpenSqliteQueryLibrary(const std::string& path);

}  // namespace cdp
