#include "http/metrics.h"

#include <gtest/gtest.h>

#include <thread>

namespace cdp::http {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(HttpMetricsTest, CountsByRouteMethodAndStatus) {
  HttpMetrics metrics(2);
  metrics.Record(0, "/health", "GET", 200, microseconds(50));
  metrics.Record(1, "/health", "GET", 200, microseconds(70));
  metrics.Record(1, "/health", "GET", 503, milliseconds(2));
  metrics.Record(0, "/v1/track", "POST", 200, milliseconds(20));
  const std::string text = metrics.RenderPrometheus();
  EXPECT_TRUE(Contains(
      text, "cdp_http_requests_total{route=\"/health\",method=\"GET\",status=\"200\"} 2\n"));
  EXPECT_TRUE(Contains(
      text, "cdp_http_requests_total{route=\"/health\",method=\"GET\",status=\"503\"} 1\n"));
  EXPECT_TRUE(Contains(
      text, "cdp_http_requests_total{route=\"/v1/track\",method=\"POST\",status=\"200\"} 1\n"));
  EXPECT_TRUE(Contains(text, "# TYPE cdp_http_request_duration_seconds histogram"));
}

TEST(HttpMetricsTest, HistogramBucketsAreCumulative) {
  HttpMetrics metrics(1);
  metrics.Record(0, "/r", "GET", 200, microseconds(50));         // <= 0.0001
  metrics.Record(0, "/r", "GET", 200, microseconds(300));        // <= 0.0005
  metrics.Record(0, "/r", "GET", 200, milliseconds(30));         // <= 0.05
  metrics.Record(0, "/r", "GET", 200, std::chrono::seconds(9));  // only +Inf
  const std::string text = metrics.RenderPrometheus();
  const std::string labels = "route=\"/r\",method=\"GET\",status=\"200\"";
  EXPECT_TRUE(Contains(text, "_bucket{" + labels + ",le=\"0.0001\"} 1\n"));
  EXPECT_TRUE(Contains(text, "_bucket{" + labels + ",le=\"0.00025\"} 1\n"));
  EXPECT_TRUE(Contains(text, "_bucket{" + labels + ",le=\"0.0005\"} 2\n"));
  EXPECT_TRUE(Contains(text, "_bucket{" + labels + ",le=\"0.05\"} 3\n"));
  EXPECT_TRUE(Contains(text, "_bucket{" + labels + ",le=\"5\"} 3\n"));
  EXPECT_TRUE(Contains(text, "_bucket{" + labels + ",le=\"+Inf\"} 4\n"));
  EXPECT_TRUE(Contains(text, "cdp_http_request_duration_seconds_count{" + labels + "} 4\n"));
  EXPECT_TRUE(Contains(text, "cdp_http_request_duration_seconds_sum{" + labels + "} 9.03035"));
}

TEST(HttpMetricsTest, UnknownMethodsShareOneLabel) {
  HttpMetrics metrics(1);
  metrics.Record(0, "/r", "BREW", 405, microseconds(1));
  metrics.Record(0, "/r", "PROPFIND", 405, microseconds(1));
  EXPECT_TRUE(
      Contains(metrics.RenderPrometheus(),
               "cdp_http_requests_total{route=\"/r\",method=\"OTHER\",status=\"405\"} 2\n"));
}

TEST(HttpMetricsTest, EqualRoutesAtDifferentAddressesMerge) {
  HttpMetrics metrics(1);
  const std::string a = "/same";
  const std::string b = "/same";
  metrics.Record(0, a, "GET", 200, microseconds(1));
  metrics.Record(0, b, "GET", 200, microseconds(1));
  EXPECT_TRUE(
      Contains(metrics.RenderPrometheus(),
               "cdp_http_requests_total{route=\"/same\",method=\"GET\",status=\"200\"} 2\n"));
}

TEST(HttpMetricsTest, ConcurrentRecordingLosesNothing) {
  HttpMetrics metrics(4);
  std::vector<std::thread> threads;
  for (int shard = 0; shard < 4; ++shard) {
    threads.emplace_back([&metrics, shard] {
      for (int i = 0; i < 10'000; ++i) metrics.Record(shard, "/c", "POST", 200, microseconds(5));
    });
  }
  std::thread scraper([&metrics] {
    for (int i = 0; i < 50; ++i) metrics.RenderPrometheus();
  });
  for (auto& t : threads) t.join();
  scraper.join();
  EXPECT_TRUE(
      Contains(metrics.RenderPrometheus(),
               "cdp_http_requests_total{route=\"/c\",method=\"POST\",status=\"200\"} 40000\n"));
}

TEST(HttpMetricsTest, OpenConnectionsGauge) {
  HttpMetrics metrics(1);
  metrics.ConnectionOpened();
  metrics.ConnectionOpened();
  metrics.ConnectionClosed();
  EXPECT_TRUE(Contains(metrics.RenderPrometheus(), "cdp_http_open_connections 1\n"));
}

}  // namespace
}  // namespace cdp::http
