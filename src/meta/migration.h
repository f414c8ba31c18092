#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace cdp {

// One step of a database schema, embedded in the binary at build time from
// infra/migrations/<backend>/NNNN_name.{up,down}.sql.
struct Migration {
  int version;           // 1, 2, 3...
  std::string name;      // "workspaces_and_api_keys"
  std::string up_sql;    // applies the step
  std::string down_sql;  // reverts it exactly
};

// "0001_workspaces_and_api_keys": how files, logs and the CLI name a step.
std::string MigrationLabel(int version, std::string_view name);

// One line of `cdp migrate status`.
struct MigrationStatus {
  int version;
  std::string name;
  bool applied;
  std::optional<TimePoint> applied_at;  // set when applied
};

// A step as the database records it.
struct AppliedMigration {
  int version;
  std::string name;
  TimePoint applied_at;
};

// Called before each step runs (`up` false when reverting), e.g. to print
// "applying 0001_workspaces_and_api_keys".
using MigrationProgress = std::function<void(const Migration& migration, bool up)>;

// Ok when versions run 1, 2, 3... in order and every step has a name, up SQL
// and down SQL. Otherwise Internal: the binary was built from a broken history.
Status ValidateMigrations(const std::vector<Migration>& migrations);

// Brings a database's schema to the version this binary expects, and tells
// the server whether it may start. The database records its history in its
// own bookkeeping table (schema_migrations: version, name, applied_at),
// created by the migrator, not by a migration.
//
// The policy (ordering, which steps to run, history checks, the wording of
// every message) lives here once; a backend supplies only the primitives
// below, so SQLite and PostgreSQL behave and speak alike.
//
// Thread safety: not safe for concurrent use of one object. Two processes
// migrating the same database are serialized by the database: a step
// another process already ran fails without changing anything.
class SchemaMigrator {
 public:
  SchemaMigrator(const SchemaMigrator&) = delete;
  SchemaMigrator& operator=(const SchemaMigrator&) = delete;
  virtual ~SchemaMigrator() = default;

  // The highest applied version; 0 for a new database.
  Result<int> CurrentVersion();
  // The highest version this binary knows.
  int LatestVersion() const;
  // Every step this binary knows, applied (named as the database records it)
  // or pending, then any newer step the database records.
  Result<std::vector<MigrationStatus>> StatusList();

  // Applies every pending step in order, each in its own transaction. Stops
  // at the first failure; the steps before it stay applied.
  Status Up(const MigrationProgress& progress = {});
  // Reverts the `steps` latest applied steps, newest first, each in its own
  // transaction. BadRequest, changing nothing, when fewer than `steps` are
  // applied or steps < 1.
  Status Down(int steps = 1, const MigrationProgress& progress = {});

  // Ok when the database's history agrees with this binary up to the
  // database's version: same names, no step missing. Otherwise Unavailable
  // with a message naming the database and what to do. Pending steps or a
  // newer database are not errors here.
  Status CheckHistory();

  // Ok when the database is exactly at LatestVersion() with the history this
  // binary knows. Otherwise Unavailable with a message naming the database
  // and what to run (`cdp migrate up`, or upgrade cdp). The server calls this
  // at start-up and refuses to serve on error.
  Status CheckCurrent();

  const std::vector<Migration>& migrations() const { return migrations_; }

 protected:
  // REQUIRES: ValidateMigrations(migrations).ok(); `clock` outlives this.
  SchemaMigrator(std::vector<Migration> migrations, const Clock& clock);

  // The database's history ordered by version; empty for a new database
  // (one without the bookkeeping table).
  virtual Result<std::vector<AppliedMigration>> ReadHistory() = 0;
  // In one transaction: records the step (failing, with nothing changed, if
  // its version is already recorded) and runs its up_sql.
  virtual Status ApplyStep(const Migration& migration, TimePoint applied_at) = 0;
  // In one transaction: runs the step's down_sql and erases its record.
  virtual Status RevertStep(const Migration& migration) = 0;
  // How messages name the database: a file path, or a URL without password.
  virtual std::string DatabaseName() const = 0;

 private:
  Status ValidateHistory(const std::vector<AppliedMigration>& history) const;
  const Migration* Find(int version) const;

  std::vector<Migration> migrations_;
  const Clock& clock_;
};

}  // namespace cdp
