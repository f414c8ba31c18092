#include <gtest/gtest.h>

#include <chrono>

#include "core/uuid.h"
#include "meta/sqlite/sqlite_connection.h"
#include "meta/sqlite/sqlite_meta_store.h"
#include "meta/sqlite/sqlite_test_store.h"
#include "support/temp_dir.h"

namespace cdp {
namespace {

using namespace std::chrono_literals;

const TimePoint kT0 = std::chrono::sys_days{std::chrono::year{2026} / 3 / 4} + 5h + 6min + 789ms;

class SqliteDeadLettersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::OpenMigratedSqliteMetaStore(path_);
    ASSERT_NE(store_, nullptr);
    ASSERT_TRUE(store_->CreateWorkspace({"w1", "demo", kT0}).ok());
    ASSERT_TRUE(store_->CreateWorkspace({"w2", "other", kT0}).ok());
  }

  // A new dead letter of `workspace_id`, with a fresh UUIDv7 a millisecond
  // after the previous one.
  DeadLetter Letter(const std::string& workspace_id, std::string payload = R"({"event":"A"})") {
    clock_.Advance(1ms);
    DeadLetter letter;
    letter.id = Uuid::NewV7(clock_).ToString();
    letter.workspace_id = workspace_id;
    letter.received_at = clock_.Now();
    letter.payload = std::move(payload);
    letter.reason = {"properties.plan is a number, registered as a string", "properties.plan"};
    return letter;
  }
  DeadLetter Added(const std::string& workspace_id) {
    DeadLetter letter = Letter(workspace_id);
    Status status = store_->AddDeadLetter(letter);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return letter;
  }
  ReplayAttempt Attempt(const DeadLetter& letter, ReplayOutcome outcome) {
    clock_.Advance(1ms);
    ReplayAttempt attempt;
    attempt.id = Uuid::NewV7(clock_).ToString();
    attempt.workspace_id = letter.workspace_id;
    attempt.dead_letter_id = letter.id;
    attempt.at = clock_.Now();
    attempt.outcome = outcome;
    if (outcome == ReplayOutcome::kRejected) attempt.reason = {"still a number", "properties.plan"};
    return attempt;
  }
  static std::vector<std::string> Ids(const DeadLetterPage& page) {
    std::vector<std::string> ids;
    for (const DeadLetter& letter : page.results) ids.push_back(letter.id);
    return ids;
  }
  // Runs SQL on a second connection, as another process would.
  Status Exec(const std::string& sql) {
    auto connection = SqliteConnection::Open(path_);
    if (!connection.ok()) return connection.status();
    return (*connection)->Exec(sql);
  }

  testing::TempDir dir_;
  std::string path_ = dir_.File("meta.sqlite");
  ManualClock clock_{kT0};
  std::unique_ptr<SqliteMetaStore> store_;
};

TEST_F(SqliteDeadLettersTest, AddsAndGetsWithinTheWorkspace) {
  const DeadLetter letter = Added("w1");
  EXPECT_EQ(*store_->GetDeadLetter("w1", letter.id), letter);
  EXPECT_EQ(store_->GetDeadLetter("w1", letter.id)->status, DeadLetterStatus::kPending);
  EXPECT_EQ(store_->GetDeadLetter("w2", letter.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetDeadLetter("w1", "nope").status().code(), ErrorCode::kNotFound);

  // The payload is kept byte for byte; a reason may name no field.
  DeadLetter raw = Letter("w1", "{\"event\": \"caf\xc3\xa9\",\n \"n\": 1e400}");
  raw.reason.field.clear();
  ASSERT_TRUE(store_->AddDeadLetter(raw).ok());
  EXPECT_EQ(*store_->GetDeadLetter("w1", raw.id), raw);
}

TEST_F(SqliteDeadLettersTest, RefusesLettersThatDoNotFit) {
  DeadLetter no_id = Letter("w1");
  no_id.id.clear();
  EXPECT_EQ(store_->AddDeadLetter(no_id).field(), "id");
  DeadLetter no_payload = Letter("w1", "");
  EXPECT_EQ(store_->AddDeadLetter(no_payload).code(), ErrorCode::kBadRequest);
  DeadLetter no_reason = Letter("w1");
  no_reason.reason = {};
  EXPECT_EQ(store_->AddDeadLetter(no_reason).code(), ErrorCode::kBadRequest);
  DeadLetter replayed = Letter("w1");
  replayed.status = DeadLetterStatus::kReplayed;
  EXPECT_EQ(store_->AddDeadLetter(replayed).field(), "status");

  Status orphan = store_->AddDeadLetter(Letter("nope"));
  EXPECT_EQ(orphan.code(), ErrorCode::kNotFound);
  EXPECT_EQ(orphan.field(), "workspace_id");

  const DeadLetter letter = Added("w1");
  Status taken = store_->AddDeadLetter(letter);
  EXPECT_EQ(taken.code(), ErrorCode::kConflict);
  EXPECT_EQ(taken.field(), "id");
}

TEST_F(SqliteDeadLettersTest, ListsNewestFirstInPages) {
  std::vector<std::string> ids;  // oldest first
  for (int i = 0; i < 5; ++i) ids.push_back(Added("w1").id);
  Added("w2");  // never listed in w1

  auto first = store_->ListDeadLetters("w1", "", 2);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(Ids(*first), (std::vector<std::string>{ids[4], ids[3]}));
  EXPECT_EQ(first->next_cursor, ids[3]);
  auto second = store_->ListDeadLetters("w1", first->next_cursor, 2);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(Ids(*second), (std::vector<std::string>{ids[2], ids[1]}));
  auto last = store_->ListDeadLetters("w1", second->next_cursor, 2);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(Ids(*last), (std::vector<std::string>{ids[0]}));
  EXPECT_EQ(last->next_cursor, "");

  // A page that ends exactly at the last letter has no next page.
  auto exact = store_->ListDeadLetters("w1", ids[2], 2);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(Ids(*exact), (std::vector<std::string>{ids[1], ids[0]}));
  EXPECT_EQ(exact->next_cursor, "");
  auto all = store_->ListDeadLetters("w1", "", kMaxDeadLetterPageSize);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->results.size(), 5u);
  EXPECT_EQ(all->results.front(), *store_->GetDeadLetter("w1", ids[4]));
}

TEST_F(SqliteDeadLettersTest, ListingChecksTheLimitAndTheWorkspace) {
  for (int limit : {0, -1, kMaxDeadLetterPageSize + 1}) {
    Status status = store_->ListDeadLetters("w1", "", limit).status();
    EXPECT_EQ(status.code(), ErrorCode::kBadRequest) << limit;
    EXPECT_EQ(status.field(), "limit");
  }
  EXPECT_EQ(store_->ListDeadLetters("nope", "", 10).status().code(), ErrorCode::kNotFound);
  auto empty = store_->ListDeadLetters("w1", "", 10);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->results.empty());
  EXPECT_EQ(empty->next_cursor, "");
}

TEST_F(SqliteDeadLettersTest, ReplayAttemptsAreAppendedAndLeaveTheLetterAsItWas) {
  const DeadLetter letter = Added("w1");
  auto none = store_->ListReplayAttempts("w1", letter.id);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  const ReplayAttempt rejected = Attempt(letter, ReplayOutcome::kRejected);
  ASSERT_TRUE(store_->RecordReplayAttempt(rejected).ok());
  EXPECT_EQ(store_->GetDeadLetter("w1", letter.id)->status, DeadLetterStatus::kPending);
  const ReplayAttempt accepted = Attempt(letter, ReplayOutcome::kAccepted);
  ASSERT_TRUE(store_->RecordReplayAttempt(accepted).ok());

  EXPECT_EQ(*store_->ListReplayAttempts("w1", letter.id),
            (std::vector<ReplayAttempt>{rejected, accepted}));
  DeadLetter replayed = letter;
  replayed.status = DeadLetterStatus::kReplayed;
  EXPECT_EQ(*store_->GetDeadLetter("w1", letter.id), replayed);  // all else unchanged
  EXPECT_EQ(store_->ListDeadLetters("w1", "", 10)->results, std::vector<DeadLetter>{replayed});

  // Accepted at most once; recording a rejection afterwards is harmless.
  Status twice = store_->RecordReplayAttempt(Attempt(letter, ReplayOutcome::kAccepted));
  EXPECT_EQ(twice.code(), ErrorCode::kConflict);
  EXPECT_EQ(twice.field(), "dead_letter_id");
  EXPECT_EQ(twice.message(), "dead letter " + letter.id + " was already replayed");
  EXPECT_TRUE(store_->RecordReplayAttempt(Attempt(letter, ReplayOutcome::kRejected)).ok());
  Status same_id = store_->RecordReplayAttempt(rejected);
  EXPECT_EQ(same_id.code(), ErrorCode::kConflict);
  EXPECT_EQ(same_id.field(), "id");
  EXPECT_EQ(store_->ListReplayAttempts("w1", letter.id)->size(), 3u);

  // Neither table can be updated, even behind the store's back.
  EXPECT_FALSE(Exec("UPDATE dead_letters SET payload = '{}'").ok());
  EXPECT_FALSE(Exec("UPDATE dead_letter_replays SET outcome = 'rejected'").ok());
  EXPECT_EQ(*store_->GetDeadLetter("w1", letter.id), replayed);
}

TEST_F(SqliteDeadLettersTest, RefusesAttemptsThatDoNotFit) {
  const DeadLetter letter = Added("w1");
  ReplayAttempt no_reason = Attempt(letter, ReplayOutcome::kRejected);
  no_reason.reason = {};
  EXPECT_EQ(store_->RecordReplayAttempt(no_reason).code(), ErrorCode::kBadRequest);
  ReplayAttempt with_reason = Attempt(letter, ReplayOutcome::kAccepted);
  with_reason.reason = {"fine", ""};
  EXPECT_EQ(store_->RecordReplayAttempt(with_reason).code(), ErrorCode::kBadRequest);
  ReplayAttempt no_id = Attempt(letter, ReplayOutcome::kAccepted);
  no_id.id.clear();
  EXPECT_EQ(store_->RecordReplayAttempt(no_id).field(), "id");
  ReplayAttempt unknown = Attempt(letter, ReplayOutcome::kAccepted);
  unknown.dead_letter_id = "nope";
  EXPECT_EQ(store_->RecordReplayAttempt(unknown).code(), ErrorCode::kNotFound);
  EXPECT_TRUE(store_->ListReplayAttempts("w1", letter.id)->empty());
}

TEST_F(SqliteDeadLettersTest, WorkspacesAreIsolated) {
  const DeadLetter letter = Added("w1");
  ASSERT_TRUE(store_->RecordReplayAttempt(Attempt(letter, ReplayOutcome::kRejected)).ok());

  // Another workspace can neither see the letter nor replay it.
  ReplayAttempt foreign = Attempt(letter, ReplayOutcome::kAccepted);
  foreign.workspace_id = "w2";
  Status status = store_->RecordReplayAttempt(foreign);
  EXPECT_EQ(status.code(), ErrorCode::kNotFound);
  EXPECT_EQ(status.field(), "dead_letter_id");
  EXPECT_EQ(store_->ListReplayAttempts("w2", letter.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->ListReplayAttempts("w1", "nope").status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(store_->ListDeadLetters("w2", "", 10)->results.empty());
  EXPECT_EQ(store_->GetDeadLetter("w1", letter.id)->status, DeadLetterStatus::kPending);
}

TEST_F(SqliteDeadLettersTest, DeletingAWorkspaceDeletesItsSchemaAndDeadLetters) {
  const DeadLetter letter = Added("w1");
  ASSERT_TRUE(store_->RecordReplayAttempt(Attempt(letter, ReplayOutcome::kAccepted)).ok());
  ASSERT_TRUE(store_
                  ->RegisterSchema(
                      "w1", {"A", kT0, {{SchemaSection::kProperties, "x", PropertyType::kString}}})
                  .ok());
  ASSERT_TRUE(store_->RegisterSchema("w2", {"A", kT0, {}}).ok());

  ASSERT_TRUE(Exec("DELETE FROM workspaces WHERE id = 'w1'").ok());
  auto connection = SqliteConnection::Open(path_);
  ASSERT_TRUE(connection.ok());
  for (const char* table : {"schema_properties", "schema_events", "schema_event_properties",
                            "dead_letters", "dead_letter_replays"}) {
    auto count =
        (*connection)
            ->Prepare(std::string("SELECT count(*) FROM ") + table + " WHERE workspace_id = 'w1'");
    ASSERT_TRUE(count.ok());
    ASSERT_TRUE(*count->Step());
    EXPECT_EQ(count->ColumnInt64(0), 0) << table;
  }
  EXPECT_EQ(store_->ListSchema("w2")->size(), 1u);
}

}  // namespace
}  // namespace cdp
