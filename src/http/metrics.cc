#include "http/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>

namespace cdp::http {

namespace {

// Methods outside this set share one label so a client cannot grow the
// number of series without bound.
std::string_view MethodLabel(std::string_view method) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    if (method == known) return known;
  }
  return "OTHER";
}

// A label value: backslash, double quote and newline escaped.
std::string LabelValue(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

size_t HttpMetrics::SeriesKeyHash::operator()(const SeriesKey& key) const {
  // Routes and methods are long-lived strings: their addresses identify them.
  const size_t h1 = std::hash<const void*>{}(key.route.data());
  const size_t h2 = std::hash<const void*>{}(key.method.data());
  return h1 ^ (h2 * 31) ^ (static_cast<size_t>(key.status) * 1'000'003);
}

HttpMetrics::HttpMetrics(int shards) {
  for (int i = 0; i < std::max(1, shards); ++i) shards_.push_back(std::make_unique<Shard>());
}

HttpMetrics::~HttpMetrics() = default;

void HttpMetrics::Record(int shard, std::string_view route, std::string_view method, int status,
                         std::chrono::nanoseconds duration) {
  const double seconds = std::chrono::duration<double>(duration).count();
  const auto bucket =
      static_cast<size_t>(std::lower_bound(kBucketBounds.begin(), kBucketBounds.end(), seconds) -
                          kBucketBounds.begin());
  Shard& target = *shards_[static_cast<size_t>(shard) % shards_.size()];
  std::lock_guard lock(target.mu);
  Series& series = target.series[SeriesKey{route, MethodLabel(method), status}];
  ++series.count;
  series.sum_seconds += seconds;
  if (bucket < series.buckets.size()) ++series.buckets[bucket];
}

std::string HttpMetrics::RenderPrometheus() const {
  // Merge the shards by label values (two shards may hold equal routes at
  // different addresses), in a stable order.
  std::map<std::tuple<std::string, std::string, int>, Series> merged;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard->mu);
    for (const auto& [key, series] : shard->series) {
      Series& total = merged[{std::string(key.route), std::string(key.method), key.status}];
      total.count += series.count;
      total.sum_seconds += series.sum_seconds;
      for (size_t i = 0; i < series.buckets.size(); ++i) total.buckets[i] += series.buckets[i];
    }
  }

  std::string out;
  auto it = std::back_inserter(out);
  fmt::format_to(it,
                 "# HELP cdp_http_requests_total HTTP requests answered, by route, method and "
                 "status.\n# TYPE cdp_http_requests_total counter\n");
  for (const auto& [key, series] : merged) {
    const auto& [route, method, status] = key;
    fmt::format_to(it, "cdp_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
                   LabelValue(route), method, status, series.count);
  }
  fmt::format_to(it,
                 "# HELP cdp_http_request_duration_seconds Time from the first byte of a request "
                 "to the last byte of its response.\n"
                 "# TYPE cdp_http_request_duration_seconds histogram\n");
  for (const auto& [key, series] : merged) {
    const auto& [route, method, status] = key;
    const std::string labels =
        fmt::format("route=\"{}\",method=\"{}\",status=\"{}\"", LabelValue(route), method, status);
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kBucketBounds.size(); ++i) {
      cumulative += series.buckets[i];
      fmt::format_to(it, "cdp_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", labels,
                     kBucketBounds[i], cumulative);
    }
    fmt::format_to(it, "cdp_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n", labels,
                   series.count);
    fmt::format_to(it, "cdp_http_request_duration_seconds_sum{{{}}} {}\n", labels,
                   series.sum_seconds);
    fmt::format_to(it, "cdp_http_request_duration_seconds_count{{{}}} {}\n", labels, series.count);
  }
  fmt::format_to(it,
                 "# HELP cdp_http_open_connections Client connections currently open.\n"
                 "# TYPE cdp_http_open_connections gauge\ncdp_http_open_connections {}\n",
                 open_connections_.load(std::memory_order_relaxed));
  return out;
}

}  // namespace cdp::http
