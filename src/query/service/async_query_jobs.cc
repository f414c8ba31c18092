#include "query/service/async_query_jobs.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "core/random.h"

namespace cdp::query {

std::string_view AsyncJobStatusName(AsyncJobStatus status) {
  switch (status) {
    case AsyncJobStatus::kQueued:
      return "queued";
    case AsyncJobStatus::kRunning:
      return "running";
    case AsyncJobStatus::kSucceeded:
      return "succeeded";
    case AsyncJobStatus::kFailed:
      return "failed";
    case AsyncJobStatus::kCancelled:
      return "cancelled";
  }
  return "";
}

AsyncQueryJob::AsyncQueryJob(std::string id, std::string workspace_id, QueryKind kind,
                             std::string body, TimePoint created_at)
    : id_(std::move(id)),
      workspace_id_(std::move(workspace_id)),
      kind_(kind),
      body_(std::move(body)),
      created_at_(created_at) {}

bool AsyncQueryJob::Start(TimePoint now) {
  std::lock_guard lock(mutex_);
  if (status_ != AsyncJobStatus::kQueued) return false;
  status_ = AsyncJobStatus::kRunning;
  started_at_ = now;
  return true;
}

void AsyncQueryJob::Finish(Result<QueryAnswer> outcome, TimePoint now) {
  std::lock_guard lock(mutex_);
  if (status_ != AsyncJobStatus::kRunning) return;
  finished_at_ = now;
  if (outcome.ok()) {
    status_ = AsyncJobStatus::kSucceeded;
    answer_ = std::move(outcome).value();
  } else if (cancelled_.load(std::memory_order_relaxed)) {
    status_ = AsyncJobStatus::kCancelled;
  } else {
    status_ = AsyncJobStatus::kFailed;
    error_ = outcome.status();
  }
}

void AsyncQueryJob::Cancel(TimePoint now) {
  std::lock_guard lock(mutex_);
  if (status_ != AsyncJobStatus::kQueued && status_ != AsyncJobStatus::kRunning) return;
  cancelled_.store(true, std::memory_order_relaxed);
  if (status_ == AsyncJobStatus::kQueued) {
    status_ = AsyncJobStatus::kCancelled;
    finished_at_ = now;
  }
}

AsyncJobSnapshot AsyncQueryJob::Snapshot() const {
  std::lock_guard lock(mutex_);
  AsyncJobSnapshot snapshot;
  snapshot.id = id_;
  snapshot.workspace_id = workspace_id_;
  snapshot.kind = kind_;
  snapshot.status = status_;
  snapshot.created_at = created_at_;
  snapshot.started_at = started_at_;
  snapshot.finished_at = finished_at_;
  snapshot.cancel_requested = cancelled_.load(std::memory_order_relaxed);
  snapshot.answer = answer_;
  snapshot.error = error_;
  switch (status_) {
    case AsyncJobStatus::kQueued:
      snapshot.progress = 0;
      break;
    case AsyncJobStatus::kSucceeded:
      snapshot.progress = 1;
      break;
    default:
      snapshot.progress = progress_.Fraction();
  }
  return snapshot;
}

bool AsyncQueryJob::Finished() const { return FinishedAt().has_value(); }

std::optional<TimePoint> AsyncQueryJob::FinishedAt() const {
  std::lock_guard lock(mutex_);
  return finished_at_;
}

AsyncQueryJobs::AsyncQueryJobs(AsyncJobLimits limits, const Clock& clock)
    : limits_(limits), clock_(clock) {}

bool AsyncQueryJobs::Expired(const AsyncQueryJob& job, TimePoint now) const {
  const std::optional<TimePoint> finished_at = job.FinishedAt();
  return finished_at && *finished_at + limits_.keep_finished <= now;
}

Result<std::shared_ptr<AsyncQueryJob>> AsyncQueryJobs::Create(std::string_view workspace_id,
                                                              QueryKind kind, std::string body) {
  const TimePoint now = clock_.Now();
  std::lock_guard lock(mutex_);
  auto workspace = by_workspace_.find(workspace_id);
  if (workspace != by_workspace_.end()) {
    std::deque<JobPtr>& jobs = workspace->second;
    PurgeExpiredLocked(jobs, now);
    if (jobs.size() >= limits_.max_per_workspace && !EvictOldestFinishedLocked(jobs)) {
      return Status::TooManyRequests("this workspace has " +
                                         std::to_string(limits_.max_per_workspace) +
                                         " async queries queued or running; wait for one to finish",
                                     std::chrono::seconds(5));
    }
  }
  if (by_id_.size() >= limits_.max_total && !MakeRoomInTotalLocked(now)) {
    return Status::Unavailable("too many async queries are queued or running",
                               std::chrono::seconds(5));
  }
  // Unguessable, though ids are checked against the workspace anyway.
  auto job = std::make_shared<AsyncQueryJob>("job_" + SecureRandomToken(24),
                                             std::string(workspace_id), kind, std::move(body), now);
  by_id_.emplace(job->id(), job);
  by_workspace_[std::string(workspace_id)].push_back(job);
  return job;
}

void AsyncQueryJobs::Remove(std::string_view id) {
  std::lock_guard lock(mutex_);
  EraseLocked(std::string(id));
}

Result<AsyncJobSnapshot> AsyncQueryJobs::Get(std::string_view workspace_id, std::string_view id) {
  const TimePoint now = clock_.Now();
  std::lock_guard lock(mutex_);
  const JobPtr job = FindLocked(workspace_id, id, now);
  if (job == nullptr) return Status::NotFound("no async query with this id");
  return job->Snapshot();
}

Result<AsyncJobSnapshot> AsyncQueryJobs::Cancel(std::string_view workspace_id,
                                                std::string_view id) {
  const TimePoint now = clock_.Now();
  std::lock_guard lock(mutex_);
  const JobPtr job = FindLocked(workspace_id, id, now);
  if (job == nullptr) return Status::NotFound("no async query with this id");
  job->Cancel(now);
  return job->Snapshot();
}

void AsyncQueryJobs::CancelAll() {
  const TimePoint now = clock_.Now();
  std::lock_guard lock(mutex_);
  for (const auto& [id, job] : by_id_) job->Cancel(now);
}

size_t AsyncQueryJobs::size() const {
  std::lock_guard lock(mutex_);
  return by_id_.size();
}

AsyncQueryJobs::JobPtr AsyncQueryJobs::FindLocked(std::string_view workspace_id,
                                                  std::string_view id, TimePoint now) {
  const auto found = by_id_.find(std::string(id));
  if (found == by_id_.end() || found->second->workspace_id() != workspace_id) return nullptr;
  if (Expired(*found->second, now)) {
    EraseLocked(found->first);
    return nullptr;
  }
  return found->second;
}

void AsyncQueryJobs::EraseLocked(const std::string& id) {
  const auto found = by_id_.find(id);
  if (found == by_id_.end()) return;
  const JobPtr job = found->second;
  by_id_.erase(found);
  const auto workspace = by_workspace_.find(job->workspace_id());
  if (workspace == by_workspace_.end()) return;
  // The workspace's (possibly empty) list stays: callers hold references
  // to it, and there is one per workspace that ever ran an async query.
  std::deque<JobPtr>& jobs = workspace->second;
  jobs.erase(std::remove(jobs.begin(), jobs.end(), job), jobs.end());
}

void AsyncQueryJobs::PurgeExpiredLocked(std::deque<JobPtr>& jobs, TimePoint now) {
  std::vector<std::string> expired;
  for (const JobPtr& job : jobs) {
    if (Expired(*job, now)) expired.push_back(job->id());
  }
  for (const std::string& id : expired) EraseLocked(id);
}

bool AsyncQueryJobs::EvictOldestFinishedLocked(std::deque<JobPtr>& jobs) {
  // Jobs are in creation order, so the first finished one is the oldest
  // by creation: the one its client has most likely read already.
  for (const JobPtr& job : jobs) {
    if (job->Finished()) {
      EraseLocked(job->id());
      return true;
    }
  }
  return false;
}

bool AsyncQueryJobs::MakeRoomInTotalLocked(TimePoint now) {
  std::vector<std::string> expired;
  const AsyncQueryJob* oldest_finished = nullptr;
  for (const auto& [id, job] : by_id_) {
    if (Expired(*job, now)) {
      expired.push_back(id);
    } else if (job->Finished() && (oldest_finished == nullptr ||
                                   *job->FinishedAt() < *oldest_finished->FinishedAt())) {
      oldest_finished = job.get();
    }
  }
  if (!expired.empty()) {
    for (const std::string& id : expired) EraseLocked(id);
    return true;
  }
  if (oldest_finished == nullptr) return false;
  EraseLocked(oldest_finished->id());
  return true;
}

}  // namespace cdp::query
