#include "query/service/query_service_config.h"

#include <gtest/gtest.h>

namespace cdp::query {
namespace {

using std::chrono::seconds;

TEST(QueryServiceConfigTest, EverySettingReachesTheService) {
  Config config;
  config.cache_ttl_events = seconds(1);
  config.cache_ttl_trends = seconds(2);
  config.cache_ttl_funnel = seconds(0);
  config.cache_ttl_retention = seconds(4);
  config.cache_ttl_session = seconds(5);
  config.cache_ttl_paths = seconds(6);
  config.query_threads = 3;
  config.query_queue = 7;
  config.query_job_ttl = std::chrono::minutes(10);
  config.query_jobs_per_workspace = 9;
  const QueryServiceOptions options = QueryServiceOptionsFrom(config);
  EXPECT_EQ(options.cache_ttl.at(QueryKind::kEvents), seconds(1));
  EXPECT_EQ(options.cache_ttl.at(QueryKind::kTrends), seconds(2));
  EXPECT_EQ(options.cache_ttl.at(QueryKind::kFunnel), seconds(0));
  EXPECT_EQ(options.cache_ttl.at(QueryKind::kRetention), seconds(4));
  EXPECT_EQ(options.cache_ttl.at(QueryKind::kSession), seconds(5));
  EXPECT_EQ(options.cache_ttl.at(QueryKind::kPaths), seconds(6));
  EXPECT_FALSE(options.cache_ttl.contains(QueryKind::kSql));
  EXPECT_EQ(options.threads, 3);
  EXPECT_EQ(options.max_queued, 7u);
  EXPECT_GE(options.scan_parallelism, 1);
  EXPECT_EQ(options.jobs.keep_finished, seconds(600));
  EXPECT_EQ(options.jobs.max_per_workspace, 9u);
}

TEST(QueryServiceConfigTest, DefaultsMatchTheServicesOwn) {
  const QueryServiceOptions options = QueryServiceOptionsFrom(Config{});
  for (const auto& [kind, ttl] : options.cache_ttl) EXPECT_EQ(ttl, kDefaultCacheTtl);
  EXPECT_EQ(options.max_queued, QueryServiceOptions{}.max_queued);
  EXPECT_EQ(options.jobs.keep_finished, AsyncJobLimits{}.keep_finished);
  EXPECT_EQ(options.jobs.max_per_workspace, AsyncJobLimits{}.max_per_workspace);
  EXPECT_GE(options.threads, 1);
}

}  // namespace
}  // namespace cdp::query
