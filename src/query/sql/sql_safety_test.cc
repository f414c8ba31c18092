// What custom SQL must never do: see another workspace's rows, write, touch
// files or the schema, load code, or run more than one statement. Every
// refusal comes from SQLite (authorizer, query_only, limits), and is a 400
// naming the field "query".
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <set>

#include "query/sql/sql_authorizer.h"
#include "query/sql/sql_memory_budget.h"
#include "query/sql/sql_query.h"
#include "query/sql/sql_test_util.h"
#include "query/testing/test_event_store.h"
#include "store/testing/random_events.h"
#include "support/temp_dir.h"

namespace cdp::query {
namespace {

using testing::RunSql;
using testing::SqlTestResult;
using testing::SqlTestValue;

class SqlSafetyTest : public ::testing::Test {
 protected:
  SqlSafetyTest() {
    std::mt19937_64 random(21);
    events_ = cdp::testing::RandomEvents(random, 600);
    // ws_b has an event and a property ws_a never has.
    for (int i = 0; i < 5; ++i) {
      Event secret;
      secret.workspace_id = "ws_b";
      secret.event = "Secret B";
      secret.message_id = fmt::format("secret-{}", i);
      secret.anonymous_id = "anon-1";
      secret.timestamp = events_[i].timestamp;
      secret.received_at = secret.timestamp;
      Property property;
      property.name = "only_in_b";
      property.value = std::string("b");
      secret.properties.push_back(property);
      events_.push_back(secret);
    }
    store_ = std::make_unique<query::testing::TestEventStore>(events_, 2, 128);
    for (const Event& event : events_) (event.workspace_id == "ws_a" ? a_rows_ : b_rows_)++;
  }

  Result<SqlTestResult> Run(std::string_view sql, std::string_view workspace = "ws_a") {
    return RunSql(store_->store(), workspace, sql);
  }

  // `sql` is refused with a 400 on "query" whose message contains `reason`.
  void ExpectRefused(std::string_view sql, std::string_view reason) {
    const Result<SqlTestResult> result = Run(sql);
    ASSERT_FALSE(result.ok()) << sql;
    EXPECT_EQ(result.status().code(), ErrorCode::kBadRequest) << sql;
    EXPECT_EQ(result.status().field(), "query") << sql;
    EXPECT_NE(result.status().message().find(reason), std::string::npos)
        << sql << "\n"
        << result.status().message();
  }

  int64_t Count(std::string_view sql, std::string_view workspace = "ws_a") {
    const Result<SqlTestResult> result = Run(sql, workspace);
    EXPECT_TRUE(result.ok()) << sql << ": " << result.status().ToString();
    if (!result.ok() || result->rows.size() != 1) return -1;
    return std::get<int64_t>(result->rows[0][0]);
  }

  std::vector<Event> events_;
  std::unique_ptr<query::testing::TestEventStore> store_;
  int64_t a_rows_ = 0;
  int64_t b_rows_ = 0;
};

TEST_F(SqlSafetyTest, OneWorkspaceOnly) {
  EXPECT_EQ(Count("SELECT count(*) FROM events"), a_rows_);
  EXPECT_EQ(Count("SELECT count(*) FROM events", "ws_b"), b_rows_);
  EXPECT_EQ(Count("SELECT count(*) FROM events WHERE event = 'Secret B'"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM events WHERE event = 'Secret B'", "ws_b"), 5);
  EXPECT_EQ(Count("SELECT count(*) FROM events WHERE message_id IN "
                  "(SELECT message_id FROM events WHERE message_id LIKE 'secret-%')"),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM (SELECT * FROM events UNION ALL SELECT * FROM events)"),
            2 * a_rows_);
  EXPECT_EQ(Count("WITH all_rows AS (SELECT * FROM events) SELECT count(*) FROM all_rows a, "
                  "events b WHERE a.message_id = b.message_id"),
            a_rows_);
  EXPECT_EQ(Count("SELECT count(*) FROM events", "ws_none"), 0);
  // The property only ws_b has is no column of ws_a's table.
  ExpectRefused("SELECT \"properties.only_in_b\" FROM events", "no such column");
  // The table takes no arguments, so no workspace can be named.
  ExpectRefused("SELECT * FROM events('ws_b')", "events");
  ExpectRefused("SELECT * FROM main.events('ws_b')", "events");
  // "temp.events" finds the same eponymous table: this workspace's rows.
  EXPECT_EQ(Count("SELECT count(*) FROM temp.events"), a_rows_);
}

TEST_F(SqlSafetyTest, NoSchemaPragmaOrOtherTables) {
  ExpectRefused("SELECT * FROM sqlite_master", "not allowed");
  ExpectRefused("SELECT name FROM sqlite_schema", "not allowed");
  ExpectRefused("SELECT * FROM sqlite_temp_master", "not allowed");
  ExpectRefused("SELECT * FROM temp.sqlite_master", "not allowed");
  ExpectRefused("SELECT count(*) FROM (SELECT 1 FROM sqlite_master)", "not allowed");
  ExpectRefused("SELECT * FROM pragma_table_info('events')", "not allowed");
  ExpectRefused("SELECT * FROM pragma_function_list", "not allowed");
  ExpectRefused("SELECT * FROM pragma_database_list", "not allowed");
  ExpectRefused("SELECT * FROM dbstat", "not allowed");
  // Reading no column still reads the table.
  ExpectRefused("SELECT count(*) FROM sqlite_master", "not allowed");
  ExpectRefused("SELECT count(*) FROM main.sqlite_master", "not allowed");
  ExpectRefused("SELECT count(*) FROM pragma_table_info('events')", "not allowed");
  ExpectRefused("SELECT count(*) FROM dbstat", "not allowed");
  ExpectRefused("SELECT count(*) FROM sqlite_stmt", "not allowed");
  ExpectRefused("SELECT count(*) FROM temp.pragma_module_list", "not allowed");
  // ... while a common table expression is the query's own.
  EXPECT_EQ(Count("WITH t AS (SELECT 1 UNION ALL SELECT 2) SELECT count(*) FROM t"), 2);
  EXPECT_EQ(Count("WITH RECURSIVE t(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM t WHERE x < 9) "
                  "SELECT count(*) FROM t"),
            9);
  ExpectRefused("SELECT * FROM sqlite_stmt", "not allowed");
  ExpectRefused("PRAGMA table_info(events)", "PRAGMA is not allowed");
  ExpectRefused("PRAGMA query_only = 0", "PRAGMA is not allowed");
  ExpectRefused("PRAGMA writable_schema = 1", "PRAGMA is not allowed");
  ExpectRefused("PRAGMA temp_store_directory = '/tmp'", "PRAGMA is not allowed");
  ExpectRefused("CREATE TEMP TABLE t(x)", "creating, changing or dropping tables");
  ExpectRefused("CREATE TEMP VIEW v AS SELECT * FROM events", "not allowed");
  ExpectRefused("CREATE VIRTUAL TABLE f USING fts5(x)", "not allowed");
  ExpectRefused("CREATE VIRTUAL TABLE e2 USING events", "not allowed");
  // json_each / json_tree only read the value they are given.
  const Result<SqlTestResult> json = Run("SELECT count(*) FROM json_each('[1, 2, 3]')");
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  EXPECT_EQ(json->rows[0][0], SqlTestValue(int64_t{3}));
}

TEST_F(SqlSafetyTest, NoFilesAndNoCode) {
  cdp::testing::TempDir dir;
  const std::string file = dir.File("stolen.db");
  ExpectRefused("ATTACH ':memory:' AS other", "ATTACH");
  ExpectRefused(fmt::format("ATTACH '{}' AS other", file), "ATTACH");
  ExpectRefused(fmt::format("ATTACH 'file:{}?mode=rwc' AS other", file), "ATTACH");
  ExpectRefused("DETACH main", "DETACH");
  ExpectRefused(fmt::format("VACUUM INTO '{}'", file), "SELECT statement");
  ExpectRefused("VACUUM", "SELECT statement");
  ExpectRefused("SELECT load_extension('/usr/lib/x86_64-linux-gnu/libsqlite3.so.0')",
                "load_extension() is not allowed");
  ExpectRefused("SELECT load_extension('x', 'sqlite3_extension_init')", "not allowed");
  ExpectRefused("SELECT fts3_tokenizer('simple')", "fts3_tokenizer() is not allowed");
  ExpectRefused("SELECT fts3_tokenizer('mine', x'0000000000000000')", "not allowed");
  ExpectRefused("SELECT sqlite_log(1, 'x')", "not allowed");
  ExpectRefused("SELECT sqlite_compileoption_get(0)", "not allowed");
  ExpectRefused("SELECT readfile('/etc/passwd')", "readfile");
  ExpectRefused("SELECT writefile('/tmp/x', 'y')", "writefile");
  ExpectRefused("SELECT edit('x')", "edit");
  ExpectRefused("SELECT * FROM zipfile('/tmp/x.zip')", "zipfile");
  ExpectRefused("SELECT * FROM fsdir('/')", "fsdir");
  EXPECT_FALSE(std::filesystem::exists(file));
}

TEST_F(SqlSafetyTest, EveryWriteIsRefused) {
  const char* writes[] = {
      "INSERT INTO events(event) VALUES ('x')",
      "INSERT INTO events SELECT * FROM events",
      "REPLACE INTO events(event) VALUES ('x')",
      "UPDATE events SET event = 'x'",
      "DELETE FROM events",
      "CREATE TABLE t(x)",
      "CREATE TABLE t AS SELECT * FROM events",
      "CREATE INDEX i ON events(event)",
      "CREATE VIEW v AS SELECT 1",
      "CREATE TRIGGER tr AFTER INSERT ON events BEGIN SELECT 1; END",
      "DROP TABLE events",
      "DROP VIEW v",
      "ALTER TABLE events RENAME TO x",
      "ALTER TABLE events ADD COLUMN x",
      "VACUUM",
      "REINDEX",
      "ANALYZE",
      "SAVEPOINT a",
      "RELEASE a",
      "BEGIN",
      "BEGIN IMMEDIATE",
      "COMMIT",
      "ROLLBACK",
      "WITH x AS (SELECT 1) INSERT INTO events(event) SELECT * FROM x",
      "WITH x AS (SELECT 1) DELETE FROM events",
      "INSERT INTO temp.t VALUES (1)",
  };
  for (const char* sql : writes) {
    const Result<SqlTestResult> result = Run(sql);
    ASSERT_FALSE(result.ok()) << sql;
    EXPECT_EQ(result.status().code(), ErrorCode::kBadRequest) << sql;
    EXPECT_EQ(result.status().field(), "query") << sql;
  }
  ExpectRefused("INSERT INTO events(event) VALUES ('x')", "INSERT is not allowed");
  // The table has no xUpdate: SQLite refuses before asking the authorizer.
  ExpectRefused("UPDATE events SET event = 'x'", "table events may not be modified");
  ExpectRefused("DELETE FROM events", "table events may not be modified");
  ExpectRefused("DROP TABLE events", "dropping tables");
  ExpectRefused("ALTER TABLE events RENAME TO x", "table events may not be altered");
  ExpectRefused("ANALYZE", "not allowed");
  ExpectRefused("REINDEX", "SELECT statement");
  ExpectRefused("SAVEPOINT a", "SAVEPOINT is not allowed");
  ExpectRefused("BEGIN", "BEGIN / COMMIT / ROLLBACK is not allowed");
  ExpectRefused("EXPLAIN SELECT * FROM events", "SELECT statement");
  // Nothing was written.
  EXPECT_EQ(Count("SELECT count(*) FROM events"), a_rows_);
}

TEST_F(SqlSafetyTest, ExactlyOneStatement) {
  ExpectRefused("SELECT 1; SELECT 2", "exactly one");
  ExpectRefused("SELECT 1; DROP TABLE events", "exactly one");
  ExpectRefused("SELECT 1;;; SELECT 2", "exactly one");
  ExpectRefused("SELECT 1; SELEC 2", "exactly one");
  ExpectRefused("SELECT 1; ATTACH 'x' AS y", "exactly one");
  ExpectRefused("-- nothing but a comment", "none");
  ExpectRefused(";;", "none");
  ExpectRefused(std::string_view("SELECT 1;\0 DROP TABLE events", 29), "NUL");
  for (const char* sql :
       {"SELECT 1;", "SELECT 1 ; -- done", ";; SELECT 1 ;;", "/* a */ SELECT 1 /* b */"}) {
    const Result<SqlTestResult> result = Run(sql);
    ASSERT_TRUE(result.ok()) << sql << ": " << result.status().ToString();
    EXPECT_EQ(result->rows.size(), 1u) << sql;
  }
}

// Files SQLite's default VFS opened while counting (its "open" system call,
// replaced through xSetSystemCall).
std::atomic<int> g_vfs_opens{0};
int CountingOpen(const char* path, int flags, int mode) {
  ++g_vfs_opens;
  return ::open(path, flags, mode);
}

// Big sorts, GROUP BY and materialized subqueries stay in memory (where the
// budget counts them): SQLite would otherwise spill them to temporary files.
TEST_F(SqlSafetyTest, NoTemporaryFiles) {
  ASSERT_TRUE(InstallSqlMemoryAccounting().ok());
  ASSERT_EQ(sqlite3_initialize(), SQLITE_OK);
  sqlite3_vfs* vfs = sqlite3_vfs_find(nullptr);
  ASSERT_NE(vfs, nullptr);
  ASSERT_EQ(vfs->xSetSystemCall(vfs, "open", reinterpret_cast<sqlite3_syscall_ptr>(CountingOpen)),
            SQLITE_OK);
  const std::string sort =
      "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 100000) "
      "SELECT count(DISTINCT printf('%.50c', 'x') || x) FROM n";
  // The control: a plain in-memory connection spills this query to a file.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_MEMORY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, sort.c_str(), -1, &statement, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_step(statement), SQLITE_ROW);
  sqlite3_finalize(statement);
  sqlite3_close(db);
  const int control_opens = g_vfs_opens.exchange(0);
  const Result<SqlTestResult> result = Run(sort);
  const int sandbox_opens = g_vfs_opens.load();
  vfs->xSetSystemCall(vfs, "open", nullptr);  // back to the real one
  EXPECT_GT(control_opens, 0);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->rows[0][0], SqlTestValue(int64_t{100'000}));
  EXPECT_EQ(sandbox_opens, 0);
}

// The allow-list refuses what this SQLite build offers beyond pure functions,
// and every function a query is allowed is one this build has (a typo in the
// list would show here).
TEST(SqlAuthorizerTest, FunctionsOfThisBuild) {
  // Installed as the library loaded (run alone, this test proves it).
  EXPECT_TRUE(SqlMemoryAccountingInstalled());
  ASSERT_TRUE(InstallSqlMemoryAccounting().ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT DISTINCT name FROM pragma_function_list", -1, &statement,
                               nullptr),
            SQLITE_OK);
  std::set<std::string> functions;
  while (sqlite3_step(statement) == SQLITE_ROW) {
    functions.emplace(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  ASSERT_TRUE(functions.count("load_extension"));
  const std::set<std::string> refused = {"load_extension",
                                         "fts3_tokenizer",
                                         "sqlite_log",
                                         "changes",
                                         "total_changes",
                                         "last_insert_rowid",
                                         "sqlite_compileoption_get",
                                         "sqlite_compileoption_used",
                                         "fts5",
                                         "fts5_source_id",
                                         "bm25",
                                         "highlight",
                                         "snippet",
                                         "offsets",
                                         "matchinfo",
                                         "optimize",
                                         "match",
                                         "rtreecheck",
                                         "rtreenode",
                                         "rtreedepth",
                                         "sqlite_source_id",
                                         "subtype"};
  for (const std::string& name : functions) {
    EXPECT_EQ(IsAllowedSqlFunction(name), refused.count(name) == 0) << name;
  }
  EXPECT_TRUE(IsAllowedSqlFunction("COUNT"));
  EXPECT_FALSE(IsAllowedSqlFunction("readfile"));
}

}  // namespace
}  // namespace cdp::query
