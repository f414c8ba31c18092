#include "meta/migration.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace cdp {

namespace {

int VersionOf(const std::vector<AppliedMigration>& history) {
  return history.empty() ? 0 : history.back().version;
}

// The advice for a database migrated by a newer cdp; shared by every refusal.
Status NewerDatabase(const std::string& database, int current, int latest) {
  return Status::Unavailable(
      fmt::format("the metadata database {} is at schema version {}, newer than this cdp knows "
                  "({}): upgrade cdp, or run `cdp migrate down` with the newer cdp",
                  database, current, latest),
      std::chrono::seconds(0));
}

}  // namespace

std::string MigrationLabel(int version, std::string_view name) {
  return fmt::format("{:04}_{}", version, name);
}

Status ValidateMigrations(const std::vector<Migration>& migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    const Migration& m = migrations[i];
    const int expected = static_cast<int>(i) + 1;
    if (m.version != expected) {
      return Status::Internal(fmt::format(
          "migration versions must run 1, 2, 3... in order: expected {} at position {}, found {}",
          expected, i, m.version));
    }
    if (m.name.empty() || m.up_sql.empty() || m.down_sql.empty()) {
      return Status::Internal(fmt::format("migration {} needs a name, up SQL and down SQL",
                                          MigrationLabel(m.version, m.name)));
    }
  }
  return Status::Ok();
}

SchemaMigrator::SchemaMigrator(std::vector<Migration> migrations, const Clock& clock)
    : migrations_(std::move(migrations)), clock_(clock) {}

int SchemaMigrator::LatestVersion() const {
  return migrations_.empty() ? 0 : migrations_.back().version;
}

const Migration* SchemaMigrator::Find(int version) const {
  // Validated: version v sits at index v - 1.
  if (version < 1 || version > LatestVersion()) return nullptr;
  return &migrations_[version - 1];
}

Result<int> SchemaMigrator::CurrentVersion() {
  CDP_ASSIGN_OR_RETURN(auto history, ReadHistory());
  return VersionOf(history);
}

Status SchemaMigrator::ValidateHistory(const std::vector<AppliedMigration>& history) const {
  const std::string database = DatabaseName();
  for (const AppliedMigration& applied : history) {
    if (applied.version < 1) {
      return Status::Unavailable(
          fmt::format("the metadata database {} records an invalid migration version {}: its "
                      "history is corrupt; restore a backup",
                      database, applied.version),
          std::chrono::seconds(0));
    }
    const Migration* known = Find(applied.version);
    if (known != nullptr && known->name != applied.name) {
      return Status::Unavailable(
          fmt::format("the metadata database {} records migration {} where this cdp has {}: it "
                      "was migrated by a different build of cdp; migrate it with that build, or "
                      "restore a backup",
                      database, MigrationLabel(applied.version, applied.name),
                      MigrationLabel(known->version, known->name)),
          std::chrono::seconds(0));
    }
  }
  // Every known step up to the database's version must be there: a hole
  // means a step was reverted or recorded by hand.
  const int checked_up_to = std::min(VersionOf(history), LatestVersion());
  for (int version = 1; version <= checked_up_to; ++version) {
    const bool recorded = std::any_of(history.begin(), history.end(),
                                      [&](const auto& a) { return a.version == version; });
    if (!recorded) {
      return Status::Unavailable(
          fmt::format("the metadata database {} is at schema version {} but migration {} was "
                      "never applied: its history is inconsistent; restore a backup",
                      database, VersionOf(history), MigrationLabel(version, Find(version)->name)),
          std::chrono::seconds(0));
    }
  }
  return Status::Ok();
}

Status SchemaMigrator::CheckHistory() {
  CDP_ASSIGN_OR_RETURN(auto history, ReadHistory());
  return ValidateHistory(history);
}

Result<std::vector<MigrationStatus>> SchemaMigrator::StatusList() {
  CDP_ASSIGN_OR_RETURN(auto history, ReadHistory());
  std::vector<MigrationStatus> list;
  for (const Migration& m : migrations_) {
    MigrationStatus status{m.version, m.name, false, std::nullopt};
    for (const AppliedMigration& applied : history) {
      if (applied.version == m.version) {
        status.name = applied.name;  // as recorded: shows a diverged history
        status.applied = true;
        status.applied_at = applied.applied_at;
      }
    }
    list.push_back(std::move(status));
  }
  for (const AppliedMigration& applied : history) {
    if (applied.version > LatestVersion()) {
      list.push_back({applied.version, applied.name, true, applied.applied_at});
    }
  }
  return list;
}

Status SchemaMigrator::Up(const MigrationProgress& progress) {
  CDP_ASSIGN_OR_RETURN(auto history, ReadHistory());
  CDP_RETURN_IF_ERROR(ValidateHistory(history));
  const int current = VersionOf(history);
  if (current > LatestVersion()) return NewerDatabase(DatabaseName(), current, LatestVersion());
  for (const Migration& m : migrations_) {
    if (m.version <= current) continue;
    if (progress) progress(m, true);
    // Whole milliseconds, the precision the history is stored with.
    const TimePoint now = std::chrono::floor<std::chrono::milliseconds>(clock_.Now());
    CDP_RETURN_IF_ERROR(ApplyStep(m, now));
  }
  return Status::Ok();
}

Status SchemaMigrator::Down(int steps, const MigrationProgress& progress) {
  if (steps < 1) {
    return Status::BadRequest(fmt::format("steps must be at least 1, got {}", steps), "steps");
  }
  CDP_ASSIGN_OR_RETURN(auto history, ReadHistory());
  CDP_RETURN_IF_ERROR(ValidateHistory(history));
  if (static_cast<size_t>(steps) > history.size()) {
    return Status::BadRequest(
        fmt::format("cannot revert {} migration(s): the metadata database {} is at schema "
                    "version {} with {} applied",
                    steps, DatabaseName(), VersionOf(history), history.size()),
        "steps");
  }
  // Check every step before reverting any, so a refusal changes nothing.
  std::vector<const Migration*> to_revert;
  for (int i = 0; i < steps; ++i) {
    const AppliedMigration& applied = history[history.size() - 1 - i];
    const Migration* known = Find(applied.version);
    if (known == nullptr) {
      return NewerDatabase(DatabaseName(), VersionOf(history), LatestVersion());
    }
    to_revert.push_back(known);
  }
  for (const Migration* m : to_revert) {
    if (progress) progress(*m, false);
    CDP_RETURN_IF_ERROR(RevertStep(*m));
  }
  return Status::Ok();
}

Status SchemaMigrator::CheckCurrent() {
  CDP_ASSIGN_OR_RETURN(auto history, ReadHistory());
  CDP_RETURN_IF_ERROR(ValidateHistory(history));
  const int current = VersionOf(history);
  const int latest = LatestVersion();
  if (current < latest) {
    return Status::Unavailable(
        fmt::format("the metadata database {} is at schema version {} but this cdp needs "
                    "version {}: run `cdp migrate up`",
                    DatabaseName(), current, latest),
        std::chrono::seconds(0));
  }
  if (current > latest) return NewerDatabase(DatabaseName(), current, latest);
  return Status::Ok();
}

}  // namespace cdp
