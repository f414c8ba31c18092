#include "meta/sqlite/sqlite_audit_log.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "core/uuid.h"
#include "meta/sqlite/sqlite_connection.h"
#include "meta/sqlite/sqlite_test_store.h"
#include "support/temp_dir.h"

namespace cdp {
namespace {

using namespace std::chrono_literals;

const TimePoint kT0 = std::chrono::sys_days{std::chrono::year{2026} / 3 / 4} + 5h + 6min + 789ms;

// Actions near each other in byte order, so that prefix filters must stop at
// the '.' ("members.add" is not a "member." action) and must not treat '_'
// or '%' as wildcards.
const std::vector<std::string> kActions = {
    "api_key.create",         "api_key.revoke",   "member.add",   "member.remove",
    "member.role_change",     "members.add",      "member_x.add", "schema.property.change_type",
    "schema.property.delete", "dashboard.delete", "a%b.c",        "workspace.create",
};
const std::vector<std::string> kPrefixes = {"api_key.", "member.", "schema.", "schema.property.",
                                            "a%b.",     "a_b.",    "nothing."};

class SqliteAuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    meta_ = testing::OpenMigratedSqliteMetaStore(path_);
    ASSERT_NE(meta_, nullptr);
    ASSERT_TRUE(meta_->CreateWorkspace({"w1", "demo", kT0}).ok());
    ASSERT_TRUE(meta_->CreateWorkspace({"w2", "other", kT0}).ok());
    auto log = OpenSqliteAuditLog(path_);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(log).value();
  }

  AuditEntry Entry(std::string workspace_id, std::string action = "api_key.create") {
    clock_.Advance(1ms);
    AuditEntry entry;
    entry.id = Uuid::NewV7(clock_).ToString();
    entry.workspace_id = std::move(workspace_id);
    entry.at = clock_.Now();
    entry.actor = {AuditActorKind::kUser, "u1", "ada@example.com"};
    entry.action = std::move(action);
    entry.target_kind = "api_key";
    entry.target_id = "k1";
    entry.details = R"({"kind":"secret","scope":"read"})";
    entry.ip = "203.0.113.9";
    entry.request_id = "req-1";
    return entry;
  }

  testing::TempDir dir_;
  std::string path_ = dir_.File("meta.sqlite");
  ManualClock clock_{kT0};
  std::unique_ptr<SqliteMetaStore> meta_;
  std::unique_ptr<SqliteAuditLog> log_;
};

TEST_F(SqliteAuditLogTest, RoundTripsEveryFieldNewestFirst) {
  AuditEntry first = Entry("w1");
  first.actor = {AuditActorKind::kApiKey, "k9", "sk_4f9Qa\xE2\x80\xA6"};
  AuditEntry second = Entry("w1", "member.role_change");
  second.actor = {AuditActorKind::kCli, "", "root"};
  second.target_kind = "member";
  second.target_id = "u2";
  second.details = R"({"role": {"from": "viewer", "to": "admin"}})";
  second.ip = "";
  second.request_id = "";
  ASSERT_TRUE(log_->AppendAudit(first).ok());
  ASSERT_TRUE(log_->AppendAudit(second).ok());

  auto page = log_->ListAudit("w1", {}, "", 10);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->entries, (std::vector<AuditEntry>{second, first}));
  EXPECT_EQ(page->next_cursor, "");
}

TEST_F(SqliteAuditLogTest, RefusesWhatIsNotAnEntry) {
  for (const char* details : {"", "[]", "1", "\"x\"", "null", "{", "{\"a\":}", "{} {}"}) {
    AuditEntry entry = Entry("w1");
    entry.details = details;
    Status refused = log_->AppendAudit(entry);
    EXPECT_EQ(refused.code(), ErrorCode::kBadRequest) << details;
    EXPECT_EQ(refused.field(), "details") << details;
  }
  AuditEntry spaced = Entry("w1");
  spaced.details = " { \"a\" : [1, {}] } ";
  EXPECT_TRUE(log_->AppendAudit(spaced).ok());

  Status orphan = log_->AppendAudit(Entry("nope"));
  EXPECT_EQ(orphan.code(), ErrorCode::kNotFound);
  EXPECT_EQ(orphan.field(), "workspace_id");

  AuditEntry entry = Entry("w1");
  ASSERT_TRUE(log_->AppendAudit(entry).ok());
  entry.action = "member.add";
  Status taken = log_->AppendAudit(entry);
  EXPECT_EQ(taken.code(), ErrorCode::kConflict);
  EXPECT_EQ(taken.field(), "id");

  AuditEntry no_id = Entry("w1");
  no_id.id = "";
  EXPECT_EQ(log_->AppendAudit(no_id).field(), "id");
  AuditEntry no_action = Entry("w1", "");
  EXPECT_EQ(log_->AppendAudit(no_action).field(), "action");

  EXPECT_EQ(log_->ListAudit("w1", {}, "", 10)->entries.size(), 2u);  // only the good ones
}

TEST_F(SqliteAuditLogTest, ListingRefusesBadCursorsLimitsAndUnknownWorkspaces) {
  ASSERT_TRUE(log_->AppendAudit(Entry("w1")).ok());
  const std::string v7 = Uuid::NewV7(clock_).ToString();
  std::string upper = v7;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  for (const std::string& cursor :
       {std::string("garbage"), std::string("1"), Uuid::NewV4().ToString(), upper, v7.substr(1),
        v7 + "0", std::string(36, '-')}) {
    auto listed = log_->ListAudit("w1", {}, cursor, 10);
    EXPECT_EQ(listed.status().code(), ErrorCode::kBadRequest) << cursor;
    EXPECT_EQ(listed.status().field(), "cursor") << cursor;
  }
  for (int limit : {0, -1, kMaxAuditPageSize + 1}) {
    auto listed = log_->ListAudit("w1", {}, "", limit);
    EXPECT_EQ(listed.status().code(), ErrorCode::kBadRequest) << limit;
    EXPECT_EQ(listed.status().field(), "limit") << limit;
  }
  EXPECT_TRUE(log_->ListAudit("w1", {}, "", kMaxAuditPageSize).ok());

  auto unknown = log_->ListAudit("nope", {}, "", 10);
  EXPECT_EQ(unknown.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(unknown.status().field(), "workspace_id");
  // A known workspace with nothing (or nothing matching) is an empty page.
  auto empty = log_->ListAudit("w2", {}, "", 10);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->entries.empty());
  EXPECT_EQ(empty->next_cursor, "");
}

TEST_F(SqliteAuditLogTest, EntriesGoWithTheirWorkspace) {
  ASSERT_TRUE(log_->AppendAudit(Entry("w1")).ok());
  ASSERT_TRUE(log_->AppendAudit(Entry("w2")).ok());
  auto connection = SqliteConnection::Open(path_);
  ASSERT_TRUE(connection.ok());
  ASSERT_TRUE((*connection)->Exec("DELETE FROM workspaces WHERE id = 'w1'").ok());
  EXPECT_EQ(log_->ListAudit("w1", {}, "", 10).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(log_->ListAudit("w2", {}, "", 10)->entries.size(), 1u);
}

// The reference: every entry appended, filtered and sorted by brute force.
bool Matches(const AuditEntry& entry, std::string_view workspace_id, const AuditFilter& filter) {
  if (entry.workspace_id != workspace_id) return false;
  if (filter.action) {
    const std::string& action = *filter.action;
    if (action.ends_with('.') ? !entry.action.starts_with(action) : entry.action != action) {
      return false;
    }
  }
  if (filter.actor_id && entry.actor.id != *filter.actor_id) return false;
  if (filter.target_id && entry.target_id != *filter.target_id) return false;
  if (filter.since && entry.at < *filter.since) return false;
  if (filter.until && entry.at >= *filter.until) return false;
  return true;
}

// Random entries in two workspaces, appended out of order, then random
// filters read page by page with random limits: the pages together are
// exactly the reference's answer, newest first, and every page but the last
// is full.
TEST_F(SqliteAuditLogTest, PagesMatchABruteForceReferenceUnderRandomFilters) {
  std::mt19937 random(20260304);
  const auto pick = [&](const auto& values) {
    return values[std::uniform_int_distribution<size_t>(0, values.size() - 1)(random)];
  };
  const auto chance = [&](double p) { return std::bernoulli_distribution(p)(random); };
  const std::vector<std::string> workspaces = {"w1", "w2"};
  const std::vector<std::string> actors = {"u1", "u2", "u3", "k1", ""};
  const std::vector<std::string> targets = {"k1", "k2", "u2", "event.plan", "p1"};

  std::vector<AuditEntry> reference;
  for (int i = 0; i < 300; ++i) {
    // Several entries may share a millisecond: ids still order them.
    if (chance(0.7)) clock_.Advance(std::chrono::milliseconds(1 + random() % 5000));
    AuditEntry entry;
    entry.id = Uuid::NewV7(clock_).ToString();
    entry.workspace_id = pick(workspaces);
    entry.at = clock_.Now();
    entry.actor = {AuditActorKind::kUser, pick(actors), "someone"};
    entry.action = pick(kActions);
    entry.target_kind = "thing";
    entry.target_id = pick(targets);
    entry.details = fmt::format(R"({{"i":{}}})", i);
    reference.push_back(entry);
  }
  std::vector<AuditEntry> shuffled = reference;
  std::shuffle(shuffled.begin(), shuffled.end(), random);
  for (const AuditEntry& entry : shuffled) ASSERT_TRUE(log_->AppendAudit(entry).ok());
  const TimePoint first_at = reference.front().at;
  const TimePoint last_at = reference.back().at;
  const auto random_time = [&] {
    const auto span = std::chrono::duration_cast<std::chrono::microseconds>(last_at - first_at);
    // Whole milliseconds and fractions of one, inside and around the span.
    TimePoint t = first_at - 1s + std::chrono::microseconds(random() % (span.count() + 2'000'000));
    if (chance(0.5)) t = std::chrono::floor<std::chrono::milliseconds>(t);
    if (chance(0.2)) t = pick(reference).at;  // exactly an entry's time
    return t;
  };

  int multi_page_rounds = 0;  // the test's own check that it explores
  for (int round = 0; round < 200; ++round) {
    const std::string workspace_id = pick(workspaces);
    AuditFilter filter;
    if (chance(0.4)) filter.action = chance(0.5) ? pick(kActions) : pick(kPrefixes);
    if (chance(0.3)) filter.actor_id = pick(actors);
    if (chance(0.3)) filter.target_id = pick(targets);
    if (chance(0.4)) filter.since = random_time();
    if (chance(0.4)) filter.until = random_time();

    std::vector<AuditEntry> expected;
    for (const AuditEntry& entry : reference) {
      if (Matches(entry, workspace_id, filter)) expected.push_back(entry);
    }
    std::sort(expected.begin(), expected.end(),
              [](const AuditEntry& a, const AuditEntry& b) { return a.id > b.id; });

    std::vector<AuditEntry> listed;
    std::string cursor;
    for (int page_number = 0;; ++page_number) {
      ASSERT_LE(page_number, 301) << "pagination does not end";
      const int limit = chance(0.1) ? kMaxAuditPageSize : 1 + static_cast<int>(random() % 40);
      auto page = log_->ListAudit(workspace_id, filter, cursor, limit);
      ASSERT_TRUE(page.ok()) << page.status().ToString();
      ASSERT_LE(page->entries.size(), static_cast<size_t>(limit));
      for (const AuditEntry& entry : page->entries) EXPECT_EQ(entry.workspace_id, workspace_id);
      listed.insert(listed.end(), page->entries.begin(), page->entries.end());
      if (page->next_cursor.empty()) break;
      EXPECT_EQ(page->entries.size(), static_cast<size_t>(limit));  // only the last may be short
      EXPECT_EQ(page->next_cursor, page->entries.back().id);
      cursor = page->next_cursor;
    }
    ASSERT_EQ(listed, expected) << "round " << round;
    if (!cursor.empty()) ++multi_page_rounds;
  }
  EXPECT_GT(multi_page_rounds, 50);
}

}  // namespace
}  // namespace cdp
