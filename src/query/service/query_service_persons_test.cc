// The query service and identity stitching: every context it makes carries
// its person directory, and a merge is seen at once through the cache.
#include <gtest/gtest.h>

#include <mutex>
#include <random>
#include <thread>

#include "query/person_directory.h"
#include "query/service/in_process_query_cache.h"
#include "query/service/query_service.h"
#include "query/testing/test_event_store.h"
#include "store/testing/random_events.h"

namespace cdp::query {
namespace {

using std::chrono::seconds;

constexpr std::string_view kWeek = R"({"from": "2026-01-01", "to": "2026-01-08"})";

// A directory whose snapshot the test replaces, as the identity service
// does after each applied batch.
class ChangingDirectory final : public PersonDirectory {
 public:
  void Merge(std::string_view id, std::string_view into) {
    std::lock_guard lock(mutex_);
    const PersonMap::Change change{PersonKeyOf(id), PersonKeyOf(into)};
    snapshot_ = snapshot_->With(std::span(&change, 1));
  }
  std::shared_ptr<const PersonMap> Snapshot(std::string_view) const override {
    std::lock_guard lock(mutex_);
    return snapshot_;
  }
  Result<std::vector<std::string>> MemberIds(std::string_view, std::string_view id) const override {
    return std::vector<std::string>{std::string(id)};
  }
  Status ScanProfiles(std::string_view, const std::function<bool(const Profile&)>&) const override {
    return Status::Ok();
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const PersonMap> snapshot_ = std::make_shared<PersonMap>();
};

class QueryServicePersonsTest : public ::testing::Test {
 protected:
  QueryServicePersonsTest() : store_(Events(), 2, 64) {}

  static std::vector<Event> Events() {
    std::mt19937_64 random(6);
    return cdp::testing::RandomEvents(random, 200);
  }

  // Answers with the person of "anon-1" as the query's snapshot resolves it,
  // and remembers the context it ran with.
  std::unique_ptr<QueryService> MakeService() {
    const QueryFunction person_of_anon_1 = [this](const QueryContext& context, EventStore&,
                                                  std::string_view) -> Result<QueryOutput> {
      {
        std::lock_guard lock(mutex_);
        seen_ = context;
        ++runs_;
      }
      const std::shared_ptr<const PersonMap> persons = PersonSnapshotOf(context);
      return QueryOutput{.json = R"({"person":")" + ProfileIdOf(persons->ResolveId("anon-1")) +
                                 R"(","version":)" + std::to_string(persons->version()) + "}",
                         .rows = 1};
    };
    QueryServiceOptions options;
    options.persons = &directory_;
    return std::make_unique<QueryService>(
        store_.store(), QueryService::Functions{{QueryKind::kTrends, person_of_anon_1}}, cache_,
        clock_, options);
  }

  QueryContext Seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

  query::testing::TestEventStore store_;
  ManualClock clock_{TimePoint{} + seconds(1'800'000'000)};
  InProcessQueryCache cache_{1 << 20, clock_};
  ChangingDirectory directory_;
  std::mutex mutex_;
  QueryContext seen_;
  int runs_ = 0;
};

TEST_F(QueryServicePersonsTest, AMergeIsSeenAtOnceDespiteTheCache) {
  auto service = MakeService();
  const std::string apart =
      R"({"person":")" + ProfileIdOf(PersonKeyOf("anon-1")) + R"(","version":0})";
  Result<QueryAnswer> first = service->Run("ws_a", QueryKind::kTrends, kWeek);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->result_json, apart);
  EXPECT_FALSE(first->cache_hit);
  EXPECT_TRUE(service->Run("ws_a", QueryKind::kTrends, kWeek)->cache_hit);

  directory_.Merge("anon-1", "user-1");
  Result<QueryAnswer> merged = service->Run("ws_a", QueryKind::kTrends, kWeek);
  ASSERT_TRUE(merged.ok());
  EXPECT_FALSE(merged->cache_hit) << "an answer from before the merge was served";
  EXPECT_EQ(merged->result_json,
            R"({"person":")" + ProfileIdOf(PersonKeyOf("user-1")) + R"(","version":1})");
  EXPECT_TRUE(service->Run("ws_a", QueryKind::kTrends, kWeek)->cache_hit);
  EXPECT_EQ(runs_, 2);
}

TEST_F(QueryServicePersonsTest, EveryContextCarriesTheDirectoryAndAPinnedSnapshot) {
  auto service = MakeService();
  // The service's own context (routes and dashboards pass none).
  ASSERT_TRUE(service->Run("ws_a", QueryKind::kTrends, kWeek).ok());
  EXPECT_EQ(Seen().persons, &directory_);
  EXPECT_EQ(Seen().person_snapshot, directory_.Snapshot("ws_a"));

  // A caller's context without a directory gets the service's.
  QueryContext mine{.workspace_id = "ws_b", .parallelism = 1};
  ASSERT_TRUE(
      service->Run("ws_a", QueryKind::kTrends, R"({"from":"2026-01-02","to":"2026-01-03"})", &mine)
          .ok());
  EXPECT_EQ(Seen().persons, &directory_);
  EXPECT_NE(Seen().person_snapshot, nullptr);

  // Async jobs.
  const Result<AsyncJobSnapshot> job =
      service->StartJob("ws_a", QueryKind::kTrends, R"({"from":"2026-01-03","to":"2026-01-04"})");
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  const auto deadline = std::chrono::steady_clock::now() + seconds(30);
  while (!service->GetJob("ws_a", job->id)->finished_at &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(service->GetJob("ws_a", job->id)->status, AsyncJobStatus::kSucceeded);
  EXPECT_EQ(Seen().persons, &directory_);
  EXPECT_NE(Seen().progress, nullptr);  // the job's own context
}

}  // namespace
}  // namespace cdp::query
