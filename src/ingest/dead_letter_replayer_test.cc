#include "ingest/dead_letter_replayer.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "ingest/ingest_test_env.h"

namespace cdp::ingest {
namespace {

using testing::IngestTestEnv;

std::string Track(std::string_view message_id, std::string_view plan) {
  return fmt::format(R"({{"userId":"u1","event":"E","messageId":"{}","properties":{{"plan":{}}}}})",
                     message_id, plan);
}

class DeadLetterReplayerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(env_.Segment(Track("m1", R"("pro")")).accepted, 1u);
    // Two events refused for "plan" as a number.
    ASSERT_EQ(env_.Segment(Track("m2", "2")).rejected.size(), 1u);
    ASSERT_EQ(env_.Segment(Track("m3", "3")).rejected.size(), 1u);
    for (const DeadLetter& letter : env_.DeadLetters()) ids_.insert(ids_.begin(), letter.id);
    ASSERT_EQ(ids_.size(), 2u);  // oldest first
  }

  void FixPlanAsNumber() {
    ASSERT_TRUE(env_.store_
                    ->ChangePropertyType(env_.workspace_id(), SchemaSection::kProperties, "plan",
                                         PropertyType::kNumber)
                    .ok());
    env_.schema_->Invalidate(env_.workspace_id());
  }

  size_t LoggedCount(std::string_view message_id) {
    size_t count = 0;
    for (const Event& event : env_.LoggedEvents()) count += event.message_id == message_id;
    return count;
  }

  IngestTestEnv env_;
  DeadLetterReplayer replayer_{*env_.store_, *env_.schema_, env_.dedup_, *env_.log_, env_.clock_};
  std::vector<std::string> ids_;
};

TEST_F(DeadLetterReplayerTest, BeforeTheFixAReplayIsRejectedAndRecorded) {
  auto results = replayer_.Replay(env_.workspace_id(), {ids_[0]});
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  ASSERT_EQ(results->size(), 1u);
  EXPECT_EQ((*results)[0].verdict, ReplayVerdict::kRejected);
  EXPECT_EQ((*results)[0].reason.field, "properties.plan");
  EXPECT_EQ(LoggedCount("m2"), 0u);

  auto attempts = env_.store_->ListReplayAttempts(env_.workspace_id(), ids_[0]);
  ASSERT_TRUE(attempts.ok());
  ASSERT_EQ(attempts->size(), 1u);
  EXPECT_EQ((*attempts)[0].outcome, ReplayOutcome::kRejected);
  // The dead letter itself never changes.
  auto letter = env_.store_->GetDeadLetter(env_.workspace_id(), ids_[0]);
  ASSERT_TRUE(letter.ok());
  EXPECT_EQ(letter->status, DeadLetterStatus::kPending);
}

TEST_F(DeadLetterReplayerTest, AfterTheFixTheEventsAreAppendedOnceAndTheLettersReplayed) {
  FixPlanAsNumber();
  auto results = replayer_.Replay(env_.workspace_id(), ids_);
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  ASSERT_EQ(results->size(), 2u);
  EXPECT_EQ((*results)[0].verdict, ReplayVerdict::kAccepted);
  EXPECT_EQ((*results)[1].verdict, ReplayVerdict::kAccepted);
  EXPECT_EQ(LoggedCount("m2"), 1u);
  EXPECT_EQ(LoggedCount("m3"), 1u);
  auto letter = env_.store_->GetDeadLetter(env_.workspace_id(), ids_[0]);
  ASSERT_TRUE(letter.ok());
  EXPECT_EQ(letter->status, DeadLetterStatus::kReplayed);

  // Again: nothing more is appended.
  results = replayer_.Replay(env_.workspace_id(), ids_);
  ASSERT_TRUE(results.ok());
  EXPECT_EQ((*results)[0].verdict, ReplayVerdict::kAlreadyReplayed);
  EXPECT_EQ(LoggedCount("m2"), 1u);
  EXPECT_TRUE(replayer_.PendingIds(env_.workspace_id(), 10)->empty());
}

TEST_F(DeadLetterReplayerTest, AnEventTheClientResentAfterTheFixIsADuplicate) {
  FixPlanAsNumber();
  ASSERT_EQ(env_.Segment(Track("m2", "2")).accepted, 1u);
  auto results = replayer_.Replay(env_.workspace_id(), {ids_[0]});
  ASSERT_TRUE(results.ok());
  EXPECT_EQ((*results)[0].verdict, ReplayVerdict::kDuplicate);
  EXPECT_EQ(LoggedCount("m2"), 1u);
  EXPECT_EQ(env_.store_->GetDeadLetter(env_.workspace_id(), ids_[0])->status,
            DeadLetterStatus::kReplayed);
}

TEST_F(DeadLetterReplayerTest, AnotherWorkspacesLettersAreNotFound) {
  FixPlanAsNumber();
  auto results = replayer_.Replay(env_.other_.workspace.id, {ids_[0], "nope"});
  ASSERT_TRUE(results.ok());
  EXPECT_EQ((*results)[0].verdict, ReplayVerdict::kNotFound);
  EXPECT_EQ((*results)[1].verdict, ReplayVerdict::kNotFound);
  EXPECT_EQ(LoggedCount("m2"), 0u);
}

TEST_F(DeadLetterReplayerTest, PendingIdsAreOldestFirstAndBounded) {
  auto pending = replayer_.PendingIds(env_.workspace_id(), 10);
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(*pending, ids_);
  EXPECT_EQ(*replayer_.PendingIds(env_.workspace_id(), 1), std::vector<std::string>{ids_[0]});
}

TEST_F(DeadLetterReplayerTest, TooManyIdsAreRefused) {
  const std::vector<std::string> ids(kMaxReplayIds + 1, "x");
  auto results = replayer_.Replay(env_.workspace_id(), ids);
  ASSERT_FALSE(results.ok());
  EXPECT_EQ(results.status().field(), "ids");
}

TEST(ReplayVerdictNameTest, Names) {
  EXPECT_EQ(ReplayVerdictName(ReplayVerdict::kAccepted), "accepted");
  EXPECT_EQ(ReplayVerdictName(ReplayVerdict::kDuplicate), "duplicate");
  EXPECT_EQ(ReplayVerdictName(ReplayVerdict::kRejected), "rejected");
  EXPECT_EQ(ReplayVerdictName(ReplayVerdict::kAlreadyReplayed), "already_replayed");
  EXPECT_EQ(ReplayVerdictName(ReplayVerdict::kNotFound), "not_found");
}

}  // namespace
}  // namespace cdp::ingest
