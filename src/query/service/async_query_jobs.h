#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"
#include "core/result.h"
#include "query/query_context.h"
#include "query/query_kind.h"
#include "query/query_runner.h"

namespace cdp::query {

// Where an async query is: queued → running → succeeded | failed |
// cancelled; a queued job that is cancelled never runs.
enum class AsyncJobStatus { kQueued, kRunning, kSucceeded, kFailed, kCancelled };

// "queued", "running", "succeeded", "failed", "cancelled".
std::string_view AsyncJobStatusName(AsyncJobStatus status);

// How many async jobs are kept, and for how long. Jobs live in memory only:
// a restart forgets them (a client polling one gets 404 and starts again).
struct AsyncJobLimits {
  // How long a finished job (its result included) stays readable.
  std::chrono::seconds keep_finished{3600};
  // Jobs one workspace may have at once, finished ones included. At the
  // bound its oldest finished job is forgotten for a new one; when none of
  // its jobs has finished, a new one is refused with 429.
  size_t max_per_workspace = 100;
  // Jobs of every workspace together: the same rule, across workspaces,
  // with 503.
  size_t max_total = 10'000;
};

// What GET /query/async/{id} shows of a job, copied at one moment.
struct AsyncJobSnapshot {
  std::string id;
  std::string workspace_id;
  QueryKind kind = QueryKind::kEvents;
  AsyncJobStatus status = AsyncJobStatus::kQueued;
  double progress = 0;  // 0 while queued, 1 once succeeded
  TimePoint created_at{};
  std::optional<TimePoint> started_at;
  std::optional<TimePoint> finished_at;
  bool cancel_requested = false;
  std::optional<QueryAnswer> answer;  // when succeeded
  Status error;                       // when failed
};

// One async query: what to run, the flag and progress its analysis sees,
// and its outcome.
// Thread safety: every method may be called from any thread.
class AsyncQueryJob {
 public:
  AsyncQueryJob(std::string id, std::string workspace_id, QueryKind kind, std::string body,
                TimePoint created_at);

  const std::string& id() const { return id_; }
  const std::string& workspace_id() const { return workspace_id_; }
  QueryKind kind() const { return kind_; }
  const std::string& body() const { return body_; }

  // What the analysis runs with: the cancellation flag and the progress.
  const std::atomic<bool>* cancelled_flag() const { return &cancelled_; }
  QueryProgress* progress() { return &progress_; }

  // queued → running; false when the job was cancelled before it started
  // (it must not run then).
  bool Start(TimePoint now);
  // running → succeeded, or failed / cancelled (an error after a cancel
  // request is the cancellation).
  void Finish(Result<QueryAnswer> outcome, TimePoint now);
  // Asks the job to stop: a queued job is cancelled at once; a running one
  // when its analysis next checks the flag. No effect once finished.
  void Cancel(TimePoint now);

  AsyncJobSnapshot Snapshot() const;
  bool Finished() const;
  // The finish time; nullopt while queued or running.
  std::optional<TimePoint> FinishedAt() const;

 private:
  const std::string id_;
  const std::string workspace_id_;
  const QueryKind kind_;
  const std::string body_;
  const TimePoint created_at_;
  std::atomic<bool> cancelled_{false};
  QueryProgress progress_;

  mutable std::mutex mutex_;
  AsyncJobStatus status_ = AsyncJobStatus::kQueued;  // guarded by mutex_
  std::optional<TimePoint> started_at_;              // guarded by mutex_
  std::optional<TimePoint> finished_at_;             // guarded by mutex_
  std::optional<QueryAnswer> answer_;                // guarded by mutex_
  Status error_;                                     // guarded by mutex_
};

// The async jobs of every workspace, in memory, within AsyncJobLimits.
// A job is visible to its own workspace only: another workspace asking for
// its id gets NotFound, exactly as for an id that never existed.
// Thread safety: every method may be called from any thread.
class AsyncQueryJobs {
 public:
  // REQUIRES: `clock` outlives this.
  AsyncQueryJobs(AsyncJobLimits limits, const Clock& clock);

  // A new queued job. TooManyRequests when the workspace is at its bound
  // with no finished job to forget; Unavailable when every workspace
  // together is.
  //
  // Shared: the registry and the task running the job both hold it, so
  // that forgetting a job never pulls it from under its running analysis.
  Result<std::shared_ptr<AsyncQueryJob>> Create(std::string_view workspace_id, QueryKind kind,
                                                std::string body);
  // Forgets a job at once (one that could not be queued).
  void Remove(std::string_view id);
  // NotFound for an unknown, expired or other workspace's id.
  Result<AsyncJobSnapshot> Get(std::string_view workspace_id, std::string_view id);
  Result<AsyncJobSnapshot> Cancel(std::string_view workspace_id, std::string_view id);
  // Cancels every job (at shutdown).
  void CancelAll();

  size_t size() const;

 private:
  using JobPtr = std::shared_ptr<AsyncQueryJob>;

  bool Expired(const AsyncQueryJob& job, TimePoint now) const;
  // The job of that id in that workspace, dropping it when it expired.
  JobPtr FindLocked(std::string_view workspace_id, std::string_view id, TimePoint now);
  void EraseLocked(const std::string& id);
  // Drops the expired finished jobs of `jobs`.
  void PurgeExpiredLocked(std::deque<JobPtr>& jobs, TimePoint now);
  // Forgets the oldest finished job of `jobs`; false when none finished.
  bool EvictOldestFinishedLocked(std::deque<JobPtr>& jobs);
  // Makes room for one more job in the whole registry; false when every job
  // is unfinished.
  bool MakeRoomInTotalLocked(TimePoint now);

  const AsyncJobLimits limits_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, JobPtr> by_id_;                        // guarded by mutex_
  std::map<std::string, std::deque<JobPtr>, std::less<>> by_workspace_;  // in creation order
};

}  // namespace cdp::query
