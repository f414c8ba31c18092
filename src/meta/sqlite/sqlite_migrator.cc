#include "meta/sqlite/sqlite_migrator.h"

#include <fmt/format.h>

#include "core/iso8601.h"
#include "meta/sqlite/embedded_migrations.h"
#include "meta/sqlite/sqlite_connection.h"

namespace cdp {

namespace {

constexpr char kCreateHistoryTable[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";

// The SQLite primitives under SchemaMigrator's policy. Each step runs in a
// BEGIN IMMEDIATE transaction: SQLite's DDL is transactional, so a failed
// step leaves no trace. (A future step that must rebuild a table with foreign
// keys off will need to run that pragma outside the transaction.)
class SqliteMigrator final : public SchemaMigrator {
 public:
  SqliteMigrator(std::unique_ptr<SqliteConnection> connection, std::vector<Migration> migrations,
                 const Clock& clock)
      : SchemaMigrator(std::move(migrations), clock), connection_(std::move(connection)) {}

 protected:
  Result<std::vector<AppliedMigration>> ReadHistory() override;
  Status ApplyStep(const Migration& migration, TimePoint applied_at) override;
  Status RevertStep(const Migration& migration) override;
  std::string DatabaseName() const override { return connection_->path(); }

 private:
  // Explains a step that another process ran or reverted meanwhile.
  Status RaceError(const Migration& migration, std::string_view what, const Status& cause) const;

  std::unique_ptr<SqliteConnection> connection_;
};

Result<std::vector<AppliedMigration>> SqliteMigrator::ReadHistory() {
  CDP_ASSIGN_OR_RETURN(auto exists,
                       connection_->Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                            "AND name = 'schema_migrations'"));
  CDP_ASSIGN_OR_RETURN(bool has_table, exists.Step());
  std::vector<AppliedMigration> history;
  if (!has_table) return history;

  CDP_ASSIGN_OR_RETURN(auto select, connection_->Prepare("SELECT version, name, applied_at FROM "
                                                         "schema_migrations ORDER BY version"));
  while (true) {
    CDP_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    const std::string applied_at_text = select.ColumnText(2);
    Result<TimePoint> applied_at = ParseIso8601(applied_at_text);
    if (!applied_at.ok()) {
      return Status::Internal(fmt::format("{}: schema_migrations.applied_at is not a time: '{}'",
                                          DatabaseName(), applied_at_text));
    }
    history.push_back({static_cast<int>(select.ColumnInt64(0)), select.ColumnText(1), *applied_at});
  }
  return history;
}

Status SqliteMigrator::ApplyStep(const Migration& migration, TimePoint applied_at) {
  CDP_ASSIGN_OR_RETURN(auto transaction, SqliteTransaction::Begin(*connection_));
  CDP_RETURN_IF_ERROR(connection_->Exec(kCreateHistoryTable));
  // Recording first makes a concurrent `cdp migrate up` fail here, on the
  // primary key, before it runs any of the step's SQL.
  CDP_ASSIGN_OR_RETURN(auto insert,
                       connection_->Prepare("INSERT INTO schema_migrations (version, name, "
                                            "applied_at) VALUES (?1, ?2, ?3)"));
  CDP_RETURN_IF_ERROR(insert.BindInt64(1, migration.version));
  CDP_RETURN_IF_ERROR(insert.BindText(2, migration.name));
  CDP_RETURN_IF_ERROR(insert.BindText(3, FormatIso8601(applied_at)));
  if (Status status = insert.Run(); !status.ok()) {
    if (status.code() == ErrorCode::kConflict) return RaceError(migration, "applied", status);
    return status;
  }
  CDP_RETURN_IF_ERROR(connection_->Exec(migration.up_sql));
  return transaction.Commit();
}

Status SqliteMigrator::RevertStep(const Migration& migration) {
  CDP_ASSIGN_OR_RETURN(auto transaction, SqliteTransaction::Begin(*connection_));
  CDP_ASSIGN_OR_RETURN(auto erase,
                       connection_->Prepare("DELETE FROM schema_migrations WHERE version = ?1"));
  CDP_RETURN_IF_ERROR(erase.BindInt64(1, migration.version));
  CDP_RETURN_IF_ERROR(erase.Run());
  if (connection_->Changes() != 1) return RaceError(migration, "reverted", Status());
  CDP_RETURN_IF_ERROR(connection_->Exec(migration.down_sql));
  return transaction.Commit();
}

Status SqliteMigrator::RaceError(const Migration& migration, std::string_view what,
                                 const Status& cause) const {
  Status status = Status::Conflict(fmt::format(
      "migration {} was already {} in {}: did another `cdp migrate` run at the same time? "
      "Check with `cdp migrate status`",
      MigrationLabel(migration.version, migration.name), what, DatabaseName()));
  if (!cause.ok()) status.WithCause(cause.cause());
  return status;
}

}  // namespace

Result<std::unique_ptr<SchemaMigrator>> OpenSqliteMigrator(const std::string& path) {
  return OpenSqliteMigrator(path, EmbeddedSqliteMigrations(), SystemClock::Instance());
}

Result<std::unique_ptr<SchemaMigrator>> OpenSqliteMigrator(const std::string& path,
                                                           std::vector<Migration> migrations,
                                                           const Clock& clock) {
  CDP_RETURN_IF_ERROR(ValidateMigrations(migrations));
  CDP_ASSIGN_OR_RETURN(auto connection, SqliteConnection::Open(path));
  return std::unique_ptr<SchemaMigrator>(
      std::make_unique<SqliteMigrator>(std::move(connection), std::move(migrations), clock));
}

}  // namespace cdp
