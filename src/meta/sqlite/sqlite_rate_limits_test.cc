#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>

#include "meta/sqlite/sqlite_connection.h"
#include "meta/sqlite/sqlite_meta_store.h"
#include "meta/sqlite/sqlite_test_store.h"
#include "support/temp_dir.h"

namespace cdp {
namespace {

using namespace std::chrono_literals;

const TimePoint kT0 = std::chrono::sys_days{std::chrono::year{2026} / 3 / 4} + 5h + 6min + 789ms;

class SqliteRateLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::OpenMigratedSqliteMetaStore(path_);
    ASSERT_NE(store_, nullptr);
    ASSERT_TRUE(store_->CreateWorkspace({"w1", "demo", kT0}).ok());
    ASSERT_TRUE(store_->CreateWorkspace({"w2", "other", kT0}).ok());
  }

  // Runs SQL on a second connection, as another process would.
  Status Exec(const std::string& sql) {
    auto connection = SqliteConnection::Open(path_);
    if (!connection.ok()) return connection.status();
    return (*connection)->Exec(sql);
  }

  std::vector<WorkspaceRateLimits> List() {
    auto overrides = store_->ListWorkspaceRateLimits();
    EXPECT_TRUE(overrides.ok()) << overrides.status().ToString();
    return overrides.ok() ? *overrides : std::vector<WorkspaceRateLimits>{};
  }

  static WorkspaceRateLimits Full(std::string workspace_id) {
    return {std::move(workspace_id), 50, 200, 10, 5'000, kT0};
  }

  testing::TempDir dir_;
  std::string path_ = dir_.File("meta.sqlite");
  std::unique_ptr<SqliteMetaStore> store_;
};

TEST_F(SqliteRateLimitsTest, NoOverridesAtFirst) { EXPECT_TRUE(List().empty()); }

TEST_F(SqliteRateLimitsTest, SetsAndListsOverridesByWorkspaceId) {
  WorkspaceRateLimits partial;
  partial.workspace_id = "w1";
  partial.events_per_day = 10;
  partial.updated_at = kT0 + 1s;
  ASSERT_TRUE(store_->SetWorkspaceRateLimits(Full("w2")).ok());
  ASSERT_TRUE(store_->SetWorkspaceRateLimits(partial).ok());
  EXPECT_EQ(List(), (std::vector<WorkspaceRateLimits>{partial, Full("w2")}));
}

TEST_F(SqliteRateLimitsTest, SetReplacesTheWholeOverride) {
  ASSERT_TRUE(store_->SetWorkspaceRateLimits(Full("w1")).ok());
  WorkspaceRateLimits replacement;
  replacement.workspace_id = "w1";
  replacement.burst_requests = 7;
  replacement.updated_at = kT0 + 1h;
  ASSERT_TRUE(store_->SetWorkspaceRateLimits(replacement).ok());
  // The fields left unset went back to the default.
  EXPECT_EQ(List(), std::vector<WorkspaceRateLimits>{replacement});
}

TEST_F(SqliteRateLimitsTest, AnOverrideWithEveryFieldUnsetIsKept) {
  const WorkspaceRateLimits empty{"w1", {}, {}, {}, {}, kT0};
  ASSERT_TRUE(store_->SetWorkspaceRateLimits(empty).ok());
  EXPECT_EQ(List(), std::vector<WorkspaceRateLimits>{empty});
}

TEST_F(SqliteRateLimitsTest, RequestsPerSecondReadsBackExactly) {
  for (double rps :
       {1.0, 2.5, 100.1, 10.0 / 3, 12345.678901234567, 1e300, std::nextafter(1.0, 2.0)}) {
    WorkspaceRateLimits limits{"w1", rps, {}, {}, {}, kT0};
    ASSERT_TRUE(store_->SetWorkspaceRateLimits(limits).ok()) << rps;
    const auto listed = List();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].requests_per_second, rps);
  }
}

TEST_F(SqliteRateLimitsTest, LargestIntegersReadBack) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  const WorkspaceRateLimits limits{"w1", {}, kMax, WorkspaceRateLimits::kMaxBurstWindowSeconds,
                                   kMax, kT0};
  ASSERT_TRUE(store_->SetWorkspaceRateLimits(limits).ok());
  EXPECT_EQ(List(), std::vector<WorkspaceRateLimits>{limits});
}

TEST_F(SqliteRateLimitsTest, SetOnAnUnknownWorkspaceIsNotFound) {
  Status status = store_->SetWorkspaceRateLimits(Full("nope"));
  EXPECT_EQ(status.code(), ErrorCode::kNotFound) << status.ToString();
  EXPECT_EQ(status.field(), "workspace_id");
  EXPECT_EQ(status.message(), "workspace nope not found");
  EXPECT_TRUE(List().empty());
}

// Expects `limits` refused with a BadRequest naming `field`.
void ExpectRefused(SqliteMetaStore& store, const WorkspaceRateLimits& limits,
                   const std::string& field) {
  Status status = store.SetWorkspaceRateLimits(limits);
  EXPECT_EQ(status.code(), ErrorCode::kBadRequest) << field << ": " << status.ToString();
  EXPECT_EQ(status.field(), field);
  EXPECT_NE(status.message().find(field), std::string::npos) << status.message();
}

TEST_F(SqliteRateLimitsTest, RefusesValuesOutOfBoundsNamingTheField) {
  for (double rps : {0.0, 0.5, -3.0, std::numeric_limits<double>::quiet_NaN(),
                     std::numeric_limits<double>::infinity()}) {
    ExpectRefused(*store_, {"w1", rps, {}, {}, {}, kT0}, "requests_per_second");
  }
  for (int64_t burst : {0, -1}) {
    ExpectRefused(*store_, {"w1", {}, burst, {}, {}, kT0}, "burst_requests");
  }
  for (int64_t window :
       {int64_t{0}, int64_t{-5}, WorkspaceRateLimits::kMaxBurstWindowSeconds + 1}) {
    ExpectRefused(*store_, {"w1", {}, {}, window, {}, kT0}, "burst_window_seconds");
  }
  for (int64_t events : {0, -100}) {
    ExpectRefused(*store_, {"w1", {}, {}, {}, events, kT0}, "events_per_day");
  }
  // Validation comes first: an unknown workspace with a bad value is a BadRequest.
  EXPECT_EQ(store_->SetWorkspaceRateLimits({"nope", 0.0, {}, {}, {}, kT0}).code(),
            ErrorCode::kBadRequest);
  EXPECT_TRUE(List().empty());

  // A refused update leaves the previous override as it was.
  ASSERT_TRUE(store_->SetWorkspaceRateLimits(Full("w1")).ok());
  EXPECT_FALSE(store_->SetWorkspaceRateLimits({"w1", {}, 0, {}, {}, kT0 + 1s}).ok());
  EXPECT_EQ(List(), std::vector<WorkspaceRateLimits>{Full("w1")});
}

TEST_F(SqliteRateLimitsTest, BoundariesAreAccepted) {
  const WorkspaceRateLimits lowest{"w1", 1.0, 1, 1, 1, kT0};
  ASSERT_TRUE(store_->SetWorkspaceRateLimits(lowest).ok());
  EXPECT_EQ(List(), std::vector<WorkspaceRateLimits>{lowest});
}

TEST_F(SqliteRateLimitsTest, ClearRemovesTheOverride) {
  ASSERT_TRUE(store_->SetWorkspaceRateLimits(Full("w1")).ok());
  ASSERT_TRUE(store_->SetWorkspaceRateLimits(Full("w2")).ok());
  ASSERT_TRUE(store_->ClearWorkspaceRateLimits("w1").ok());
  EXPECT_EQ(List(), std::vector<WorkspaceRateLimits>{Full("w2")});
  // Clearing again, or a workspace that never had one, is fine.
  EXPECT_TRUE(store_->ClearWorkspaceRateLimits("w1").ok());
  // And a new override can follow.
  ASSERT_TRUE(store_->SetWorkspaceRateLimits(Full("w1")).ok());
  EXPECT_EQ(List().size(), 2u);
}

TEST_F(SqliteRateLimitsTest, ClearOnAnUnknownWorkspaceIsNotFound) {
  Status status = store_->ClearWorkspaceRateLimits("nope");
  EXPECT_EQ(status.code(), ErrorCode::kNotFound) << status.ToString();
  EXPECT_EQ(status.field(), "workspace_id");
  EXPECT_NE(status.message().find("nope"), std::string::npos) << status.message();
}

TEST_F(SqliteRateLimitsTest, AnOverrideGoesWithItsWorkspace) {
  ASSERT_TRUE(store_->SetWorkspaceRateLimits(Full("w1")).ok());
  ASSERT_TRUE(store_->SetWorkspaceRateLimits(Full("w2")).ok());
  ASSERT_TRUE(Exec("DELETE FROM workspaces WHERE id = 'w1'").ok());
  EXPECT_EQ(List(), std::vector<WorkspaceRateLimits>{Full("w2")});
}

// The table refuses what the store's validation refuses, for a row written by
// hand or by another build.
TEST_F(SqliteRateLimitsTest, TheTableChecksTheBoundsToo) {
  constexpr const char* kInsert =
      "INSERT INTO workspace_rate_limits (workspace_id, requests_per_second, burst_requests, "
      "burst_window_seconds, events_per_day, updated_at) VALUES ";
  for (const char* values :
       {"('w1', 0.5, NULL, NULL, NULL, 'x')", "('w1', NULL, 0, NULL, NULL, 'x')",
        "('w1', NULL, NULL, 0, NULL, 'x')", "('w1', NULL, NULL, 86401, NULL, 'x')",
        "('w1', NULL, NULL, NULL, 0, 'x')", "('w1', NULL, NULL, NULL, NULL, NULL)",
        "('nope', NULL, NULL, NULL, NULL, 'x')"}) {
    EXPECT_FALSE(Exec(std::string(kInsert) + values).ok()) << values;
  }
  EXPECT_TRUE(Exec(std::string(kInsert) + "('w1', NULL, NULL, NULL, NULL, 'x')").ok());
}

TEST_F(SqliteRateLimitsTest, AnUnreadableTimeIsInternal) {
  ASSERT_TRUE(Exec("INSERT INTO workspace_rate_limits (workspace_id, updated_at) "
                   "VALUES ('w1', 'yesterday')")
                  .ok());
  EXPECT_EQ(store_->ListWorkspaceRateLimits().status().code(), ErrorCode::kInternal);
}

}  // namespace
}  // namespace cdp
