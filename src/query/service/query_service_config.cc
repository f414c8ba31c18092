#include "query/service/query_service_config.h"

#include <algorithm>
#include <thread>

namespace cdp::query {

QueryServiceOptions QueryServiceOptionsFrom(const Config& config) {
  QueryServiceOptions options;
  options.cache_ttl = {{QueryKind::kEvents, config.cache_ttl_events},
                       {QueryKind::kTrends, config.cache_ttl_trends},
                       {QueryKind::kFunnel, config.cache_ttl_funnel},
                       {QueryKind::kRetention, config.cache_ttl_retention},
                       {QueryKind::kSession, config.cache_ttl_session},
                       {QueryKind::kPaths, config.cache_ttl_paths}};
  options.threads = config.ResolvedQueryThreads();
  options.max_queued = size_t(std::max(0, config.query_queue));
  options.scan_parallelism = int(std::max(1u, std::thread::hardware_concurrency()));
  options.jobs.keep_finished =
      std::chrono::duration_cast<std::chrono::seconds>(config.query_job_ttl);
  options.jobs.max_per_workspace = size_t(std::max(1, config.query_jobs_per_workspace));
  return options;
}

}  // namespace cdp::query
