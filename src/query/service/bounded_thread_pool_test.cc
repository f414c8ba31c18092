#include "query/service/bounded_thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <latch>
#include <set>

namespace cdp::query {
namespace {

TEST(BoundedThreadPoolTest, RunsEveryTaskOffTheCallingThread) {
  std::atomic<int> ran{0};
  std::mutex mutex;
  std::set<std::thread::id> threads;
  {
    BoundedThreadPool pool(2, 1000);
    for (int i = 0; i < 200; ++i) {
      ASSERT_TRUE(pool.TrySubmit([&] {
        ++ran;
        std::lock_guard lock(mutex);
        threads.insert(std::this_thread::get_id());
      }));
    }
  }  // the destructor runs what is queued
  EXPECT_EQ(ran.load(), 200);
  EXPECT_FALSE(threads.contains(std::this_thread::get_id()));
  EXPECT_LE(threads.size(), 2u);
}

TEST(BoundedThreadPoolTest, RefusesPastTheQueueBound) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::latch started(1);
  std::atomic<int> ran{0};
  {
    BoundedThreadPool pool(1, 2);
    ASSERT_TRUE(pool.TrySubmit([&] {
      started.count_down();
      released.wait();
      ++ran;
    }));
    started.wait();  // the one thread is busy
    EXPECT_EQ(pool.running(), 1u);
    EXPECT_TRUE(pool.TrySubmit([&] { ++ran; }));
    EXPECT_TRUE(pool.TrySubmit([&] { ++ran; }));
    EXPECT_EQ(pool.queued(), 2u);
    EXPECT_FALSE(pool.TrySubmit([&] { ++ran; }));
    release.set_value();
  }
  EXPECT_EQ(ran.load(), 3);
}

TEST(BoundedThreadPoolTest, DestructionRunsWhatIsQueued) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> ran{0};
  std::latch started(1);
  auto pool = std::make_unique<BoundedThreadPool>(1, 10);
  ASSERT_TRUE(pool->TrySubmit([&] {
    started.count_down();
    released.wait();
  }));
  started.wait();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(pool->TrySubmit([&] { ++ran; }));
  std::thread destroyer([&] { pool.reset(); });
  release.set_value();
  destroyer.join();
  EXPECT_EQ(ran.load(), 5);
}

}  // namespace
}  // namespace cdp::query
