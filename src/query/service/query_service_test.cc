#include "query/service/query_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "core/log.h"
#include "query/service/in_process_query_cache.h"
#include "query/service/testing/counting_queries.h"
#include "query/testing/test_event_store.h"
#include "store/testing/random_events.h"

namespace cdp::query {
namespace {

using std::chrono::seconds;
using testing::CountEventsQuery;
using testing::CountEventsReference;
using testing::GatedCountQuery;

constexpr std::string_view kWeek = R"({"from": "2026-01-01", "to": "2026-01-08"})";

// The random events of every test: two workspaces over five days.
const std::vector<Event>& Events() {
  static const std::vector<Event> events = [] {
    std::mt19937_64 random(20260301);
    return cdp::testing::RandomEvents(random, 3000);
  }();
  return events;
}

std::string CountJson(uint64_t count) { return R"({"count":)" + std::to_string(count) + "}"; }

// Waits for `done`, once, from whatever thread calls it.
class Outcome {
 public:
  QueryService::Done Callback() {
    return [this](Result<QueryAnswer> outcome) {
      std::lock_guard lock(mutex_);
      ++calls_;
      outcome_.emplace(std::move(outcome));
      changed_.notify_all();
    };
  }
  // The outcome, once there is one (the test fails after a generous wait).
  Result<QueryAnswer> Wait() {
    std::unique_lock lock(mutex_);
    const bool arrived = changed_.wait_for(lock, seconds(30), [&] { return outcome_.has_value(); });
    EXPECT_TRUE(arrived) << "no answer";
    if (!arrived) return Status::Internal("no answer");
    return *outcome_;
  }
  int calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<Result<QueryAnswer>> outcome_;
  int calls_ = 0;
};

class QueryServiceTest : public ::testing::Test {
 protected:
  QueryServiceTest() : store_(Events(), 3, 64) {}

  // A service whose kinds all count events, each call of any of them counted.
  std::unique_ptr<QueryService> MakeService(QueryServiceOptions options = {}) {
    QueryService::Functions functions;
    for (const QueryKind kind : kQueryKinds) {
      functions[kind] = [this](const QueryContext& context, EventStore& store,
                               std::string_view body) {
        ++runs_;
        return CountEventsQuery(context, store, body);
      };
    }
    return std::make_unique<QueryService>(store_.store(), std::move(functions), cache_, clock_,
                                          std::move(options));
  }

  std::unique_ptr<QueryService> MakeGatedService(QueryServiceOptions options) {
    return std::make_unique<QueryService>(
        store_.store(), QueryService::Functions{{QueryKind::kFunnel, gate_.function()}}, cache_,
        clock_, std::move(options));
  }

  QueryAnswer RunOk(QueryService& service, std::string_view workspace, QueryKind kind,
                    std::string_view body) {
    Result<QueryAnswer> answer = service.Run(workspace, kind, body);
    EXPECT_TRUE(answer.ok()) << body << ": " << answer.status().ToString();
    return answer.ok() ? *answer : QueryAnswer{};
  }

  // Polls the job until `done` says so (or a generous deadline passes).
  AsyncJobSnapshot WaitForJob(QueryService& service, std::string_view workspace,
                              const std::string& id,
                              const std::function<bool(const AsyncJobSnapshot&)>& done) {
    const auto deadline = std::chrono::steady_clock::now() + seconds(30);
    while (true) {
      Result<AsyncJobSnapshot> job = service.GetJob(workspace, id);
      EXPECT_TRUE(job.ok()) << job.status().ToString();
      if (!job.ok()) return {};
      if (done(*job) || std::chrono::steady_clock::now() > deadline) return *job;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  AsyncJobSnapshot WaitForFinish(QueryService& service, std::string_view workspace,
                                 const std::string& id) {
    return WaitForJob(service, workspace, id,
                      [](const AsyncJobSnapshot& job) { return job.finished_at.has_value(); });
  }

  query::testing::TestEventStore store_;
  ManualClock clock_{TimePoint{} + seconds(1'800'000'000)};
  InProcessQueryCache cache_{1 << 20, clock_};
  std::atomic<int> runs_{0};
  GatedCountQuery gate_;
};

TEST_F(QueryServiceTest, RunsTheAnalysisOverTheWorkspacesEvents) {
  auto service = MakeService();
  const TimePoint jan1 = FromUnixMicros(int64_t{1'767'225'600} * 1'000'000);
  for (const std::string workspace : {"ws_a", "ws_b", "ws_none"}) {
    for (const std::string event : {"", "Signed Up", "Searched"}) {
      for (int days = 1; days <= 6; days += 2) {
        const TimePoint from = jan1 + std::chrono::hours(7 * days);
        const TimePoint to = from + std::chrono::hours(24 * days);
        std::string body =
            R"({"from":")" + FormatIso8601(from) + R"(","to":")" + FormatIso8601(to) + "\"";
        if (!event.empty()) body += R"(,"event":")" + event + "\"";
        body += "}";
        SCOPED_TRACE(workspace + " " + body);
        const QueryAnswer answer = RunOk(*service, workspace, QueryKind::kTrends, body);
        const uint64_t expected = CountEventsReference(Events(), workspace, from, to, event);
        EXPECT_EQ(answer.result_json, CountJson(expected));
        EXPECT_EQ(answer.rows, 1u);
        EXPECT_FALSE(answer.cache_hit);
        EXPECT_GE(answer.duration_ms, 0);
      }
    }
  }
  EXPECT_GT(CountEventsReference(Events(), "ws_a", jan1, jan1 + seconds(86400 * 7)), 0u);
}

TEST_F(QueryServiceTest, SecondIdenticalRequestIsACacheHitWhateverTheKeyOrder) {
  auto service = MakeService();
  const QueryAnswer first = RunOk(*service, "ws_a", QueryKind::kFunnel, kWeek);
  EXPECT_FALSE(first.cache_hit);
  EXPECT_EQ(runs_.load(), 1);
  const QueryAnswer second = RunOk(*service, "ws_a", QueryKind::kFunnel,
                                   "{\n  \"to\" : \"2026-01-08\",\n  \"from\": \"2026-01-01\"}");
  EXPECT_TRUE(second.cache_hit);
  EXPECT_EQ(second.result_json, first.result_json);
  EXPECT_EQ(second.rows, first.rows);
  EXPECT_EQ(runs_.load(), 1);
  EXPECT_EQ(service->counters().cache_hits, 1u);
  EXPECT_EQ(service->counters().queries, 2u);
}

TEST_F(QueryServiceTest, TheCacheKeyHoldsWorkspaceKindAndRequest) {
  auto service = MakeService();
  RunOk(*service, "ws_a", QueryKind::kFunnel, kWeek);
  // Another workspace, another kind, another request: each runs.
  const QueryAnswer other_workspace = RunOk(*service, "ws_b", QueryKind::kFunnel, kWeek);
  EXPECT_FALSE(other_workspace.cache_hit);
  const QueryAnswer other_kind = RunOk(*service, "ws_a", QueryKind::kTrends, kWeek);
  EXPECT_FALSE(other_kind.cache_hit);
  const QueryAnswer other_request =
      RunOk(*service, "ws_a", QueryKind::kFunnel, R"({"from":"2026-01-02","to":"2026-01-08"})");
  EXPECT_FALSE(other_request.cache_hit);
  EXPECT_EQ(runs_.load(), 4);
  const TimePoint jan1 = FromUnixMicros(int64_t{1'767'225'600} * 1'000'000);
  EXPECT_EQ(other_workspace.result_json,
            CountJson(CountEventsReference(Events(), "ws_b", jan1, jan1 + seconds(7 * 86400))));
}

TEST_F(QueryServiceTest, CachedResultsExpireAfterTheTtl) {
  auto service = MakeService();
  RunOk(*service, "ws_a", QueryKind::kRetention, kWeek);
  clock_.Advance(seconds(59));
  EXPECT_TRUE(RunOk(*service, "ws_a", QueryKind::kRetention, kWeek).cache_hit);
  clock_.Advance(seconds(1));
  EXPECT_FALSE(RunOk(*service, "ws_a", QueryKind::kRetention, kWeek).cache_hit);
  EXPECT_EQ(runs_.load(), 2);
  // Cached again from the new run.
  EXPECT_TRUE(RunOk(*service, "ws_a", QueryKind::kRetention, kWeek).cache_hit);
}

TEST_F(QueryServiceTest, EachKindHasItsOwnTtl) {
  auto service = MakeService(
      {.cache_ttl = {{QueryKind::kFunnel, seconds(10)}, {QueryKind::kPaths, seconds(0)}}});
  EXPECT_EQ(service->CacheTtl(QueryKind::kFunnel), seconds(10));
  EXPECT_EQ(service->CacheTtl(QueryKind::kTrends), kDefaultCacheTtl);
  EXPECT_EQ(service->CacheTtl(QueryKind::kPaths), seconds(0));
  for (const QueryKind kind : {QueryKind::kFunnel, QueryKind::kTrends, QueryKind::kPaths}) {
    RunOk(*service, "ws_a", kind, kWeek);
  }
  clock_.Advance(seconds(30));
  EXPECT_FALSE(RunOk(*service, "ws_a", QueryKind::kFunnel, kWeek).cache_hit);  // 10 s passed
  EXPECT_TRUE(RunOk(*service, "ws_a", QueryKind::kTrends, kWeek).cache_hit);   // 60 s not yet
  EXPECT_FALSE(RunOk(*service, "ws_a", QueryKind::kPaths, kWeek).cache_hit);   // never cached
  EXPECT_EQ(cache_.entries(), 2u);
}

TEST_F(QueryServiceTest, SqlIsNeverCached) {
  auto service = MakeService({.cache_ttl = {{QueryKind::kSql, seconds(600)}}});
  EXPECT_EQ(service->CacheTtl(QueryKind::kSql), seconds(0));
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(RunOk(*service, "ws_a", QueryKind::kSql, kWeek).cache_hit);
  }
  EXPECT_EQ(runs_.load(), 3);
  EXPECT_EQ(cache_.entries(), 0u);
}

TEST_F(QueryServiceTest, FailuresAreNotCached) {
  auto service = MakeService();
  const std::string_view bad = R"({"from": "2026-01-08", "to": "2026-01-01"})";
  for (int i = 0; i < 2; ++i) {
    const Result<QueryAnswer> answer = service->Run("ws_a", QueryKind::kFunnel, bad);
    ASSERT_FALSE(answer.ok());
    EXPECT_EQ(answer.status().code(), ErrorCode::kBadRequest);
    EXPECT_EQ(answer.status().field(), "to");
  }
  EXPECT_EQ(runs_.load(), 2);
  EXPECT_EQ(cache_.entries(), 0u);
  EXPECT_EQ(service->counters().failed, 2u);
}

TEST_F(QueryServiceTest, BodiesThatAreNotOneJsonObjectAreRefusedBeforeTheAnalysis) {
  auto service = MakeService();
  for (const std::string_view body : {"", "[1]", "{\"from\":", R"({"from":"a","from":"b"})"}) {
    const Result<QueryAnswer> answer = service->Run("ws_a", QueryKind::kFunnel, body);
    ASSERT_FALSE(answer.ok()) << body;
    EXPECT_EQ(answer.status().code(), ErrorCode::kBadRequest) << body;
  }
  EXPECT_EQ(runs_.load(), 0);
}

TEST_F(QueryServiceTest, AnAnalysisThisBuildLacksIsNotFound) {
  QueryService service(store_.store(), {{QueryKind::kFunnel, CountEventsQuery}}, cache_, clock_);
  EXPECT_TRUE(service.Supports(QueryKind::kFunnel));
  EXPECT_FALSE(service.Supports(QueryKind::kPaths));
  const Result<QueryAnswer> answer = service.Run("ws_a", QueryKind::kPaths, kWeek);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(answer.status().message().find("paths"), std::string::npos);
  EXPECT_EQ(service.StartJob("ws_a", QueryKind::kPaths, std::string(kWeek)).status().code(),
            ErrorCode::kNotFound);
}

TEST_F(QueryServiceTest, AGivenContextIsBoundToTheWorkspace) {
  QueryContext seen;
  QueryService service(
      store_.store(),
      {{QueryKind::kFunnel,
        [&](const QueryContext& context, EventStore& store, std::string_view body) {
          seen = context;
          return CountEventsQuery(context, store, body);
        }}},
      cache_, clock_, {.scan_parallelism = 3});
  RunOk(service, "ws_a", QueryKind::kFunnel, kWeek);
  EXPECT_EQ(seen.workspace_id, "ws_a");
  EXPECT_EQ(seen.parallelism, 3);
  EXPECT_NE(seen.cancelled, nullptr);  // the service's stop flag
  QueryContext mine{.workspace_id = "ws_b", .parallelism = 1};
  ASSERT_TRUE(
      service.Run("ws_a", QueryKind::kFunnel, R"({"from":"2026-01-02","to":"2026-01-03"})", &mine)
          .ok());
  EXPECT_EQ(seen.workspace_id, "ws_a");
  EXPECT_EQ(seen.parallelism, 1);
}

TEST_F(QueryServiceTest, SubmitRunsOnThePoolAndAnswersOnce) {
  std::atomic<std::thread::id> ran_on{};
  QueryService service(
      store_.store(),
      {{QueryKind::kFunnel,
        [&](const QueryContext& context, EventStore& store, std::string_view body) {
          ran_on = std::this_thread::get_id();
          return CountEventsQuery(context, store, body);
        }}},
      cache_, clock_);
  Outcome outcome;
  ASSERT_TRUE(
      service.Submit("ws_a", QueryKind::kFunnel, std::string(kWeek), outcome.Callback()).ok());
  const Result<QueryAnswer> answer = outcome.Wait();
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  const TimePoint jan1 = FromUnixMicros(int64_t{1'767'225'600} * 1'000'000);
  EXPECT_EQ(answer->result_json,
            CountJson(CountEventsReference(Events(), "ws_a", jan1, jan1 + seconds(7 * 86400))));
  EXPECT_NE(ran_on.load(), std::this_thread::get_id());
  service.Stop();
  EXPECT_EQ(outcome.calls(), 1);
}

TEST_F(QueryServiceTest, TrySubmitRunsWorkOnThePool) {
  auto service = MakeService();
  Outcome outcome;
  std::atomic<std::thread::id> ran_on{};
  ASSERT_TRUE(service->TrySubmit([&, done = outcome.Callback()] {
    ran_on = std::this_thread::get_id();
    done(service->Run("ws_a", QueryKind::kTrends, kWeek));
  }));
  EXPECT_TRUE(outcome.Wait().ok());
  EXPECT_NE(ran_on.load(), std::this_thread::get_id());
  service->Stop();
  EXPECT_FALSE(service->TrySubmit([] {}));
}

TEST_F(QueryServiceTest, AFullQueueIsRefusedWithRetryAfter) {
  auto service = MakeGatedService({.threads = 1, .max_queued = 1});
  Outcome running;
  Outcome queued;
  ASSERT_TRUE(
      service->Submit("ws_a", QueryKind::kFunnel, std::string(kWeek), running.Callback()).ok());
  ASSERT_TRUE(gate_.WaitForQueriesStarted(1));  // the one thread is busy
  ASSERT_TRUE(
      service->Submit("ws_a", QueryKind::kFunnel, std::string(kWeek), queued.Callback()).ok());
  Outcome refused;
  const Status busy =
      service->Submit("ws_a", QueryKind::kFunnel, std::string(kWeek), refused.Callback());
  EXPECT_EQ(busy.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(busy.retry_after(), seconds(1));
  // An async job needs the same queue.
  const Result<AsyncJobSnapshot> job =
      service->StartJob("ws_a", QueryKind::kFunnel, std::string(kWeek));
  EXPECT_EQ(job.status().code(), ErrorCode::kUnavailable);
  // And so does other work.
  EXPECT_FALSE(service->TrySubmit([] {}));
  EXPECT_EQ(service->counters().refused, 3u);

  gate_.Open();
  EXPECT_TRUE(running.Wait().ok());
  EXPECT_TRUE(queued.Wait().ok());
  EXPECT_EQ(refused.calls(), 0);
  // Room again.
  Outcome later;
  EXPECT_TRUE(
      service->Submit("ws_a", QueryKind::kFunnel, std::string(kWeek), later.Callback()).ok());
  EXPECT_TRUE(later.Wait().ok());
}

TEST_F(QueryServiceTest, AsyncJobGoesQueuedRunningSucceededWithProgress) {
  auto service = MakeGatedService({.threads = 1});
  const Result<AsyncJobSnapshot> started =
      service->StartJob("ws_a", QueryKind::kFunnel, std::string(kWeek));
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  EXPECT_EQ(started->status, AsyncJobStatus::kQueued);
  EXPECT_EQ(started->progress, 0);

  ASSERT_TRUE(gate_.WaitForQueriesStarted(1));
  gate_.Allow(3);
  ASSERT_TRUE(gate_.WaitForBlocksPassed(3));
  const AsyncJobSnapshot running = service->GetJob("ws_a", started->id).value();
  EXPECT_EQ(running.status, AsyncJobStatus::kRunning);
  EXPECT_GT(running.progress, 0);
  EXPECT_LT(running.progress, 1);
  EXPECT_TRUE(running.started_at.has_value());
  EXPECT_FALSE(running.answer.has_value());

  gate_.Open();
  const AsyncJobSnapshot done = WaitForFinish(*service, "ws_a", started->id);
  EXPECT_EQ(done.status, AsyncJobStatus::kSucceeded);
  EXPECT_EQ(done.progress, 1);
  ASSERT_TRUE(done.answer.has_value());
  const TimePoint jan1 = FromUnixMicros(int64_t{1'767'225'600} * 1'000'000);
  EXPECT_EQ(done.answer->result_json,
            CountJson(CountEventsReference(Events(), "ws_a", jan1, jan1 + seconds(7 * 86400))));
  EXPECT_FALSE(done.answer->cache_hit);
}

TEST_F(QueryServiceTest, AsyncJobThatFailsKeepsTheError) {
  auto service = MakeService();
  const Result<AsyncJobSnapshot> started =
      service->StartJob("ws_a", QueryKind::kFunnel, R"({"from":"2026-01-01","too":1})");
  ASSERT_TRUE(started.ok());
  const AsyncJobSnapshot done = WaitForFinish(*service, "ws_a", started->id);
  EXPECT_EQ(done.status, AsyncJobStatus::kFailed);
  EXPECT_EQ(done.error.code(), ErrorCode::kBadRequest);
  EXPECT_EQ(done.error.field(), "too");
}

TEST_F(QueryServiceTest, CancellingARunningJobStopsItsScan) {
  auto service = MakeGatedService({.threads = 1});
  const Result<AsyncJobSnapshot> started =
      service->StartJob("ws_a", QueryKind::kFunnel, std::string(kWeek));
  ASSERT_TRUE(started.ok());
  ASSERT_TRUE(gate_.WaitForQueriesStarted(1));
  gate_.Allow(1);
  ASSERT_TRUE(gate_.WaitForBlocksPassed(1));
  const AsyncJobSnapshot cancelling = service->CancelJob("ws_a", started->id).value();
  EXPECT_TRUE(cancelling.cancel_requested);
  // The gate stays shut: only the cancellation can end the scan.
  const AsyncJobSnapshot done = WaitForFinish(*service, "ws_a", started->id);
  EXPECT_EQ(done.status, AsyncJobStatus::kCancelled);
  EXPECT_FALSE(done.answer.has_value());
  EXPECT_EQ(gate_.queries_finished(), 1);
  // Nothing of it was cached.
  EXPECT_EQ(cache_.entries(), 0u);
}

TEST_F(QueryServiceTest, ACancelledQueuedJobNeverStarts) {
  auto service = MakeGatedService({.threads = 1});
  const Result<AsyncJobSnapshot> first =
      service->StartJob("ws_a", QueryKind::kFunnel, std::string(kWeek));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(gate_.WaitForQueriesStarted(1));  // the one thread runs the first
  const Result<AsyncJobSnapshot> second =
      service->StartJob("ws_a", QueryKind::kFunnel, R"({"from":"2026-01-02","to":"2026-01-03"})");
  ASSERT_TRUE(second.ok());
  const AsyncJobSnapshot cancelled = service->CancelJob("ws_a", second->id).value();
  EXPECT_EQ(cancelled.status, AsyncJobStatus::kCancelled);
  gate_.Open();
  EXPECT_EQ(WaitForFinish(*service, "ws_a", first->id).status, AsyncJobStatus::kSucceeded);
  service->Stop();  // every task has run
  EXPECT_EQ(gate_.queries_started(), 1);
  EXPECT_EQ(service->GetJob("ws_a", second->id)->status, AsyncJobStatus::kCancelled);
}

TEST_F(QueryServiceTest, AnotherWorkspaceCannotSeeOrCancelAJob) {
  auto service = MakeGatedService({.threads = 1});
  const Result<AsyncJobSnapshot> started =
      service->StartJob("ws_a", QueryKind::kFunnel, std::string(kWeek));
  ASSERT_TRUE(started.ok());
  EXPECT_EQ(service->GetJob("ws_b", started->id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(service->CancelJob("ws_b", started->id).status().code(), ErrorCode::kNotFound);
  gate_.Open();
  EXPECT_EQ(WaitForFinish(*service, "ws_a", started->id).status, AsyncJobStatus::kSucceeded);
}

TEST_F(QueryServiceTest, AsyncJobsUseTheCacheToo) {
  auto service = MakeService();
  RunOk(*service, "ws_a", QueryKind::kFunnel, kWeek);
  const Result<AsyncJobSnapshot> started =
      service->StartJob("ws_a", QueryKind::kFunnel, std::string(kWeek));
  ASSERT_TRUE(started.ok());
  const AsyncJobSnapshot done = WaitForFinish(*service, "ws_a", started->id);
  ASSERT_TRUE(done.answer.has_value());
  EXPECT_TRUE(done.answer->cache_hit);
  EXPECT_EQ(runs_.load(), 1);
}

TEST_F(QueryServiceTest, StopCancelsWhatRunsAndAnswersWhatWaits) {
  auto service = MakeGatedService({.threads = 1, .max_queued = 4});
  Outcome running;
  Outcome waiting;
  ASSERT_TRUE(
      service->Submit("ws_a", QueryKind::kFunnel, std::string(kWeek), running.Callback()).ok());
  ASSERT_TRUE(gate_.WaitForQueriesStarted(1));
  ASSERT_TRUE(
      service->Submit("ws_a", QueryKind::kFunnel, std::string(kWeek), waiting.Callback()).ok());
  const Result<AsyncJobSnapshot> job =
      service->StartJob("ws_a", QueryKind::kFunnel, std::string(kWeek));
  ASSERT_TRUE(job.ok());
  service->Stop();  // the gate never opens: only the stop ends the first query
  EXPECT_EQ(running.Wait().status().code(), ErrorCode::kUnavailable);
  const Result<QueryAnswer> answered = waiting.Wait();
  EXPECT_EQ(answered.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(answered.status().message(), "the server is shutting down");
  EXPECT_EQ(service->GetJob("ws_a", job->id)->status, AsyncJobStatus::kCancelled);
  EXPECT_EQ(gate_.queries_started(), 1);
  // Nothing new is taken.
  Outcome late;
  EXPECT_EQ(service->Submit("ws_a", QueryKind::kFunnel, std::string(kWeek), late.Callback()).code(),
            ErrorCode::kUnavailable);
  EXPECT_EQ(service->StartJob("ws_a", QueryKind::kFunnel, std::string(kWeek)).status().code(),
            ErrorCode::kUnavailable);
}

// Sends the log to a file for one test and reads it back.
class QueryLogTest : public QueryServiceTest {
 protected:
  void SetUp() override {
    char path[] = "/tmp/cdp_query_log_test_XXXXXX";
    fd_ = mkstemp(path);
    ASSERT_GE(fd_, 0);
    unlink(path);
    log::Init({.level = log::Level::kInfo, .fd = fd_});
  }
  void TearDown() override {
    log::Flush();
    log::Init({.level = log::Level::kInfo, .fd = STDERR_FILENO});
    close(fd_);
  }
  // The lines logged so far with "msg":"query".
  std::vector<std::string> QueryLines() {
    log::Flush();
    std::string text;
    char buffer[4096];
    for (off_t offset = 0;;) {
      const ssize_t n = pread(fd_, buffer, sizeof(buffer), offset);
      if (n <= 0) break;
      text.append(buffer, static_cast<size_t>(n));
      offset += n;
    }
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(start, end - start);
      if (line.find(R"("msg":"query")") != std::string::npos) lines.push_back(std::move(line));
      start = end + 1;
    }
    return lines;
  }

  int fd_ = -1;
};

bool Contains(const std::string& line, std::string_view part) {
  return line.find(part) != std::string::npos;
}

TEST_F(QueryLogTest, OneLinePerQueryWithItsFacts) {
  {
    auto service = MakeService();
    RunOk(*service, "ws_a", QueryKind::kFunnel, kWeek);
    RunOk(*service, "ws_a", QueryKind::kFunnel, kWeek);
    ASSERT_FALSE(service->Run("ws_b", QueryKind::kTrends, R"({"from":"x"})").ok());
  }
  const std::vector<std::string> lines = QueryLines();
  ASSERT_EQ(lines.size(), 3u);
  for (const std::string& line : lines) {
    EXPECT_TRUE(Contains(line, R"("duration_ms":)")) << line;
  }
  EXPECT_TRUE(Contains(lines[0], R"("workspace_id":"ws_a")")) << lines[0];
  EXPECT_TRUE(Contains(lines[0], R"("query_type":"funnel")")) << lines[0];
  EXPECT_TRUE(Contains(lines[0], R"("rows_returned":1)")) << lines[0];
  EXPECT_TRUE(Contains(lines[0], R"("cache_hit":false)")) << lines[0];
  EXPECT_FALSE(Contains(lines[0], "error")) << lines[0];
  EXPECT_TRUE(Contains(lines[1], R"("cache_hit":true)")) << lines[1];
  EXPECT_TRUE(Contains(lines[2], R"("workspace_id":"ws_b")")) << lines[2];
  EXPECT_TRUE(Contains(lines[2], R"("query_type":"trends")")) << lines[2];
  EXPECT_TRUE(Contains(lines[2], R"("rows_returned":0)")) << lines[2];
  EXPECT_TRUE(Contains(lines[2], R"("error_code":"BadRequest")")) << lines[2];
  EXPECT_TRUE(Contains(lines[2], R"("field":"from")")) << lines[2];
}

}  // namespace
}  // namespace cdp::query
