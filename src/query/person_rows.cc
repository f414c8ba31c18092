#include "query/person_rows.h"

namespace cdp::query {

void ParallelFor(int parallelism, size_t count, const std::function<void(int, size_t)>& task) {
  std::atomic<size_t> next{0};
  const auto run = [&](int thread) {
    for (size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) task(thread, i);
  };
  std::vector<std::thread> threads;
  for (int thread = 1; thread < std::max(1, parallelism); ++thread)
    threads.emplace_back(run, thread);
  run(0);
  for (std::thread& thread : threads) thread.join();
}

}  // namespace cdp::query
