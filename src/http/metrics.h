#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cdp::http {

// Request counts and latency histograms by route, method and status, in the
// Prometheus text format. Each event-loop thread records into its own shard,
// so recording never contends across threads; rendering sums the shards.
// Thread safety: Record(shard) from the thread that owns that shard (or any
// thread, correctly but with contention); everything else from any thread.
class HttpMetrics {
 public:
  // Upper bounds of the latency buckets, in seconds.
  static constexpr std::array<double, 14> kBucketBounds = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};

  explicit HttpMetrics(int shards);
  ~HttpMetrics();

  // REQUIRES: `route` outlives this object (a router pattern or a literal).
  void Record(int shard, std::string_view route, std::string_view method, int status,
              std::chrono::nanoseconds duration);
  void ConnectionOpened() { open_connections_.fetch_add(1, std::memory_order_relaxed); }
  void ConnectionClosed() { open_connections_.fetch_sub(1, std::memory_order_relaxed); }

  std::string RenderPrometheus() const;

 private:
  struct SeriesKey {
    std::string_view route;
    std::string_view method;  // one of a fixed set of literals
    int status;
    // By address: routes and methods are long-lived strings (see Record).
    bool operator==(const SeriesKey& other) const {
      return route.data() == other.route.data() && route.size() == other.route.size() &&
             method.data() == other.method.data() && status == other.status;
    }
  };
  struct SeriesKeyHash {
    size_t operator()(const SeriesKey& key) const;
  };
  struct Series {
    uint64_t count = 0;
    double sum_seconds = 0;
    std::array<uint64_t, kBucketBounds.size()> buckets{};  // not cumulative
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<SeriesKey, Series, SeriesKeyHash> series;  // GUARDED_BY(mu)
  };

  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<int64_t> open_connections_{0};
};

}  // namespace cdp::http
