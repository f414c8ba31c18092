#include "query/service/query_service.h"

#include <cmath>
#include <utility>

#include "core/log.h"
#include "query/service/canonical_json.h"

namespace cdp::query {

namespace {

using Milliseconds = std::chrono::duration<double, std::milli>;

// Microsecond resolution is plenty for a log line and a response field.
double RoundedMilliseconds(std::chrono::steady_clock::duration elapsed) {
  return std::round(Milliseconds(elapsed).count() * 1000) / 1000;
}

Status MissingAnalysis(QueryKind kind) {
  return Status::NotFound("the " + std::string(QueryKindName(kind)) +
                          " analysis is not available in this build");
}

// The one log line of a query.
void LogQuery(std::string_view workspace_id, QueryKind kind, double duration_ms,
              const Result<QueryAnswer>& outcome) {
  const bool server_error = !outcome.ok() && outcome.status().http_status() >= 500 &&
                            outcome.status().code() != ErrorCode::kUnavailable;
  log::Event line(server_error ? log::Level::kWarn : log::Level::kInfo, "query");
  line.Str("workspace_id", workspace_id)
      .Str("query_type", QueryKindName(kind))
      .Double("duration_ms", duration_ms)
      .Int("rows_returned", outcome.ok() ? int64_t(outcome->rows) : 0)
      .Bool("cache_hit", outcome.ok() && outcome->cache_hit);
  if (!outcome.ok()) line.Err(outcome.status());
}

}  // namespace

QueryService::QueryService(EventStore& store, Functions functions, QueryCache& cache,
                           const Clock& clock, QueryServiceOptions options)
    : store_(store),
      functions_(std::move(functions)),
      cache_(cache),
      clock_(clock),
      options_(std::move(options)),
      jobs_(options_.jobs, clock),
      pool_(std::make_unique<BoundedThreadPool>(std::max(1, options_.threads),
                                                options_.max_queued)) {}

QueryService::~QueryService() { Stop(); }

bool QueryService::Supports(QueryKind kind) const { return functions_.contains(kind); }

std::chrono::seconds QueryService::CacheTtl(QueryKind kind) const {
  if (kind == QueryKind::kSql) return std::chrono::seconds(0);
  const auto found = options_.cache_ttl.find(kind);
  if (found == options_.cache_ttl.end()) return kDefaultCacheTtl;
  return std::max(std::chrono::seconds(0), found->second);
}

Result<QueryAnswer> QueryService::Run(std::string_view workspace_id, QueryKind kind,
                                      std::string_view body, const QueryContext* context) {
  const auto started = std::chrono::steady_clock::now();
  Result<QueryAnswer> outcome = Answer(workspace_id, kind, body, context);
  const double duration_ms = RoundedMilliseconds(std::chrono::steady_clock::now() - started);
  if (outcome.ok()) outcome->duration_ms = duration_ms;
  queries_.fetch_add(1, std::memory_order_relaxed);
  if (outcome.ok() && outcome->cache_hit) cache_hits_.fetch_add(1, std::memory_order_relaxed);
  if (!outcome.ok()) failed_.fetch_add(1, std::memory_order_relaxed);
  LogQuery(workspace_id, kind, duration_ms, outcome);
  return outcome;
}

Result<QueryAnswer> QueryService::Answer(std::string_view workspace_id, QueryKind kind,
                                         std::string_view body, const QueryContext* context) {
  const auto function = functions_.find(kind);
  if (function == functions_.end()) return MissingAnalysis(kind);
  CDP_ASSIGN_OR_RETURN(const std::string canonical, CanonicalJsonObject(body));
  QueryContext run_context;
  if (context != nullptr) {
    run_context = *context;
  } else {
    run_context.parallelism = std::max(1, options_.scan_parallelism);
    run_context.cancelled = &stopping_;
  }
  run_context.workspace_id = std::string(workspace_id);
  if (run_context.persons == nullptr) run_context.persons = options_.persons;
  // One snapshot for the cache key and the query alike (see the class
  // comment): taken here, pinned in the context.
  run_context.person_snapshot = PersonSnapshotOf(run_context);
  const std::chrono::seconds ttl = CacheTtl(kind);
  const bool cached_kind = ttl.count() > 0;
  const std::string key = cached_kind ? QueryCacheKey(workspace_id, kind, canonical,
                                                      run_context.person_snapshot->version())
                                      : "";
  if (cached_kind) {
    if (std::optional<CachedQueryResult> cached = cache_.Get(key)) {
      return QueryAnswer{std::move(cached->result_json), cached->rows, true, 0};
    }
  }
  CDP_ASSIGN_OR_RETURN(QueryOutput output, function->second(run_context, store_, body));
  if (cached_kind) cache_.Put(key, {output.json, output.rows}, ttl);
  return QueryAnswer{std::move(output.json), output.rows, false, 0};
}

Status QueryService::ServiceUnavailable(std::string_view what) const {
  if (stopping_.load(std::memory_order_relaxed)) {
    return Status::Unavailable("the server is shutting down", std::chrono::seconds(5));
  }
  return Status::Unavailable(std::string(what), std::chrono::seconds(1));
}

Status QueryService::Submit(std::string workspace_id, QueryKind kind, std::string body, Done done) {
  std::function<void()> task = [this, workspace_id = std::move(workspace_id), kind,
                                body = std::move(body), done = std::move(done)] {
    // Queued before Stop, run while the pool drains: answer, do not work.
    if (stopping_.load(std::memory_order_relaxed)) {
      done(ServiceUnavailable(""));
      return;
    }
    done(Run(workspace_id, kind, body));
  };
  std::lock_guard lock(pool_mutex_);
  if (pool_ == nullptr || !pool_->TrySubmit(std::move(task))) {
    refused_.fetch_add(1, std::memory_order_relaxed);
    return ServiceUnavailable("too many queries are running; retry shortly");
  }
  return Status::Ok();
}

bool QueryService::TrySubmit(std::function<void()> work) {
  std::lock_guard lock(pool_mutex_);
  if (pool_ == nullptr || !pool_->TrySubmit(std::move(work))) {
    refused_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  return true;
}

Result<AsyncJobSnapshot> QueryService::StartJob(std::string_view workspace_id, QueryKind kind,
                                                std::string body) {
  if (!Supports(kind)) return MissingAnalysis(kind);
  CDP_ASSIGN_OR_RETURN(std::shared_ptr<AsyncQueryJob> job,
                       jobs_.Create(workspace_id, kind, std::move(body)));
  // As the client is told: queued (a thread may pick it up at once).
  AsyncJobSnapshot queued = job->Snapshot();
  std::function<void()> task = [this, job] { RunJob(*job); };
  {
    std::lock_guard lock(pool_mutex_);
    if (pool_ != nullptr && pool_->TrySubmit(std::move(task))) return queued;
  }
  jobs_.Remove(job->id());
  refused_.fetch_add(1, std::memory_order_relaxed);
  return ServiceUnavailable("too many queries are running; retry shortly");
}

void QueryService::RunJob(AsyncQueryJob& job) {
  // A job cancelled while queued, or run while the pool drains at Stop,
  // never starts.
  if (stopping_.load(std::memory_order_relaxed)) job.Cancel(clock_.Now());
  if (!job.Start(clock_.Now())) return;
  QueryContext context;
  context.parallelism = std::max(1, options_.scan_parallelism);
  context.cancelled = job.cancelled_flag();
  context.progress = job.progress();
  Result<QueryAnswer> outcome = Run(job.workspace_id(), job.kind(), job.body(), &context);
  job.Finish(std::move(outcome), clock_.Now());
}

Result<AsyncJobSnapshot> QueryService::GetJob(std::string_view workspace_id, std::string_view id) {
  return jobs_.Get(workspace_id, id);
}

Result<AsyncJobSnapshot> QueryService::CancelJob(std::string_view workspace_id,
                                                 std::string_view id) {
  return jobs_.Cancel(workspace_id, id);
}

QueryServiceCounters QueryService::counters() const {
  return {queries_.load(std::memory_order_relaxed), cache_hits_.load(std::memory_order_relaxed),
          failed_.load(std::memory_order_relaxed), refused_.load(std::memory_order_relaxed)};
}

void QueryService::Stop() {
  stopping_.store(true, std::memory_order_relaxed);
  jobs_.CancelAll();
  std::unique_ptr<BoundedThreadPool> pool;
  {
    std::lock_guard lock(pool_mutex_);
    pool = std::move(pool_);
  }
  // Drains the queue (each task sees stopping_) and joins the threads.
  pool.reset();
}

}  // namespace cdp::query
