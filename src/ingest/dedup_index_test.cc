#include "ingest/dedup_index.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace cdp::ingest {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

const TimePoint kNoon =
    TimePoint(std::chrono::sys_days{std::chrono::year{2026} / 11 / 25}) + hours(12);

TEST(DedupIndexTest, SecondReservationWithinTheWindowIsADuplicate) {
  DedupIndex index;
  EXPECT_TRUE(index.TryReserve("ws1", "m1", kNoon));
  EXPECT_FALSE(index.TryReserve("ws1", "m1", kNoon + hours(23)));
  EXPECT_EQ(index.size(), 1u);
}

TEST(DedupIndexTest, WorkspacesAreSeparateAndConcatenationsDoNotCollide) {
  DedupIndex index;
  EXPECT_TRUE(index.TryReserve("ws1", "m1", kNoon));
  EXPECT_TRUE(index.TryReserve("ws2", "m1", kNoon));
  EXPECT_TRUE(index.TryReserve("ab", "c", kNoon));
  EXPECT_TRUE(index.TryReserve("a", "bc", kNoon));
}

TEST(DedupIndexTest, AfterTheWindowTheSameIdIsNewAgain) {
  DedupIndex index(hours(24));
  EXPECT_TRUE(index.TryReserve("ws", "m", kNoon));
  EXPECT_FALSE(index.TryReserve("ws", "m", kNoon + hours(24) - seconds(1)));
  EXPECT_TRUE(index.TryReserve("ws", "m", kNoon + hours(24)));
}

TEST(DedupIndexTest, ReleaseUndoesAFailedAppend) {
  DedupIndex index;
  EXPECT_TRUE(index.TryReserve("ws", "m", kNoon));
  index.Release("ws", "m");
  EXPECT_TRUE(index.TryReserve("ws", "m", kNoon));
}

TEST(DedupIndexTest, RestoredIdsAreDuplicatesAndKeepTheLatestTime) {
  DedupIndex index(hours(24));
  index.Restore("ws", "m", kNoon);
  index.Restore("ws", "m", kNoon - hours(5));  // older copy read later: keeps noon
  EXPECT_FALSE(index.TryReserve("ws", "m", kNoon + hours(23)));
}

TEST(DedupIndexTest, ExpireForgetsOnlyOldEntries) {
  DedupIndex index(hours(24));
  index.TryReserve("ws", "old", kNoon);
  index.TryReserve("ws", "new", kNoon + hours(20));
  index.Expire(kNoon + hours(25));
  EXPECT_EQ(index.size(), 1u);
  EXPECT_TRUE(index.TryReserve("ws", "old", kNoon + hours(25)));
  EXPECT_FALSE(index.TryReserve("ws", "new", kNoon + hours(25)));
}

TEST(DedupIndexTest, ConcurrentReservationsOfOneIdAdmitExactlyOne) {
  DedupIndex index;
  for (int round = 0; round < 200; ++round) {
    std::atomic<int> admitted{0};
    std::vector<std::thread> threads;
    const std::string id = "m" + std::to_string(round);
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        if (index.TryReserve("ws", id, kNoon)) ++admitted;
      });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(admitted.load(), 1) << id;
  }
}

TEST(DedupIndexTest, ADuplicateOfAnAppendInFlightGetsThatAppendUntilItIsConfirmed) {
  DedupIndex index;
  auto original = std::make_shared<PendingAppend>();
  EXPECT_TRUE(index.Reserve("ws1", "m1", kNoon, original).reserved);
  DedupReservation retry = index.Reserve("ws1", "m1", kNoon, std::make_shared<PendingAppend>());
  EXPECT_FALSE(retry.reserved);
  EXPECT_EQ(retry.pending_original, original);
  index.Confirm("ws1", "m1");
  retry = index.Reserve("ws1", "m1", kNoon, std::make_shared<PendingAppend>());
  EXPECT_FALSE(retry.reserved);
  EXPECT_EQ(retry.pending_original, nullptr);  // durable: nothing to wait for
}

TEST(DedupIndexTest, AReleasedReservationIsFreeAgain) {
  DedupIndex index;
  EXPECT_TRUE(index.Reserve("ws1", "m1", kNoon, std::make_shared<PendingAppend>()).reserved);
  index.Release("ws1", "m1");
  const DedupReservation again = index.Reserve("ws1", "m1", kNoon, nullptr);
  EXPECT_TRUE(again.reserved);
  EXPECT_EQ(again.pending_original, nullptr);
}

TEST(PendingAppendTest, CallbacksRunOnceWithTheFirstOutcome) {
  PendingAppend append;
  std::vector<std::string> seen;
  append.OnDone([&](const Status& status) { seen.push_back("early:" + status.ToString()); });
  append.Finish(Status::Internal("disk full"));
  append.Finish(Status::Ok());  // ignored: the outcome is known
  append.OnDone([&](const Status& status) { seen.push_back("late:" + status.ToString()); });
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].rfind("early:Internal", 0), 0u) << seen[0];
  EXPECT_EQ(seen[1].rfind("late:Internal", 0), 0u) << seen[1];
}

}  // namespace
}  // namespace cdp::ingest
