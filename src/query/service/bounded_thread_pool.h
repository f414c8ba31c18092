#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace cdp::query {

// A fixed set of threads running tasks from a queue of bounded length.
// TrySubmit refuses a task rather than queue it past the bound, so a caller
// under load answers "busy, retry" instead of piling up work and memory.
//
// Destruction runs every task already queued, then joins the threads: tasks
// that hold something to answer (an HTTP reply) always get to answer it. A
// task that should not do its work at shutdown checks its owner's state.
// Thread safety: TrySubmit may be called from any thread, including a task.
class BoundedThreadPool {
 public:
  // REQUIRES: threads >= 1.
  BoundedThreadPool(int threads, size_t max_queued);
  BoundedThreadPool(const BoundedThreadPool&) = delete;
  BoundedThreadPool& operator=(const BoundedThreadPool&) = delete;
  ~BoundedThreadPool();

  // Queues `task`; false (and `task` dropped) when `max_queued`
  // tasks are already waiting for a thread.
  bool TrySubmit(std::function<void()> task);

  // Tasks waiting for a thread, and tasks running.
  size_t queued() const;
  size_t running() const;

 private:
  void Work();

  const size_t max_queued_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;  // guarded by mutex_
  size_t running_ = 0;                       // guarded by mutex_
  bool stopping_ = false;                    // guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace cdp::query
