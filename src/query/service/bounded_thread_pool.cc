#include "query/service/bounded_thread_pool.h"

#include <cassert>

namespace cdp::query {

BoundedThreadPool::BoundedThreadPool(int threads, size_t max_queued) : max_queued_(max_queued) {
  assert(threads >= 1);
  threads_.reserve(threads);
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
}

BoundedThreadPool::~BoundedThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

bool BoundedThreadPool::TrySubmit(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= max_queued_) return false;
    queue_.push_back(std::move(task));
  }
  wake_.notify_one();
  return true;
}

size_t BoundedThreadPool::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

size_t BoundedThreadPool::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

void BoundedThreadPool::Work() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left to run
    std::function<void()> task = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    lock.unlock();
    task();
    task = nullptr;  // whatever the task holds is released outside the lock
    lock.lock();
    --running_;
  }
}

}  // namespace cdp::query
