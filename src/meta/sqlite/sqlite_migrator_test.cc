#include "meta/sqlite/sqlite_migrator.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>

#include "meta/sqlite/embedded_migrations.h"
#include "meta/sqlite/sqlite_connection.h"
#include "meta/sqlite/sqlite_meta_store.h"
#include "support/temp_dir.h"

namespace cdp {
namespace {

using namespace std::chrono_literals;

const TimePoint kNow =
    std::chrono::sys_days{std::chrono::year{2026} / 1 / 2} + 3h + 4min + 5s + 678ms;

class SqliteMigratorTest : public ::testing::Test {
 protected:
  std::unique_ptr<SchemaMigrator> Open() { return Open(EmbeddedSqliteMigrations()); }
  std::unique_ptr<SchemaMigrator> Open(std::vector<Migration> migrations) {
    auto migrator = OpenSqliteMigrator(path_, std::move(migrations), clock_);
    EXPECT_TRUE(migrator.ok()) << migrator.status().ToString();
    return migrator.ok() ? std::move(migrator).value() : nullptr;
  }

  // Runs SQL on a second connection, as another process would.
  void Exec(const std::string& sql) {
    auto connection = SqliteConnection::Open(path_);
    ASSERT_TRUE(connection.ok()) << connection.status().ToString();
    ASSERT_TRUE((*connection)->Exec(sql).ok()) << sql;
  }

  bool HasColumn(std::string_view table, std::string_view column) {
    auto connection = SqliteConnection::Open(path_);
    EXPECT_TRUE(connection.ok());
    auto select = (*connection)->Prepare("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2");
    EXPECT_TRUE(select.ok());
    EXPECT_TRUE(select->BindText(1, table).ok());
    EXPECT_TRUE(select->BindText(2, column).ok());
    auto row = select->Step();
    EXPECT_TRUE(row.ok());
    return row.ok() && *row;
  }

  // The first column of the first row of `sql`, as text; "" when no row.
  std::string QueryText(const std::string& sql) {
    auto connection = SqliteConnection::Open(path_);
    EXPECT_TRUE(connection.ok());
    auto select = (*connection)->Prepare(sql);
    EXPECT_TRUE(select.ok()) << sql;
    if (!select.ok()) return "";
    auto row = select->Step();
    EXPECT_TRUE(row.ok()) << sql;
    return row.ok() && *row ? select->ColumnText(0) : "";
  }

  bool Exists(std::string_view type, std::string_view name) {
    auto connection = SqliteConnection::Open(path_);
    EXPECT_TRUE(connection.ok());
    auto select =
        (*connection)->Prepare("SELECT 1 FROM sqlite_master WHERE type = ?1 AND name = ?2");
    EXPECT_TRUE(select.ok());
    EXPECT_TRUE(select->BindText(1, type).ok());
    EXPECT_TRUE(select->BindText(2, name).ok());
    auto row = select->Step();
    EXPECT_TRUE(row.ok());
    return row.ok() && *row;
  }

  testing::TempDir dir_;
  std::string path_ = dir_.File("data/meta.sqlite");  // parent created on open
  ManualClock clock_{kNow};
};

TEST_F(SqliteMigratorTest, EmbeddedMigrationsAreValid) {
  const auto& migrations = EmbeddedSqliteMigrations();
  ASSERT_FALSE(migrations.empty());
  EXPECT_TRUE(ValidateMigrations(migrations).ok());
  EXPECT_EQ(migrations[0].version, 1);
  EXPECT_EQ(migrations[0].name, "workspaces_and_api_keys");
  EXPECT_NE(migrations[0].up_sql.find("CREATE TABLE api_keys"), std::string::npos);
  ASSERT_GE(migrations.size(), 2u);
  EXPECT_EQ(migrations[1].name, "schema_registry_and_dlq");
  EXPECT_NE(migrations[1].up_sql.find("CREATE TABLE dead_letters"), std::string::npos);
  ASSERT_GE(migrations.size(), 3u);
  EXPECT_EQ(migrations[2].name, "workspace_rate_limits");
  EXPECT_NE(migrations[2].up_sql.find("CREATE TABLE workspace_rate_limits"), std::string::npos);
  ASSERT_GE(migrations.size(), 4u);
  EXPECT_EQ(migrations[3].version, 4);
  EXPECT_EQ(migrations[3].name, "workspace_retention");
  EXPECT_NE(migrations[3].up_sql.find("ADD COLUMN retention_days"), std::string::npos);
  EXPECT_NE(migrations[3].down_sql.find("DROP COLUMN retention_days"), std::string::npos);
}

TEST_F(SqliteMigratorTest, UpFromEmptyAppliesEveryMigrationAndRecordsIt) {
  auto migrator = Open();
  const int latest = migrator->LatestVersion();
  EXPECT_EQ(*migrator->CurrentVersion(), 0);
  EXPECT_EQ(latest, static_cast<int>(EmbeddedSqliteMigrations().size()));
  auto before = migrator->StatusList();
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->size(), static_cast<size_t>(latest));
  for (const MigrationStatus& step : *before) {
    EXPECT_FALSE(step.applied);
    EXPECT_FALSE(step.applied_at.has_value());
  }

  std::vector<std::string> progress;
  Status up = migrator->Up([&](const Migration& m, bool is_up) {
    progress.push_back((is_up ? "up " : "down ") + MigrationLabel(m.version, m.name));
  });
  ASSERT_TRUE(up.ok()) << up.ToString();
  std::vector<std::string> expected;
  for (const Migration& m : EmbeddedSqliteMigrations()) {
    expected.push_back("up " + MigrationLabel(m.version, m.name));
  }
  EXPECT_EQ(progress, expected);
  EXPECT_EQ(progress.front(), "up 0001_workspaces_and_api_keys");
  EXPECT_EQ(*migrator->CurrentVersion(), latest);
  EXPECT_TRUE(migrator->CheckCurrent().ok());

  auto after = migrator->StatusList();
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), static_cast<size_t>(latest));
  for (const MigrationStatus& step : *after) {
    EXPECT_TRUE(step.applied) << step.name;
    EXPECT_EQ(step.applied_at, kNow) << step.name;
  }
  EXPECT_EQ((*after)[0].name, "workspaces_and_api_keys");
  for (const char* table : {"workspaces", "api_keys", "schema_migrations"}) {
    EXPECT_TRUE(Exists("table", table)) << table;
  }
  EXPECT_TRUE(Exists("index", "api_keys_workspace_id"));

  progress.clear();
  EXPECT_TRUE(migrator->Up([&](const Migration&, bool) { progress.push_back("again"); }).ok());
  EXPECT_TRUE(progress.empty());  // nothing pending
}

TEST_F(SqliteMigratorTest, DownRemovesTablesAndUpBringsThemBack) {
  auto migrator = Open();
  ASSERT_TRUE(migrator->Up().ok());
  const int latest = migrator->LatestVersion();
  std::vector<std::string> progress;
  Status down = migrator->Down(latest, [&](const Migration& m, bool is_up) {
    progress.push_back((is_up ? "up " : "down ") + MigrationLabel(m.version, m.name));
  });
  ASSERT_TRUE(down.ok()) << down.ToString();
  ASSERT_EQ(progress.size(), static_cast<size_t>(latest));
  EXPECT_EQ(progress.back(), "down 0001_workspaces_and_api_keys");  // newest first
  EXPECT_EQ(*migrator->CurrentVersion(), 0);
  EXPECT_FALSE(Exists("table", "workspaces"));
  EXPECT_FALSE(Exists("table", "api_keys"));
  EXPECT_FALSE(Exists("index", "api_keys_workspace_id"));
  EXPECT_FALSE(migrator->CheckCurrent().ok());

  ASSERT_TRUE(migrator->Up().ok());
  EXPECT_EQ(*migrator->CurrentVersion(), latest);
  EXPECT_TRUE(Exists("table", "workspaces"));
  EXPECT_TRUE(Exists("table", "api_keys"));
}

// 0002 alone: down leaves 0001's tables (and their rows) in place.
TEST_F(SqliteMigratorTest, SchemaRegistryAndDeadLettersGoDownAndUpAlone) {
  constexpr const char* kTables[] = {"schema_properties", "schema_events",
                                     "schema_event_properties", "dead_letters",
                                     "dead_letter_replays"};
  constexpr const char* kIndexes[] = {"schema_event_properties_property",
                                      "dead_letter_replays_dead_letter",
                                      "dead_letter_replays_one_accepted"};
  constexpr const char* kTriggers[] = {"dead_letters_immutable", "dead_letter_replays_immutable"};
  auto migrator = Open();
  ASSERT_TRUE(migrator->Up().ok());
  ASSERT_EQ(*migrator->CurrentVersion(), migrator->LatestVersion());
  Exec(
      "INSERT INTO workspaces (id, name, created_at) "
      "VALUES ('w1', 'demo', '2026-01-02T03:04:05.678Z')");
  Exec(
      "INSERT INTO dead_letters (id, workspace_id, received_at, payload, reason) "
      "VALUES ('d1', 'w1', '2026-01-02T03:04:05.678Z', '{}', 'bad')");
  for (const char* table : kTables) EXPECT_TRUE(Exists("table", table)) << table;
  for (const char* index : kIndexes) EXPECT_TRUE(Exists("index", index)) << index;
  for (const char* trigger : kTriggers) EXPECT_TRUE(Exists("trigger", trigger)) << trigger;

  // Revert down to version 1, whatever came after 0002.
  ASSERT_TRUE(migrator->Down(migrator->LatestVersion() - 1).ok());
  EXPECT_EQ(*migrator->CurrentVersion(), 1);
  for (const char* table : kTables) EXPECT_FALSE(Exists("table", table)) << table;
  for (const char* index : kIndexes) EXPECT_FALSE(Exists("index", index)) << index;
  for (const char* trigger : kTriggers) EXPECT_FALSE(Exists("trigger", trigger)) << trigger;
  EXPECT_TRUE(Exists("table", "workspaces"));

  ASSERT_TRUE(migrator->Up().ok());
  EXPECT_TRUE(migrator->CheckCurrent().ok());
  for (const char* table : kTables) EXPECT_TRUE(Exists("table", table)) << table;
  for (const char* trigger : kTriggers) EXPECT_TRUE(Exists("trigger", trigger)) << trigger;
  // The workspace survived; its dead letter went with the table.
  Exec(
      "INSERT INTO dead_letters (id, workspace_id, received_at, payload, reason) "
      "VALUES ('d1', 'w1', '2026-01-02T03:04:05.678Z', '{}', 'bad')");
}

// 0003 alone: down leaves the workspaces (and 0002's tables) in place; up
// brings back an empty table.
TEST_F(SqliteMigratorTest, WorkspaceRateLimitsGoDownAndUpAlone) {
  auto migrator = Open();
  ASSERT_TRUE(migrator->Up().ok());
  Exec(
      "INSERT INTO workspaces (id, name, created_at) "
      "VALUES ('w1', 'demo', '2026-01-02T03:04:05.678Z')");
  Exec(
      "INSERT INTO workspace_rate_limits (workspace_id, requests_per_second, updated_at) "
      "VALUES ('w1', 50, '2026-01-02T03:04:05.678Z')");
  EXPECT_TRUE(Exists("table", "workspace_rate_limits"));

  // Revert down to version 2, whatever came after 0003.
  ASSERT_TRUE(migrator->Down(migrator->LatestVersion() - 2).ok());
  EXPECT_EQ(*migrator->CurrentVersion(), 2);
  EXPECT_FALSE(Exists("table", "workspace_rate_limits"));
  EXPECT_TRUE(Exists("table", "workspaces"));
  EXPECT_TRUE(Exists("table", "dead_letters"));

  ASSERT_TRUE(migrator->Up().ok());
  EXPECT_TRUE(migrator->CheckCurrent().ok());
  EXPECT_TRUE(Exists("table", "workspace_rate_limits"));
  // The workspace survived; its override went with the table.
  Exec(
      "INSERT INTO workspace_rate_limits (workspace_id, requests_per_second, updated_at) "
      "VALUES ('w1', 50, '2026-01-02T03:04:05.678Z')");
}

// 0004 alone: down removes the workspaces' retention_days column and keeps
// their rows (and 0003's table); up gives every workspace the default again.
TEST_F(SqliteMigratorTest, WorkspaceRetentionGoesDownAndUpAlone) {
  auto migrator = Open();
  ASSERT_TRUE(migrator->Up().ok());
  EXPECT_TRUE(HasColumn("workspaces", "retention_days"));
  Exec(
      "INSERT INTO workspaces (id, name, created_at) "
      "VALUES ('w1', 'demo', '2026-01-02T03:04:05.678Z')");
  EXPECT_EQ(QueryText("SELECT retention_days FROM workspaces WHERE id = 'w1'"), "90");
  Exec("UPDATE workspaces SET retention_days = 30 WHERE id = 'w1'");
  // The table refuses what the store would: the bounds are 1 to 36500.
  for (const char* days : {"0", "36501", "NULL"}) {
    auto connection = SqliteConnection::Open(path_);
    ASSERT_TRUE(connection.ok());
    EXPECT_FALSE(
        (*connection)->Exec(fmt::format("UPDATE workspaces SET retention_days = {}", days)).ok())
        << days;
  }
  EXPECT_EQ(QueryText("SELECT retention_days FROM workspaces WHERE id = 'w1'"), "30");

  // Revert down to version 3, whatever came after 0004.
  ASSERT_TRUE(migrator->Down(migrator->LatestVersion() - 3).ok());
  EXPECT_EQ(*migrator->CurrentVersion(), 3);
  EXPECT_FALSE(HasColumn("workspaces", "retention_days"));
  EXPECT_EQ(QueryText("SELECT name FROM workspaces WHERE id = 'w1'"), "demo");
  EXPECT_TRUE(Exists("table", "workspace_rate_limits"));

  ASSERT_TRUE(migrator->Up().ok());
  EXPECT_TRUE(migrator->CheckCurrent().ok());
  // The workspace survived; its setting went with the column.
  EXPECT_EQ(QueryText("SELECT retention_days FROM workspaces WHERE id = 'w1'"), "90");
}

// Every connection has cdp_sha256(), the hash auth::HashToken computes (the
// FIPS 180-2 test vectors), which 0007 uses to hash the stored write keys.
TEST_F(SqliteMigratorTest, ConnectionsHashWithCdpSha256) {
  EXPECT_EQ(QueryText("SELECT cdp_sha256('abc')"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(QueryText("SELECT cdp_sha256('')"),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(QueryText("SELECT cdp_sha256(NULL) IS NULL"), "1");
  // Deterministic, so usable in indexes and CHECKs; one argument only.
  EXPECT_EQ(QueryText("SELECT cdp_sha256('x') = cdp_sha256('x')"), "1");
  auto connection = SqliteConnection::Open(path_);
  ASSERT_TRUE(connection.ok());
  EXPECT_FALSE((*connection)->Prepare("SELECT cdp_sha256('a', 'b')").ok());
}

// 0007 on a database with keys of 0001's shape: the write key, kept in clear
// until then, is hashed in place and keeps working with scope ingest; the
// secret key keeps its hash and becomes an admin key. Down to 6 keeps the
// secret key but leaves write keys unusable (their clear text is gone), as
// the down file says; up again works.
TEST_F(SqliteMigratorTest, AccountsAndAccessControlHashWriteKeysAndScopeExistingKeys) {
  constexpr char kOldWriteKey[] = "wk_0ldWriteKey0123456789abcdefghij";
  // The SHA-256 of kOldWriteKey and of "sk_0ldSecretKey0123456789abcdefghijklmnop".
  constexpr char kWriteHash[] = "93c81cbd866121a809fb62cd11ca4a540f47b0286620cf7de28c89030c8b0ace";
  constexpr char kSecretHash[] = "3faf822d954cae3dde3c14f4129031345466bfd4e2d230f4d08b243630905498";
  std::vector<Migration> through_6 = EmbeddedSqliteMigrations();
  ASSERT_GE(through_6.size(), 7u);
  ASSERT_EQ(through_6[6].name, "accounts_and_access_control");
  through_6.resize(6);
  {
    auto migrator = Open(through_6);
    ASSERT_TRUE(migrator->Up().ok());
    ASSERT_EQ(*migrator->CurrentVersion(), 6);
  }
  Exec(
      "INSERT INTO workspaces (id, name, created_at) "
      "VALUES ('w1', 'demo', '2026-01-02T03:04:05.678Z')");
  Exec(fmt::format(
      "INSERT INTO api_keys (id, workspace_id, kind, display_prefix, write_key, secret_hash, "
      "created_at, revoked_at) VALUES "
      "('k1', 'w1', 'write', 'wk_0ldWr', '{}', NULL, '2026-01-02T03:04:05.678Z', NULL), "
      "('k2', 'w1', 'secret', 'sk_0ldSe', NULL, '{}', '2026-01-02T03:04:06.000Z', "
      "'2026-01-03T00:00:00.000Z')",
      kOldWriteKey, kSecretHash));

  auto migrator = Open();
  ASSERT_TRUE(migrator->Up().ok());
  ASSERT_GE(*migrator->CurrentVersion(), 7);
  for (const char* table : {"users", "workspace_members", "sessions", "audit_log"}) {
    EXPECT_TRUE(Exists("table", table)) << table;
  }
  EXPECT_FALSE(HasColumn("api_keys", "write_key"));
  {
    auto store = OpenSqliteMetaStore(path_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto write = (*store)->FindApiKeyByHash(kWriteHash);
    ASSERT_TRUE(write.ok()) << write.status().ToString();
    EXPECT_EQ(write->id, "k1");
    EXPECT_EQ(write->kind, ApiKeyKind::kWrite);
    EXPECT_EQ(write->scope, ApiKeyScope::kIngest);
    EXPECT_EQ(write->display_prefix, "wk_0ldWr");
    EXPECT_EQ(write->name, "");
    EXPECT_EQ(write->created_by, "");
    EXPECT_FALSE(write->revoked());
    auto secret = (*store)->FindApiKeyByHash(kSecretHash);
    ASSERT_TRUE(secret.ok()) << secret.status().ToString();
    EXPECT_EQ(secret->id, "k2");
    EXPECT_EQ(secret->kind, ApiKeyKind::kSecret);
    EXPECT_EQ(secret->scope, ApiKeyScope::kAdmin);  // it could do everything before
    EXPECT_TRUE(secret->revoked());                 // and its revocation stands
    EXPECT_EQ((*store)->ListApiKeys("w1")->size(), 2u);
  }
  // The table refuses a scope that does not fit the kind, as the store does.
  {
    auto connection = SqliteConnection::Open(path_);
    ASSERT_TRUE(connection.ok());
    EXPECT_FALSE((*connection)
                     ->Exec("INSERT INTO api_keys (id, workspace_id, kind, scope, display_prefix, "
                            "key_hash, created_at) VALUES ('k3', 'w1', 'write', 'admin', 'wk_x', "
                            "'h3', '2026-01-02T03:04:05.678Z')")
                     .ok());
  }

  // Down to 6: the write key is no longer its clear text, the secret key's
  // hash is back in secret_hash.
  ASSERT_TRUE(migrator->Down(migrator->LatestVersion() - 6).ok());
  EXPECT_EQ(*migrator->CurrentVersion(), 6);
  for (const char* table : {"users", "workspace_members", "sessions", "audit_log"}) {
    EXPECT_FALSE(Exists("table", table)) << table;
  }
  EXPECT_EQ(QueryText("SELECT write_key FROM api_keys WHERE id = 'k1'"),
            std::string("hashed:") + kWriteHash);
  EXPECT_EQ(QueryText("SELECT count(*) FROM api_keys WHERE write_key = '" +
                      std::string(kOldWriteKey) + "'"),
            "0");
  EXPECT_EQ(QueryText("SELECT secret_hash FROM api_keys WHERE id = 'k2'"), kSecretHash);

  // And up again: the secret key still resolves; the old write key does not.
  ASSERT_TRUE(migrator->Up().ok());
  EXPECT_TRUE(migrator->CheckCurrent().ok());
  auto store = OpenSqliteMetaStore(path_);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->FindApiKeyByHash(kSecretHash)->scope, ApiKeyScope::kAdmin);
  EXPECT_EQ((*store)->FindApiKeyByHash(kWriteHash).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ((*store)->ListApiKeys("w1")->size(), 2u);  // the row is kept, unusable
}

TEST_F(SqliteMigratorTest, DownPastZeroIsAnErrorAndChangesNothing) {
  auto migrator = Open();
  EXPECT_EQ(migrator->Down(1).code(), ErrorCode::kBadRequest);  // empty database
  ASSERT_TRUE(migrator->Up().ok());
  const int latest = migrator->LatestVersion();
  Status down = migrator->Down(latest + 1);
  EXPECT_EQ(down.code(), ErrorCode::kBadRequest);
  EXPECT_NE(down.message().find(fmt::format("cannot revert {} migration(s)", latest + 1)),
            std::string::npos)
      << down.message();
  EXPECT_EQ(migrator->Down(0).code(), ErrorCode::kBadRequest);
  EXPECT_EQ(*migrator->CurrentVersion(), latest);
  EXPECT_TRUE(Exists("table", "workspaces"));
}

TEST_F(SqliteMigratorTest, CheckCurrentRefusesAnUnmigratedDatabase) {
  auto migrator = Open();
  Status check = migrator->CheckCurrent();
  EXPECT_EQ(check.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(check.retry_after(), std::chrono::seconds(0));
  EXPECT_EQ(check.message(),
            fmt::format("the metadata database {} is at schema version 0 but this cdp needs "
                        "version {}: run `cdp migrate up`",
                        path_, migrator->LatestVersion()));
  // Checking is read-only: it does not create the bookkeeping table.
  EXPECT_FALSE(Exists("table", "schema_migrations"));
}

TEST_F(SqliteMigratorTest, RefusesADatabaseNewerThanThisBinary) {
  auto migrator = Open();
  ASSERT_TRUE(migrator->Up().ok());
  Exec("INSERT INTO schema_migrations VALUES (99, 'from_the_future', '2030-01-01T00:00:00.000Z')");

  const std::string advice = fmt::format(
      "the metadata database {} is at schema version 99, newer than this cdp knows "
      "({}): upgrade cdp, or run `cdp migrate down` with the newer cdp",
      path_, migrator->LatestVersion());
  Status check = migrator->CheckCurrent();
  EXPECT_EQ(check.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(check.message(), advice);
  EXPECT_EQ(migrator->Up().message(), advice);
  EXPECT_EQ(migrator->Down(1).message(), advice);
  EXPECT_TRUE(migrator->CheckHistory().ok());  // known steps agree; only newer ones exist

  auto list = migrator->StatusList();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), static_cast<size_t>(migrator->LatestVersion()) + 1);
  EXPECT_EQ(list->back().version, 99);
  EXPECT_EQ(list->back().name, "from_the_future");
  EXPECT_TRUE(list->back().applied);
}

TEST_F(SqliteMigratorTest, RefusesAHistoryThatDivergesFromThisBinary) {
  auto migrator = Open();
  ASSERT_TRUE(migrator->Up().ok());
  Exec("UPDATE schema_migrations SET name = 'something_else' WHERE version = 1");

  Status check = migrator->CheckCurrent();
  EXPECT_EQ(check.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(check.message(),
            "the metadata database " + path_ +
                " records migration 0001_something_else where this cdp has "
                "0001_workspaces_and_api_keys: it was migrated by a different build of cdp; "
                "migrate it with that build, or restore a backup");
  EXPECT_EQ(migrator->Up().message(), check.message());
  EXPECT_EQ(migrator->Down(1).message(), check.message());
  EXPECT_TRUE(Exists("table", "workspaces"));  // refused, so nothing reverted
}

// Two steps of our own show ordering, one transaction per step and reverts
// newest first.
TEST_F(SqliteMigratorTest, AppliesInOrderAndAFailedStepLeavesNoTrace) {
  std::vector<Migration> migrations = {
      {1, "a", "CREATE TABLE a (x INTEGER)", "DROP TABLE a"},
      {2, "b", "CREATE TABLE b (x INTEGER)", "DROP TABLE b"},
      {3, "broken", "CREATE TABLE c (x INTEGER); THIS IS NOT SQL", "DROP TABLE c"},
  };
  auto migrator = Open(migrations);
  std::vector<int> order;
  Status up = migrator->Up([&](const Migration& m, bool) { order.push_back(m.version); });
  EXPECT_EQ(up.code(), ErrorCode::kInternal);
  EXPECT_NE(up.cause().find("syntax error"), std::string::npos) << up.cause();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(*migrator->CurrentVersion(), 2);
  EXPECT_TRUE(Exists("table", "b"));
  EXPECT_FALSE(Exists("table", "c"));  // rolled back with its record

  migrations.pop_back();
  auto fixed = Open(migrations);
  order.clear();
  ASSERT_TRUE(fixed->Down(2, [&](const Migration& m, bool) { order.push_back(m.version); }).ok());
  EXPECT_EQ(order, (std::vector<int>{2, 1}));
  EXPECT_FALSE(Exists("table", "a"));
  EXPECT_EQ(*fixed->CurrentVersion(), 0);
}

TEST_F(SqliteMigratorTest, RefusesInvalidMigrations) {
  auto migrator = OpenSqliteMigrator(path_, {{2, "gap", "SELECT 1", "SELECT 1"}}, clock_);
  EXPECT_EQ(migrator.status().code(), ErrorCode::kInternal);
}

}  // namespace
}  // namespace cdp
