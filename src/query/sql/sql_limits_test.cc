// The limits of custom SQL: a time limit, a memory cap, a row cap and
// cancellation. After each, the process is fine and the next query works.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>

#include "query/sql/sql_memory_budget.h"
#include "query/sql/sql_query.h"
#include "query/sql/sql_test_util.h"
#include "query/testing/test_event_store.h"
#include "store/testing/random_events.h"

namespace cdp::query {
namespace {

using testing::RunSql;
using testing::SqlBody;
using testing::SqlTestResult;
using testing::SqlTestValue;

// A statement that never ends by itself.
constexpr std::string_view kEndless =
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n";

class SqlLimitsTest : public ::testing::Test {
 protected:
  SqlLimitsTest() {
    std::mt19937_64 random(31);
    events_ = cdp::testing::RandomEvents(random, 1000);
    store_ = std::make_unique<query::testing::TestEventStore>(events_, 2, 128);
    context_.workspace_id = "ws_a";
    for (const Event& event : events_) rows_ += event.workspace_id == "ws_a";
  }

  // The next query after a failure works.
  void ExpectHealthy() {
    const Result<SqlTestResult> result =
        RunSql(store_->store(), "ws_a", "SELECT count(*) FROM events");
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(result->rows[0][0], SqlTestValue(rows_));
  }

  std::vector<Event> events_;
  std::unique_ptr<query::testing::TestEventStore> store_;
  QueryContext context_;
  int64_t rows_ = 0;
};

TEST_F(SqlLimitsTest, TimeLimit) {
  const Result<QueryOutput> endless =
      RunSqlQuery(context_, store_->store(), SqlBody(kEndless, std::nullopt, 1));
  ASSERT_FALSE(endless.ok());
  EXPECT_EQ(endless.status().code(), ErrorCode::kUnprocessableEntity);
  EXPECT_EQ(endless.status().field(), "query");
  EXPECT_EQ(endless.status().message(), "the query ran longer than 1 s (timeout_seconds)");
  ExpectHealthy();
}

TEST_F(SqlLimitsTest, MemoryCap) {
  const SqlLimits small{.memory_bytes = size_t{8} << 20};
  const std::string_view greedy[] = {
      // One huge string.
      "SELECT length(printf('%.*c', 100000000, 'x'))",
      // A GROUP BY with millions of groups, sorted in memory.
      "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3000000) "
      "SELECT x, count(*) FROM n GROUP BY x ORDER BY 2 DESC LIMIT 1",
      // A string growing row by row over the events table.
      "SELECT length(group_concat(message_id || printf('%.30000c', 'x'))) FROM events",
      // A materialized subquery over a cross join of the table with itself.
      "WITH m AS MATERIALIZED (SELECT a.message_id || b.message_id AS k FROM events a, events b) "
      "SELECT count(DISTINCT k) FROM m",
  };
  for (const std::string_view sql : greedy) {
    const Result<SqlTestResult> result = RunSql(store_->store(), "ws_a", sql, small);
    ASSERT_FALSE(result.ok()) << sql;
    EXPECT_EQ(result.status().code(), ErrorCode::kUnprocessableEntity) << sql;
    EXPECT_EQ(result.status().field(), "query");
    EXPECT_EQ(result.status().message(), "the query used more than 8 MiB of memory") << sql;
    ExpectHealthy();
  }
  // A result bigger than the cap is refused too.
  const Result<SqlTestResult> wide =
      RunSql(store_->store(), "ws_a",
             "SELECT printf('%.2000c', 'x') FROM events a, events b LIMIT 20000", small);
  ASSERT_FALSE(wide.ok());
  EXPECT_EQ(wide.status().code(), ErrorCode::kUnprocessableEntity);
  // The same queries run with the default cap... at least the first two.
  const Result<SqlTestResult> fits =
      RunSql(store_->store(), "ws_a", "SELECT length(printf('%.*c', 10000000, 'x'))");
  ASSERT_TRUE(fits.ok()) << fits.status().ToString();
  EXPECT_EQ(fits->rows[0][0], SqlTestValue(int64_t{10'000'000}));
}

TEST_F(SqlLimitsTest, RowCap) {
  const auto run = [&](int64_t limit) {
    Result<QueryOutput> output =
        RunSqlQuery(context_, store_->store(),
                    SqlBody("SELECT message_id FROM events ORDER BY message_id", limit));
    EXPECT_TRUE(output.ok()) << output.status().ToString();
    Result<SqlTestResult> result = testing::ParseSqlResult(output->json);
    EXPECT_TRUE(result.ok());
    EXPECT_EQ(output->rows, result->rows.size());
    return std::move(result).value();
  };
  const SqlTestResult five = run(5);
  EXPECT_EQ(five.rows.size(), 5u);
  EXPECT_TRUE(five.truncated);
  const SqlTestResult all = run(rows_);
  EXPECT_EQ(all.rows.size(), size_t(rows_));
  EXPECT_FALSE(all.truncated);
  const SqlTestResult one_less = run(rows_ - 1);
  EXPECT_TRUE(one_less.truncated);
  // The default cap is 10,000 rows.
  const Result<QueryOutput> many = RunSqlQuery(
      context_, store_->store(),
      SqlBody("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 20000) "
              "SELECT x FROM n"));
  ASSERT_TRUE(many.ok());
  EXPECT_EQ(many->rows, 10'000u);
  EXPECT_NE(many->json.find("\"truncated\":true"), std::string::npos);
}

TEST_F(SqlLimitsTest, Cancellation) {
  std::atomic<bool> cancelled{true};
  QueryContext context = context_;
  context.cancelled = &cancelled;
  const Result<QueryOutput> before = RunSqlQuery(context, store_->store(), SqlBody("SELECT 1"));
  ASSERT_FALSE(before.ok());
  EXPECT_EQ(before.status().message(), CancelledStatus().message());
  // Cancelled while it runs: the statement never ends by itself, so only the
  // cancellation can end it (the time limit is 300 s).
  cancelled = false;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    cancelled = true;
  });
  const Result<QueryOutput> during =
      RunSqlQuery(context, store_->store(), SqlBody(kEndless, std::nullopt, 300));
  canceller.join();
  ASSERT_FALSE(during.ok());
  EXPECT_EQ(during.status().code(), CancelledStatus().code());
  EXPECT_EQ(during.status().message(), CancelledStatus().message());
  // Cancelled during a scan of the table itself.
  cancelled = false;
  std::thread scan_canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    cancelled = true;
  });
  const Result<QueryOutput> scanning = RunSqlQuery(
      context, store_->store(),
      SqlBody("SELECT count(*) FROM events a, events b, events c WHERE a.event = b.event",
              std::nullopt, 300));
  scan_canceller.join();
  ASSERT_FALSE(scanning.ok());
  EXPECT_EQ(scanning.status().message(), CancelledStatus().message());
  ExpectHealthy();
}

TEST_F(SqlLimitsTest, ProgressIsReported) {
  QueryProgress progress;
  QueryContext context = context_;
  context.progress = &progress;
  const Result<QueryOutput> output =
      RunSqlQuery(context, store_->store(), SqlBody("SELECT count(*) FROM events"));
  ASSERT_TRUE(output.ok()) << output.status().ToString();
  EXPECT_EQ(progress.scanned_rows(), uint64_t(rows_));
}

TEST(SqlMemoryBudgetTest, ChargesUpToTheCap) {
  SqlMemoryBudget budget(1000);
  EXPECT_TRUE(budget.TryCharge(600));
  EXPECT_FALSE(budget.TryCharge(401));
  EXPECT_TRUE(budget.exceeded());
  EXPECT_TRUE(budget.TryCharge(400));
  EXPECT_EQ(budget.used(), 1000);
  budget.Release(1000);
  {
    // A charge takes over bytes already charged, and releases them.
    ASSERT_TRUE(budget.TryCharge(300));
    SqlMemoryCharge charge(&budget, 300);
    EXPECT_EQ(budget.used(), 300);
    SqlMemoryCharge moved = std::move(charge);
    EXPECT_EQ(budget.used(), 300);
  }
  EXPECT_EQ(budget.used(), 0);
}

// SQLite's allocations on a thread with a scope count, and come back when
// freed; one past the cap fails; other threads are not counted.
TEST(SqlMemoryBudgetTest, CountsSqliteAllocationsOfItsThread) {
  ASSERT_TRUE(InstallSqlMemoryAccounting().ok());
  SqlMemoryBudget budget(size_t{64} << 20);
  {
    ScopedSqlMemoryBudget scope(budget);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, nullptr),
              SQLITE_OK);
    EXPECT_GT(budget.used(), 0);
    sqlite3_stmt* statement = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT randomblob(4000000)", -1, &statement, nullptr),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
    EXPECT_GT(budget.used(), 4'000'000);
    sqlite3_finalize(statement);
    // Another thread's allocations are its own.
    const int64_t before = budget.used();
    std::thread([] {
      sqlite3* other = nullptr;
      sqlite3_open_v2(":memory:", &other, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, nullptr);
      sqlite3_exec(other, "SELECT randomblob(1000000)", nullptr, nullptr, nullptr);
      sqlite3_close(other);
    }).join();
    EXPECT_EQ(budget.used(), before);
    sqlite3_close(db);
  }
  // What SQLite keeps for itself after the first use (a few globals) is all
  // that may remain.
  EXPECT_LT(budget.used(), 64 << 10);
  EXPECT_FALSE(budget.exceeded());

  SqlMemoryBudget small(1 << 20);
  {
    ScopedSqlMemoryBudget scope(small);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, nullptr),
              SQLITE_OK);
    sqlite3_stmt* statement = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT randomblob(4000000)", -1, &statement, nullptr),
              SQLITE_OK);
    EXPECT_EQ(sqlite3_step(statement), SQLITE_NOMEM);
    sqlite3_finalize(statement);
    sqlite3_close(db);
  }
  EXPECT_TRUE(small.exceeded());
  EXPECT_LT(small.used(), 64 << 10);
}

}  // namespace
}  // namespace cdp::query
