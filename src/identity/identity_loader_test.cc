#include "identity/identity_loader.h"

#include <gtest/gtest.h>

#include <future>
#include <map>
#include <set>
#include <thread>

#include "identity/testing/faulty_identity_store.h"
#include "identity/testing/identity_events.h"
#include "identity/testing/reference_identity.h"
#include "identity/testing/reference_profiles.h"
#include "log/local/local_event_log.h"
#include "meta/sqlite/sqlite_identity_store.h"
#include "meta/sqlite/sqlite_test_store.h"
#include "model/event_codec.h"
#include "support/temp_dir.h"

namespace cdp::identity {
namespace {

using testing::MakeIdentify;
using testing::MakeTrack;
using testing::ReferenceStitching;

constexpr const char* kWs1 = "ws1";
constexpr const char* kWs2 = "ws2";
constexpr int kPartitions = 3;

class IdentityLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto meta = cdp::testing::OpenMigratedSqliteMetaStore(dir_.File("meta.db"));
    ASSERT_NE(meta, nullptr);
    for (const char* workspace : {kWs1, kWs2}) {
      ASSERT_TRUE(meta->CreateWorkspace({workspace, workspace, clock_.Now()}).ok());
    }
    OpenLog();
    OpenService();
  }

  void OpenLog() {
    log_.reset();
    LocalEventLog::Options options;
    options.dir = dir_.path() + "/log";
    options.partitions = kPartitions;
    options.segment_bytes = 16 << 10;  // small, so that committed segments get deleted
    auto log = LocalEventLog::Open(options);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(log).value();
  }

  // Opens the store and the service afresh on the same database: what a
  // restart sees. The previous service goes without a word to the store (a
  // crash, as far as the store can tell: it only ever learns of batches).
  void OpenService() {
    service_.reset();
    faulty_.reset();
    store_.reset();
    auto store = OpenSqliteIdentityStore(dir_.File("meta.db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    faulty_ = std::make_unique<testing::FaultyIdentityStore>(*store_);
    auto service = IdentityService::Open(*faulty_, clock_, {});
    ASSERT_TRUE(service.ok()) << service.status().ToString();
    service_ = std::move(service).value();
  }

  // Appends as ingestion does; returns where each event landed.
  std::vector<LogPosition> Append(const std::vector<Event>& events) {
    std::vector<LogAppend> records;
    for (const Event& event : events) records.push_back({EventLogKey(event), EncodeEvent(event)});
    return AppendRecords(std::move(records));
  }

  std::vector<LogPosition> AppendRecords(std::vector<LogAppend> records) {
    std::promise<std::pair<Status, std::vector<LogPosition>>> done;
    log_->Append(std::move(records), [&](const Status& status, std::vector<LogPosition> at) {
      done.set_value({status, std::move(at)});
    });
    auto [status, positions] = done.get_future().get();
    EXPECT_TRUE(status.ok()) << status.ToString();
    return positions;
  }

  // The sum of every profile's event count.
  int64_t CountedEvents() {
    int64_t events = 0;
    for (const char* workspace : {kWs1, kWs2}) {
      const Status status = service_->ScanProfiles(workspace, [&](const Profile& profile) {
        events += profile.event_count;
        return true;
      });
      EXPECT_TRUE(status.ok()) << status.ToString();
    }
    return events;
  }

  static int64_t WithAnId(const std::vector<Event>& events) {
    int64_t count = 0;
    for (const Event& event : events)
      count += !event.anonymous_id.empty() || !event.user_id.empty();
    return count;
  }

  // The model fed with every event's activity and with the links in the
  // order the service recorded them (seq order per workspace); checks that
  // each recorded outcome is the model's.
  ReferenceStitching ModelOfRecordedLinks(const std::vector<Event>& events) {
    ReferenceStitching model;
    for (const Event& event : events) model.ApplyActivity(event);
    const Status status = store_->ForEachLink([&](const IdentityLinkRecord& link) {
      const std::optional<LinkKind> kind = ParseLinkKind(link.kind);
      EXPECT_TRUE(kind.has_value()) << link.kind;
      EXPECT_EQ(link.seq, model.last_seq(link.workspace_id) + 1);
      const LinkResult result = model.Link(link.workspace_id, link.from_id, link.to_id, *kind);
      EXPECT_EQ(link.outcome, LinkOutcomeName(result.outcome)) << link.seq;
      if (result.outcome == LinkOutcome::kMerged) {
        EXPECT_EQ(link.winner, result.winner) << link.seq;
        EXPECT_EQ(link.loser, result.loser) << link.seq;
        std::vector<std::string> moved;
        for (const Reassignment& reassignment : result.moved) moved.push_back(reassignment.id);
        EXPECT_EQ(link.moved_ids, moved) << link.seq;
      }
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return model;
  }

  // Persons agree between the model, the graph (MemberIds), the snapshot
  // and the store; profiles count what the model counts.
  void ExpectConsistentWith(ReferenceStitching& model, const std::set<std::string>& ids) {
    for (const char* workspace : {kWs1, kWs2}) {
      const std::shared_ptr<const PersonMap> snapshot = service_->Snapshot(workspace);
      for (const std::string& id : ids) {
        const std::string where = std::string(workspace) + "/" + id;
        const std::string representative = model.graph(workspace).RepresentativeOf(id);
        EXPECT_EQ(snapshot->ResolveId(id), PersonKeyOf(representative)) << where;
        EXPECT_EQ(service_->MemberIds(workspace, id).value(), model.graph(workspace).MembersOf(id))
            << where;
        const std::optional<Profile> expected = model.ProfileOf(workspace, id);
        if (!expected.has_value()) {
          EXPECT_FALSE(store_->PersonOf(workspace, id).value().has_value()) << where;
          continue;
        }
        EXPECT_EQ(store_->PersonOf(workspace, id).value(),
                  std::optional<std::string>(representative))
            << where;
        const Result<ProfileView> view = service_->GetProfile(workspace, id);
        ASSERT_TRUE(view.ok()) << where << ": " << view.status().ToString();
        EXPECT_EQ(view->profile.person, representative) << where;
        EXPECT_EQ(view->profile.event_count, expected->event_count) << where;
        EXPECT_EQ(view->profile.first_seen, expected->first_seen) << where;
        EXPECT_EQ(view->profile.last_seen, expected->last_seen) << where;
        EXPECT_EQ(view->profile.user_ids, expected->user_ids) << where;
        EXPECT_EQ(view->profile.anonymous_ids, expected->anonymous_ids) << where;
        // Timestamps are unique: the traits do not depend on the order the
        // loader met the events in.
        EXPECT_EQ(testing::ParseTraits(view->profile.traits_json), model.TraitsOf(workspace, id))
            << where;
      }
    }
  }

  cdp::testing::TempDir dir_ = cdp::testing::TempDir::InMemory();
  ManualClock clock_{testing::AtMillis(2'000'000'000)};
  std::unique_ptr<LocalEventLog> log_;
  std::unique_ptr<SqliteIdentityStore> store_;
  std::unique_ptr<testing::FaultyIdentityStore> faulty_;
  std::unique_ptr<IdentityService> service_;
};

TEST_F(IdentityLoaderTest, AppliesEveryEventOnceAndCommitsItsConsumerOffset) {
  testing::RandomIdentityEvents random(11, {kWs1, kWs2});
  std::vector<Event> events;
  for (int i = 0; i < 600; ++i) events.push_back(random.Next());
  for (size_t i = 0; i < events.size(); i += 20) {  // segments roll between appends
    Append(std::vector<Event>(events.begin() + i, events.begin() + i + 20));
  }
  size_t segments_before = 0;
  for (int partition = 0; partition < kPartitions; ++partition) {
    segments_before += log_->SegmentCount(partition);
  }
  IdentityLoader::Options options;
  options.max_batch_events = 64;
  IdentityLoader loader(*log_, *service_, options);
  EXPECT_EQ(loader.LoadAvailable().value(), 600u);
  EXPECT_EQ(loader.LoadAvailable().value(), 0u);
  EXPECT_EQ(loader.loaded(), 600u);
  EXPECT_EQ(CountedEvents(), WithAnId(events));
  for (const int64_t batch : faulty_->applied_batch_events()) EXPECT_LE(batch, 64);

  std::vector<std::pair<int, uint64_t>> end;
  for (int partition = 0; partition < kPartitions; ++partition) {
    end.emplace_back(partition, log_->EndOffset(partition).value());
    EXPECT_EQ(log_->Committed("identity", partition).value(), end.back().second);
  }
  EXPECT_EQ(service_->ConsumedOffsets().value(), end);
  // The log's only consumer has committed everything: its full segments go.
  size_t segments_after = 0;
  for (int partition = 0; partition < kPartitions; ++partition) {
    segments_after += log_->SegmentCount(partition);
  }
  EXPECT_GT(segments_before, static_cast<size_t>(kPartitions));
  EXPECT_LE(segments_after, static_cast<size_t>(kPartitions));

  ReferenceStitching model = ModelOfRecordedLinks(events);
  const std::vector<std::string> ids = random.AllIds();
  ExpectConsistentWith(model, std::set<std::string>(ids.begin(), ids.end()));
}

// Exactly once: the store, not the log's consumer offset nor the loader's
// memory, says where to resume.
TEST_F(IdentityLoaderTest, ResumesWhereTheStoreStoppedAfterACrash) {
  testing::RandomIdentityEvents random(12, {kWs1, kWs2});
  std::vector<Event> events;
  for (int i = 0; i < 400; ++i) events.push_back(random.Next());
  Append(events);
  {
    IdentityLoader loader(*log_, *service_, {});
    ASSERT_EQ(loader.LoadAvailable().value(), 400u);
  }
  // As if the process died after the store's commit and before the log's
  // consumer commit, with more events waiting.
  for (int partition = 0; partition < kPartitions; ++partition) {
    ASSERT_TRUE(log_->Commit("identity", partition, 0).ok());
  }
  std::vector<Event> more;
  for (int i = 0; i < 300; ++i) more.push_back(random.Next());
  Append(more);
  OpenLog();
  OpenService();
  {
    IdentityLoader loader(*log_, *service_, {});
    EXPECT_EQ(loader.LoadAvailable().value(), 300u);
  }
  events.insert(events.end(), more.begin(), more.end());
  EXPECT_EQ(CountedEvents(), WithAnId(events));

  // A batch the store refuses is not half-applied: the next attempt (here, a
  // new loader after a restart) applies it whole, once.
  std::vector<Event> last;
  for (int i = 0; i < 200; ++i) last.push_back(random.Next());
  Append(last);
  {
    IdentityLoader loader(*log_, *service_, {});
    faulty_->FailApplies(1);
    EXPECT_EQ(loader.LoadAvailable().status().code(), ErrorCode::kUnavailable);
    EXPECT_EQ(loader.loaded(), 0u);
    EXPECT_EQ(loader.LoadAvailable().value(), 200u);
  }
  OpenService();
  {
    IdentityLoader loader(*log_, *service_, {});
    EXPECT_EQ(loader.LoadAvailable().value(), 0u);
  }
  events.insert(events.end(), last.begin(), last.end());
  EXPECT_EQ(CountedEvents(), WithAnId(events));
  ReferenceStitching model = ModelOfRecordedLinks(events);
  const std::vector<std::string> ids = random.AllIds();
  ExpectConsistentWith(model, std::set<std::string>(ids.begin(), ids.end()));
}

TEST_F(IdentityLoaderTest, AnUnreadableRecordStopsTheLoaderInsteadOfBeingSkipped) {
  testing::RandomIdentityEvents random(13, {kWs1});
  std::vector<Event> before;
  for (int i = 0; i < 60; ++i) before.push_back(random.Next());
  Append(before);
  const std::vector<LogPosition> bad = AppendRecords({{"ws1/x", "{\"v\":99}"}});
  ASSERT_EQ(bad.size(), 1u);
  std::vector<Event> after;
  for (int i = 0; i < 60; ++i) after.push_back(random.Next());
  const std::vector<LogPosition> after_positions = Append(after);

  IdentityLoader loader(*log_, *service_, {});
  const Result<uint64_t> loaded = loader.LoadAvailable();
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().cause().find("cannot decode log record"), std::string::npos);
  // Everything but what waits behind the record in its partition is applied.
  std::vector<Event> applied = before;
  for (size_t i = 0; i < after.size(); ++i) {
    if (after_positions[i].partition != bad[0].partition) applied.push_back(after[i]);
  }
  EXPECT_EQ(CountedEvents(), WithAnId(applied));
  EXPECT_EQ(loader.loaded(), applied.size());
  EXPECT_EQ(log_->Committed("identity", bad[0].partition).value(), bad[0].offset);
  // And it stays stopped there.
  EXPECT_FALSE(loader.LoadAvailable().ok());
  EXPECT_EQ(CountedEvents(), WithAnId(applied));
}

TEST_F(IdentityLoaderTest, RunningLoaderAppliesNewEventsAndStopCatchesUp) {
  IdentityLoader::Options options;
  options.poll_interval = std::chrono::milliseconds(5);
  IdentityLoader loader(*log_, *service_, options);
  loader.Start();
  std::vector<Event> events = {MakeTrack(kWs1, "a1", "", 1), MakeIdentify(kWs1, "a1", "u1", 2)};
  Append(events);
  const auto start = std::chrono::steady_clock::now();
  while (loader.loaded() < 2 &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(30)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(service_->Snapshot(kWs1)->ResolveId("u1"), PersonKeyOf("a1"));

  options.poll_interval = std::chrono::hours(1);
  IdentityLoader idle(*log_, *service_, options);
  loader.Stop();
  idle.Start();
  Append({MakeTrack(kWs1, "", "u1", 3)});
  idle.Stop();  // the last load sees the event whatever the poll interval
  EXPECT_EQ(service_->GetProfile(kWs1, "a1")->profile.event_count, 3);
}

// Several ingestion threads append identify and track events for the same
// ids while the loader runs: every event counts once, and the persons are
// what the model makes of the links in the order they were recorded.
TEST_F(IdentityLoaderTest, ConcurrentIdentifyStorms) {
  IdentityLoader::Options options;
  options.poll_interval = std::chrono::milliseconds(1);
  options.max_batch_events = 40;
  IdentityLoader loader(*log_, *service_, options);
  loader.Start();

  constexpr int kThreads = 4;
  constexpr int kAppendsPerThread = 60;
  std::vector<std::vector<Event>> appended(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Overlapping ids (every thread uses the same pools) in both
      // workspaces; unique timestamps per thread (t + 4k milliseconds).
      testing::RandomIdentityEvents random(100 + t, {kWs1, kWs2}, 8, 5);
      int64_t millis = t;
      for (int i = 0; i < kAppendsPerThread; ++i) {
        std::vector<Event> events;
        for (int n = random.Below(5) + 1; n > 0; --n) {
          const std::string workspace = random.Pick(random.workspaces());
          const std::string anonymous = "a" + std::to_string(random.Below(8));
          const std::string user = "u" + std::to_string(random.Below(5));
          millis += kThreads;
          Event event = random.Chance(2)   ? MakeIdentify(workspace, anonymous, user, millis)
                        : random.Chance(2) ? MakeTrack(workspace, anonymous, "", millis)
                                           : MakeTrack(workspace, anonymous, user, millis);
          if (random.Chance(3)) event.traits.push_back(testing::MakeTrait("plan", user));
          events.push_back(std::move(event));
        }
        std::vector<LogAppend> records;
        for (const Event& event : events) {
          records.push_back({EventLogKey(event), EncodeEvent(event)});
        }
        std::promise<Status> done;
        log_->Append(std::move(records), [&](const Status& status, std::vector<LogPosition>) {
          done.set_value(status);
        });
        EXPECT_TRUE(done.get_future().get().ok());
        appended[t].insert(appended[t].end(), events.begin(), events.end());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  loader.Stop();

  std::vector<Event> events;
  for (const auto& thread_events : appended) {
    events.insert(events.end(), thread_events.begin(), thread_events.end());
  }
  EXPECT_EQ(loader.loaded(), events.size());
  EXPECT_EQ(CountedEvents(), WithAnId(events));
  EXPECT_GT(faulty_->applied_batch_events().size(), 1u);

  ReferenceStitching model = ModelOfRecordedLinks(events);
  std::set<std::string> ids = {"nobody"};
  for (int i = 0; i < 8; ++i) ids.insert("a" + std::to_string(i));
  for (int i = 0; i < 5; ++i) ids.insert("u" + std::to_string(i));
  ExpectConsistentWith(model, ids);

  // The same after a restart: the graphs rebuilt from the recorded links.
  OpenService();
  ExpectConsistentWith(model, ids);
}

}  // namespace
}  // namespace cdp::identity
