#include "core/periodic_task.h"

#include <gtest/gtest.h>

#include <atomic>

namespace cdp {
namespace {

using namespace std::chrono_literals;

TEST(PeriodicTaskTest, RunsRepeatedlyUntilDestroyed) {
  std::atomic<int> runs{0};
  {
    PeriodicTask task(1ms, [&] { ++runs; });
    while (runs.load() < 3) std::this_thread::sleep_for(1ms);
  }
  const int after_destruction = runs.load();
  std::this_thread::sleep_for(5ms);
  EXPECT_EQ(runs.load(), after_destruction);
}

TEST(PeriodicTaskTest, DestructionDoesNotWaitForTheInterval) {
  // Were the destructor to wait for the next run, this would hang (and the
  // test time out) rather than run the task.
  std::atomic<int> runs{0};
  {
    PeriodicTask task(1h, [&] { ++runs; });
  }
  EXPECT_EQ(runs.load(), 0);
}

}  // namespace
}  // namespace cdp
