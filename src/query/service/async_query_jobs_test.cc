#include "query/service/async_query_jobs.h"

#include <gtest/gtest.h>

#include <set>

namespace cdp::query {
namespace {

using std::chrono::seconds;

class AsyncQueryJobsTest : public ::testing::Test {
 protected:
  std::shared_ptr<AsyncQueryJob> Create(AsyncQueryJobs& jobs, std::string_view workspace) {
    Result<std::shared_ptr<AsyncQueryJob>> job =
        jobs.Create(workspace, QueryKind::kFunnel, R"({"a":1})");
    EXPECT_TRUE(job.ok()) << job.status().ToString();
    return job.ok() ? *job : nullptr;
  }

  static void Succeed(AsyncQueryJob& job, TimePoint now) {
    ASSERT_TRUE(job.Start(now));
    job.Finish(QueryAnswer{R"({"count":1})", 1, false, 2.5}, now);
  }

  ManualClock clock_{TimePoint{} + seconds(1'800'000'000)};
};

TEST_F(AsyncQueryJobsTest, LifecycleQueuedRunningSucceeded) {
  AsyncQueryJobs jobs({}, clock_);
  const auto job = Create(jobs, "ws_a");
  ASSERT_NE(job, nullptr);
  EXPECT_TRUE(job->id().starts_with("job_"));
  AsyncJobSnapshot snapshot = jobs.Get("ws_a", job->id()).value();
  EXPECT_EQ(snapshot.status, AsyncJobStatus::kQueued);
  EXPECT_EQ(snapshot.kind, QueryKind::kFunnel);
  EXPECT_EQ(snapshot.progress, 0);
  EXPECT_EQ(snapshot.created_at, clock_.Now());

  clock_.Advance(seconds(1));
  ASSERT_TRUE(job->Start(clock_.Now()));
  job->progress()->AddExpectedRows(100);
  job->progress()->AddScannedRows(40);
  snapshot = jobs.Get("ws_a", job->id()).value();
  EXPECT_EQ(snapshot.status, AsyncJobStatus::kRunning);
  EXPECT_DOUBLE_EQ(snapshot.progress, 0.4);
  EXPECT_EQ(snapshot.started_at, clock_.Now());

  clock_.Advance(seconds(1));
  job->Finish(QueryAnswer{R"({"count":1})", 1, false, 2.5}, clock_.Now());
  snapshot = jobs.Get("ws_a", job->id()).value();
  EXPECT_EQ(snapshot.status, AsyncJobStatus::kSucceeded);
  EXPECT_EQ(snapshot.progress, 1);
  ASSERT_TRUE(snapshot.answer.has_value());
  EXPECT_EQ(snapshot.answer->result_json, R"({"count":1})");
  EXPECT_EQ(snapshot.finished_at, clock_.Now());
}

TEST_F(AsyncQueryJobsTest, FailureKeepsTheError) {
  AsyncQueryJobs jobs({}, clock_);
  const auto job = Create(jobs, "ws_a");
  ASSERT_TRUE(job->Start(clock_.Now()));
  job->Finish(Status::BadRequest("steps must be an array", "steps"), clock_.Now());
  const AsyncJobSnapshot snapshot = jobs.Get("ws_a", job->id()).value();
  EXPECT_EQ(snapshot.status, AsyncJobStatus::kFailed);
  EXPECT_EQ(snapshot.error.code(), ErrorCode::kBadRequest);
  EXPECT_EQ(snapshot.error.field(), "steps");
  EXPECT_FALSE(snapshot.answer.has_value());
}

TEST_F(AsyncQueryJobsTest, CancellingAQueuedJobStopsItFromEverStarting) {
  AsyncQueryJobs jobs({}, clock_);
  const auto job = Create(jobs, "ws_a");
  const AsyncJobSnapshot snapshot = jobs.Cancel("ws_a", job->id()).value();
  EXPECT_EQ(snapshot.status, AsyncJobStatus::kCancelled);
  EXPECT_TRUE(snapshot.cancel_requested);
  EXPECT_TRUE(job->cancelled_flag()->load());
  EXPECT_FALSE(job->Start(clock_.Now()));
}

TEST_F(AsyncQueryJobsTest, CancellingARunningJobRaisesTheFlagAndItsErrorBecomesCancelled) {
  AsyncQueryJobs jobs({}, clock_);
  const auto job = Create(jobs, "ws_a");
  ASSERT_TRUE(job->Start(clock_.Now()));
  AsyncJobSnapshot snapshot = jobs.Cancel("ws_a", job->id()).value();
  // Still running until the analysis sees the flag.
  EXPECT_EQ(snapshot.status, AsyncJobStatus::kRunning);
  EXPECT_TRUE(snapshot.cancel_requested);
  EXPECT_TRUE(job->cancelled_flag()->load());
  job->Finish(CancelledStatus(), clock_.Now());
  snapshot = jobs.Get("ws_a", job->id()).value();
  EXPECT_EQ(snapshot.status, AsyncJobStatus::kCancelled);
  EXPECT_TRUE(snapshot.error.ok());
}

TEST_F(AsyncQueryJobsTest, CancellingAFinishedJobChangesNothing) {
  AsyncQueryJobs jobs({}, clock_);
  const auto job = Create(jobs, "ws_a");
  Succeed(*job, clock_.Now());
  const AsyncJobSnapshot snapshot = jobs.Cancel("ws_a", job->id()).value();
  EXPECT_EQ(snapshot.status, AsyncJobStatus::kSucceeded);
  EXPECT_FALSE(snapshot.cancel_requested);
}

TEST_F(AsyncQueryJobsTest, AnotherWorkspaceSeesNothing) {
  AsyncQueryJobs jobs({}, clock_);
  const auto job = Create(jobs, "ws_a");
  for (const Result<AsyncJobSnapshot>& other :
       {jobs.Get("ws_b", job->id()), jobs.Cancel("ws_b", job->id()), jobs.Get("ws_a", "job_x")}) {
    ASSERT_FALSE(other.ok());
    EXPECT_EQ(other.status().code(), ErrorCode::kNotFound);
  }
  // The other workspace's cancel did nothing.
  EXPECT_FALSE(job->cancelled_flag()->load());
  EXPECT_TRUE(jobs.Get("ws_a", job->id()).ok());
}

TEST_F(AsyncQueryJobsTest, IdsAreUnique) {
  AsyncQueryJobs jobs({.max_per_workspace = 1000}, clock_);
  std::set<std::string> ids;
  for (int i = 0; i < 500; ++i) ids.insert(Create(jobs, "ws_a")->id());
  EXPECT_EQ(ids.size(), 500u);
}

TEST_F(AsyncQueryJobsTest, FinishedJobsAreForgottenAfterTheirTime) {
  AsyncQueryJobs jobs({.keep_finished = seconds(3600)}, clock_);
  const auto finished = Create(jobs, "ws_a");
  const auto running = Create(jobs, "ws_a");
  Succeed(*finished, clock_.Now());
  ASSERT_TRUE(running->Start(clock_.Now()));
  clock_.Advance(seconds(3599));
  EXPECT_TRUE(jobs.Get("ws_a", finished->id()).ok());
  clock_.Advance(seconds(1));
  EXPECT_EQ(jobs.Get("ws_a", finished->id()).status().code(), ErrorCode::kNotFound);
  // An unfinished job is never forgotten, however long it runs.
  clock_.Advance(seconds(100'000));
  EXPECT_TRUE(jobs.Get("ws_a", running->id()).ok());
  EXPECT_EQ(jobs.size(), 1u);
}

TEST_F(AsyncQueryJobsTest, AWorkspaceAtItsBoundForgetsItsOldestFinishedJob) {
  AsyncQueryJobs jobs({.max_per_workspace = 3}, clock_);
  const auto first = Create(jobs, "ws_a");
  const auto second = Create(jobs, "ws_a");
  const auto third = Create(jobs, "ws_a");
  Succeed(*second, clock_.Now());
  Succeed(*third, clock_.Now());
  // The workspace is at 3: the oldest finished job (second) makes room.
  const auto fourth = Create(jobs, "ws_a");
  ASSERT_NE(fourth, nullptr);
  EXPECT_TRUE(jobs.Get("ws_a", first->id()).ok());
  EXPECT_FALSE(jobs.Get("ws_a", second->id()).ok());
  EXPECT_TRUE(jobs.Get("ws_a", third->id()).ok());
  EXPECT_EQ(jobs.size(), 3u);
}

TEST_F(AsyncQueryJobsTest, AWorkspaceWithOnlyUnfinishedJobsIsRefused) {
  AsyncQueryJobs jobs({.max_per_workspace = 2}, clock_);
  Create(jobs, "ws_a");
  Create(jobs, "ws_a");
  const Result<std::shared_ptr<AsyncQueryJob>> refused =
      jobs.Create("ws_a", QueryKind::kTrends, "{}");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kTooManyRequests);
  EXPECT_TRUE(refused.status().retry_after().has_value());
  // Other workspaces are not held back by this one.
  EXPECT_NE(Create(jobs, "ws_b"), nullptr);
}

TEST_F(AsyncQueryJobsTest, TheTotalBoundAppliesAcrossWorkspaces) {
  AsyncQueryJobs jobs({.max_per_workspace = 10, .max_total = 3}, clock_);
  const auto a = Create(jobs, "ws_a");
  Create(jobs, "ws_b");
  Create(jobs, "ws_c");
  const Result<std::shared_ptr<AsyncQueryJob>> refused =
      jobs.Create("ws_d", QueryKind::kTrends, "{}");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kUnavailable);
  // Once one has finished, it makes room.
  Succeed(*a, clock_.Now());
  EXPECT_NE(Create(jobs, "ws_d"), nullptr);
  EXPECT_FALSE(jobs.Get("ws_a", a->id()).ok());
  EXPECT_EQ(jobs.size(), 3u);
}

TEST_F(AsyncQueryJobsTest, CancelAllCancelsEveryUnfinishedJob) {
  AsyncQueryJobs jobs({}, clock_);
  const auto queued = Create(jobs, "ws_a");
  const auto running = Create(jobs, "ws_b");
  ASSERT_TRUE(running->Start(clock_.Now()));
  jobs.CancelAll();
  EXPECT_EQ(queued->Snapshot().status, AsyncJobStatus::kCancelled);
  EXPECT_TRUE(running->cancelled_flag()->load());
}

TEST_F(AsyncQueryJobsTest, RemoveForgetsAtOnce) {
  AsyncQueryJobs jobs({}, clock_);
  const auto job = Create(jobs, "ws_a");
  jobs.Remove(job->id());
  EXPECT_FALSE(jobs.Get("ws_a", job->id()).ok());
  EXPECT_EQ(jobs.size(), 0u);
}

TEST(AsyncJobStatusTest, Names) {
  EXPECT_EQ(AsyncJobStatusName(AsyncJobStatus::kQueued), "queued");
  EXPECT_EQ(AsyncJobStatusName(AsyncJobStatus::kRunning), "running");
  EXPECT_EQ(AsyncJobStatusName(AsyncJobStatus::kSucceeded), "succeeded");
  EXPECT_EQ(AsyncJobStatusName(AsyncJobStatus::kFailed), "failed");
  EXPECT_EQ(AsyncJobStatusName(AsyncJobStatus::kCancelled), "cancelled");
}

}  // namespace
}  // namespace cdp::query
