#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "query/query_context.h"
#include "query/query_kind.h"
#include "query/query_runner.h"
#include "query/service/async_query_jobs.h"
#include "query/service/bounded_thread_pool.h"
#include "query/service/query_cache.h"
#include "store/event_store.h"

namespace cdp::query {

// Cached results live this long unless their kind's TTL says otherwise.
inline constexpr std::chrono::seconds kDefaultCacheTtl{60};

struct QueryServiceOptions {
  // Time-to-live of cached results by kind (CDP_CACHE_TTL_<KIND>_SECONDS);
  // a kind not listed gets kDefaultCacheTtl, 0 turns caching off for it.
  // SQL is never cached, whatever this says: a custom query may read
  // anything, including what changes between two identical requests.
  std::map<QueryKind, std::chrono::seconds> cache_ttl = {};
  // Queries running at once (CDP_QUERY_THREADS), and queries waiting for one
  // of those threads before more are refused with 503 (CDP_QUERY_QUEUE).
  // Synchronous and async queries share them.
  int threads = 2;
  size_t max_queued = 64;
  // Threads each query scans with (QueryContext::parallelism).
  int scan_parallelism = 2;
  AsyncJobLimits jobs = {};
  // Who is who (identity stitching): every query the service runs resolves
  // events to persons through it, and cached answers are keyed by the
  // version of the workspace's snapshot they were computed with, so a merge
  // is seen at once rather than after the TTL. nullptr: nobody is merged.
  // REQUIRES: outlives the service.
  const PersonDirectory* persons = nullptr;
};

// What the service has done since it started, for /metrics.
struct QueryServiceCounters {
  uint64_t queries = 0;     // answered by Run, cache hits included
  uint64_t cache_hits = 0;  // answered from the cache
  uint64_t failed = 0;      // ended with an error (cancellations included)
  uint64_t refused = 0;     // refused because the queue was full
};

// The query service: runs the analyses (one QueryFunction per kind) for a
// workspace through the result cache, off the caller's thread on a bounded
// pool, synchronously or as async jobs, and logs one line per query:
//
//   {"msg":"query","workspace_id":"ws_…","query_type":"funnel",
//    "duration_ms":12.5,"rows_returned":4,"cache_hit":false}
//
// plus error_code, error, field (and cause) when the query failed.
//
// Caching: results are cached per (workspace, kind, version of the
// workspace's person snapshot, hash of the canonical request: keys sorted,
// whitespace dropped) for the kind's TTL. Events keep arriving, so a cached
// answer can miss up to TTL seconds of them: the TTL is the staleness bound.
// Merges are not: the query runs with the very snapshot whose version keys
// it (QueryContext::person_snapshot), and a merge makes a new version. Failed
// and cancelled queries are never cached.
//
// Stopping (Stop or the destructor) cancels what runs, answers what is
// queued with 503, and waits for the pool's threads.
// Thread safety: every method may be called from any thread.
class QueryService final : public QueryRunner {
 public:
  using Functions = std::map<QueryKind, QueryFunction>;

  // REQUIRES: `store`, `cache` and `clock` outlive this; every function is
  // callable from any thread.
  QueryService(EventStore& store, Functions functions, QueryCache& cache, const Clock& clock,
               QueryServiceOptions options = {});
  ~QueryService() override;
  QueryService(const QueryService&) = delete;
  QueryService& operator=(const QueryService&) = delete;

  // Whether this build has the analysis.
  bool Supports(QueryKind kind) const;
  // The TTL results of `kind` are cached for; 0 when they are not.
  std::chrono::seconds CacheTtl(QueryKind kind) const;

  // Runs the query on the calling thread. Without a context, the service's
  // (its scan parallelism and person directory; cancelled when the service
  // stops). A given context is used with its workspace set to
  // `workspace_id`, and the service's directory when it names none.
  // Errors: NotFound for an analysis this build lacks; BadRequest for a body
  // that is not a JSON object, or has a key twice; the analysis's own.
  Result<QueryAnswer> Run(std::string_view workspace_id, QueryKind kind, std::string_view body,
                          const QueryContext* context = nullptr) override;

  // Runs the query on the pool and calls `done` with its outcome, once, from
  // a pool thread. Unavailable (503, Retry-After) when the queue is full or
  // the service is stopping; `done` is then never called.
  using Done = std::function<void(Result<QueryAnswer>)>;
  Status Submit(std::string workspace_id, QueryKind kind, std::string body, Done done);

  // Runs any work on the query pool (a dashboard running its widgets'
  // queries through Run): false, dropping it, when the queue is full or the
  // service is stopping. Work queued when Stop comes still runs, with every
  // query it starts cancelled at once.
  bool TrySubmit(std::function<void()> work);

  // Async jobs (see AsyncQueryJobs for their bounds and visibility).
  // StartJob queues the query; its errors are Create's, NotFound for an
  // analysis this build lacks, and Unavailable when the queue is full.
  Result<AsyncJobSnapshot> StartJob(std::string_view workspace_id, QueryKind kind,
                                    std::string body);
  Result<AsyncJobSnapshot> GetJob(std::string_view workspace_id, std::string_view id);
  Result<AsyncJobSnapshot> CancelJob(std::string_view workspace_id, std::string_view id);

  QueryServiceCounters counters() const;

  // Cancels running queries and jobs, answers queued ones with 503, waits
  // for the pool. Idempotent. Call it before the HTTP server that holds the
  // replies is destroyed.
  void Stop();

 private:
  // Run without the timing, counters and log line.
  Result<QueryAnswer> Answer(std::string_view workspace_id, QueryKind kind, std::string_view body,
                             const QueryContext* context);
  Status ServiceUnavailable(std::string_view what) const;
  void RunJob(AsyncQueryJob& job);

  EventStore& store_;
  const Functions functions_;
  QueryCache& cache_;
  const Clock& clock_;
  const QueryServiceOptions options_;
  AsyncQueryJobs jobs_;
  // Set by Stop: refuses new work and is the cancellation flag of every
  // query run without a context of its own.
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> queries_{0};
  std::atomic<uint64_t> cache_hits_{0};
  std::atomic<uint64_t> failed_{0};
  std::atomic<uint64_t> refused_{0};
  // Reset by Stop, before the rest goes; pool_mutex_ keeps a Submit from
  // using it while it is being taken away.
  std::mutex pool_mutex_;
  std::unique_ptr<BoundedThreadPool> pool_;  // guarded by pool_mutex_
};

}  // namespace cdp::query
