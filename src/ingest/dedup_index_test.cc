#include "ingest/dedup_index.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>

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

TEST(DedupIndexTest, ManyReservationsStayDuplicatesAsTheIndexGrows) {
  DedupIndex index;
  constexpr int kIds = 300'000;  // ~290 a shard: each shard's table doubles 5 times
  for (int i = 0; i < kIds; ++i) {
    ASSERT_TRUE(index.TryReserve("ws", "m" + std::to_string(i), kNoon)) << i;
  }
  EXPECT_EQ(index.size(), static_cast<size_t>(kIds));
  for (int i = 0; i < kIds; i += 2) index.Release("ws", "m" + std::to_string(i));
  EXPECT_EQ(index.size(), static_cast<size_t>(kIds / 2));
  for (int i = 0; i < kIds; ++i) {
    ASSERT_EQ(index.TryReserve("ws", "m" + std::to_string(i), kNoon + hours(1)), i % 2 == 0) << i;
  }
  EXPECT_EQ(index.size(), static_cast<size_t>(kIds));
}

TEST(DedupIndexTest, ExpireKeepsEachEntryUntilItsOwnWindowEnds) {
  DedupIndex index(hours(24));
  // One arrival a second from midnight to midnight; Expire at noon the next
  // day forgets those received up to noon.
  const TimePoint midnight = kNoon - hours(12);
  for (int second = 0; second < 86'400; ++second) {
    index.Restore("ws", "m" + std::to_string(second), midnight + seconds(second));
  }
  index.Expire(kNoon + hours(24));
  EXPECT_EQ(index.size(), 86'399u - 43'200u);
  for (int second = 0; second < 86'400; ++second) {
    const bool expired = second <= 43'200;
    ASSERT_EQ(index.TryReserve("ws", "m" + std::to_string(second), kNoon + hours(24)), expired)
        << second;
  }
}

// The semantics of DedupIndex, written plainly: a map from (workspace,
// messageId) to the arrival second, and the appends in flight.
class DedupReferenceModel {
 public:
  explicit DedupReferenceModel(int64_t window) : window_(window) {}

  DedupReservation Reserve(const std::string& key, int64_t now,
                           std::shared_ptr<PendingAppend> append) {
    const auto [it, inserted] = seen_.try_emplace(key, now);
    if (!inserted && now - it->second < window_) {
      const auto pending = pending_.find(key);
      return {false, pending == pending_.end() ? nullptr : pending->second};
    }
    it->second = now;
    if (append) pending_[key] = std::move(append);
    return {true, nullptr};
  }
  void Confirm(const std::string& key) { pending_.erase(key); }
  void Release(const std::string& key) {
    seen_.erase(key);
    pending_.erase(key);
  }
  void Restore(const std::string& key, int64_t at) {
    const auto [it, inserted] = seen_.try_emplace(key, at);
    it->second = std::max(it->second, at);
  }
  void Expire(int64_t now) {
    std::erase_if(seen_, [&](const auto& entry) { return entry.second <= now - window_; });
  }
  size_t size() const { return seen_.size(); }

 private:
  int64_t window_;
  std::unordered_map<std::string, int64_t> seen_;
  std::unordered_map<std::string, std::shared_ptr<PendingAppend>> pending_;
};

TEST(DedupIndexTest, MatchesAReferenceModelUnderRandomOperations) {
  constexpr int64_t kWindow = 600;
  DedupIndex index(seconds{kWindow});
  DedupReferenceModel model(kWindow);
  std::mt19937_64 random(7);
  const int64_t start = std::chrono::duration_cast<seconds>(kNoon.time_since_epoch()).count();
  int64_t now = start;
  const auto at = [](int64_t epoch_seconds) { return TimePoint(seconds(epoch_seconds)); };
  for (int step = 0; step < 300'000; ++step) {
    const std::string workspace = "ws" + std::to_string(random() % 3);
    const std::string message_id = "m" + std::to_string(random() % 5000);
    const std::string key = workspace + '/' + message_id;
    const uint64_t op = random() % 100;
    if (op < 50) {
      auto append = random() % 2 == 0 ? std::make_shared<PendingAppend>() : nullptr;
      const DedupReservation got = index.Reserve(workspace, message_id, at(now), append);
      const DedupReservation want = model.Reserve(key, now, append);
      ASSERT_EQ(got.reserved, want.reserved) << step;
      ASSERT_EQ(got.pending_original, want.pending_original) << step;
    } else if (op < 70) {
      index.Confirm(workspace, message_id);
      model.Confirm(key);
    } else if (op < 85) {
      index.Release(workspace, message_id);
      model.Release(key);
    } else if (op < 99) {
      // Restored arrivals may be older than the window, or in the future.
      const int64_t arrival = now - kWindow * 2 + static_cast<int64_t>(random() % (kWindow * 3));
      index.Restore(workspace, message_id, at(arrival));
      model.Restore(key, arrival);
    } else {
      index.Expire(at(now));
      model.Expire(now);
    }
    ASSERT_EQ(index.size(), model.size()) << step;
    now += static_cast<int64_t>(random() % 3);  // time goes on, often within a second
  }
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
