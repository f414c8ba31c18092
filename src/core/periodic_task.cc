#include "core/periodic_task.h"

#include <cassert>

namespace cdp {

PeriodicTask::PeriodicTask(std::chrono::milliseconds interval, std::function<void()> task)
    : interval_(interval), task_(std::move(task)) {
  assert(interval > std::chrono::milliseconds::zero());
  thread_ = std::thread([this] { Loop(); });
}

PeriodicTask::~PeriodicTask() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void PeriodicTask::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    const auto due = std::chrono::steady_clock::now() + interval_;
    if (wake_.wait_until(lock, due, [this] { return stopping_; })) return;
    lock.unlock();
    task_();
    lock.lock();
  }
}

}  // namespace cdp
