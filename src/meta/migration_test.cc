#include "meta/migration.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace cdp {
namespace {

// The policy of SchemaMigrator over a history kept in memory; the SQLite
// migrator's own tests cover the database side.
class InMemoryMigrator final : public SchemaMigrator {
 public:
  InMemoryMigrator(std::vector<Migration> migrations, const Clock& clock)
      : SchemaMigrator(std::move(migrations), clock) {}

  std::vector<AppliedMigration> history;
  std::vector<std::string> log;

 protected:
  Result<std::vector<AppliedMigration>> ReadHistory() override { return history; }
  Status ApplyStep(const Migration& m, TimePoint at) override {
    history.push_back({m.version, m.name, at});
    log.push_back("up " + m.up_sql);
    return Status::Ok();
  }
  Status RevertStep(const Migration& m) override {
    std::erase_if(history, [&](const auto& a) { return a.version == m.version; });
    log.push_back("down " + m.down_sql);
    return Status::Ok();
  }
  std::string DatabaseName() const override { return "test.db"; }
};

std::vector<Migration> ThreeSteps() {
  return {{1, "one", "u1", "d1"}, {2, "two", "u2", "d2"}, {3, "three", "u3", "d3"}};
}

TEST(MigrationTest, LabelsStepsAsTheirFiles) {
  EXPECT_EQ(MigrationLabel(1, "workspaces_and_api_keys"), "0001_workspaces_and_api_keys");
  EXPECT_EQ(MigrationLabel(42, "x"), "0042_x");
}

TEST(MigrationTest, ValidatesTheHistoryOfTheBinary) {
  EXPECT_TRUE(ValidateMigrations({}).ok());
  EXPECT_TRUE(ValidateMigrations(ThreeSteps()).ok());
  EXPECT_FALSE(ValidateMigrations({{2, "two", "u", "d"}}).ok());                    // gap
  EXPECT_FALSE(ValidateMigrations({{1, "a", "u", "d"}, {1, "b", "u", "d"}}).ok());  // duplicate
  EXPECT_FALSE(ValidateMigrations({{2, "b", "u", "d"}, {1, "a", "u", "d"}}).ok());  // order
  EXPECT_FALSE(ValidateMigrations({{1, "a", "u", ""}}).ok());                       // no down
  EXPECT_FALSE(ValidateMigrations({{1, "", "u", "d"}}).ok());                       // no name
}

TEST(MigrationTest, UpRunsPendingStepsInOrderWithTheClocksTime) {
  ManualClock clock(TimePoint{} + std::chrono::microseconds(1'234'567));
  InMemoryMigrator migrator(ThreeSteps(), clock);
  migrator.history.push_back({1, "one", TimePoint{}});
  ASSERT_TRUE(migrator.Up().ok());
  EXPECT_EQ(migrator.log, (std::vector<std::string>{"up u2", "up u3"}));
  EXPECT_EQ(migrator.history.back().applied_at, TimePoint{} + std::chrono::milliseconds(1234));
  EXPECT_TRUE(migrator.CheckCurrent().ok());
}

TEST(MigrationTest, DownRevertsNewestFirst) {
  ManualClock clock;
  InMemoryMigrator migrator(ThreeSteps(), clock);
  ASSERT_TRUE(migrator.Up().ok());
  migrator.log.clear();
  ASSERT_TRUE(migrator.Down(2).ok());
  EXPECT_EQ(migrator.log, (std::vector<std::string>{"down d3", "down d2"}));
  EXPECT_EQ(*migrator.CurrentVersion(), 1);
}

TEST(MigrationTest, RefusesAHistoryWithAHole) {
  ManualClock clock;
  InMemoryMigrator migrator(ThreeSteps(), clock);
  migrator.history = {{1, "one", TimePoint{}}, {3, "three", TimePoint{}}};
  Status check = migrator.CheckCurrent();
  EXPECT_EQ(check.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(check.message(),
            "the metadata database test.db is at schema version 3 but migration 0002_two was "
            "never applied: its history is inconsistent; restore a backup");
  EXPECT_EQ(migrator.Up().message(), check.message());
  EXPECT_TRUE(migrator.log.empty());
}

TEST(MigrationTest, StatusListsKnownThenNewerSteps) {
  ManualClock clock;
  InMemoryMigrator migrator({{1, "one", "u1", "d1"}}, clock);
  migrator.history = {{1, "one", TimePoint{}}, {2, "newer", TimePoint{}}};
  auto list = migrator.StatusList();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].name, "newer");
  EXPECT_TRUE((*list)[1].applied);
}

}  // namespace
}  // namespace cdp
