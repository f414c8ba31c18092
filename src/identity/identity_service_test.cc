#include "identity/identity_service.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "core/uuid.h"
#include "identity/testing/faulty_identity_store.h"
#include "identity/testing/identity_events.h"
#include "identity/testing/reference_identity.h"
#include "identity/testing/reference_profiles.h"
#include "meta/sqlite/sqlite_identity_store.h"
#include "meta/sqlite/sqlite_test_store.h"
#include "support/temp_dir.h"

namespace cdp::identity {
namespace {

using testing::AtMillis;
using testing::MakeAlias;
using testing::MakeIdentify;
using testing::MakeTrack;
using testing::MakeTrait;
using testing::MergingDangerously;
using testing::ParseTraits;
using testing::ReferenceStitching;

constexpr const char* kWs1 = "ws1";
constexpr const char* kWs2 = "ws2";

std::vector<int64_t> ActiveMergeSeqs(const std::vector<IdentityLinkRecord>& merges) {
  std::vector<int64_t> seqs;
  for (const IdentityLinkRecord& merge : merges) {
    if (!merge.unmerged_at.has_value()) seqs.push_back(merge.seq);
  }
  return seqs;
}

class IdentityServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.profile_cache_ttl = std::chrono::seconds(0);  // every lookup reads the store
    OpenDatabase("meta.db");
  }

  // A fresh database with both workspaces, and a fresh model.
  void OpenDatabase(const std::string& name) {
    service_.reset();
    faulty_.reset();
    store_.reset();
    db_path_ = dir_.File(name);
    meta_ = cdp::testing::OpenMigratedSqliteMetaStore(db_path_);
    ASSERT_NE(meta_, nullptr);
    for (const char* workspace : {kWs1, kWs2}) {
      ASSERT_TRUE(meta_->CreateWorkspace({workspace, workspace, clock_.Now()}).ok());
    }
    model_ = ReferenceStitching();
    ids_.clear();
    next_offset_ = 0;
    OpenStore();
  }

  // Opens the store (and a service on it) afresh on the same database: what
  // a restart sees.
  void OpenStore() {
    service_.reset();
    faulty_.reset();
    store_.reset();
    auto store = OpenSqliteIdentityStore(db_path_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    faulty_ = std::make_unique<testing::FaultyIdentityStore>(*store_);
    OpenService();
  }

  void OpenService() {
    service_.reset();
    auto service = IdentityService::Open(*faulty_, clock_, options_);
    ASSERT_TRUE(service.ok()) << service.status().ToString();
    service_ = std::move(service).value();
  }

  // Applies `events` to the service and, when it succeeds, to the model.
  Status Apply(const std::vector<Event>& events) {
    const uint64_t offset = next_offset_ + events.size();
    Status status = service_->ApplyEvents(events, {{0, offset}});
    if (!status.ok()) return status;
    next_offset_ = offset;
    for (const Event& event : events) {
      model_.Apply(event);
      for (const std::string* id : {&event.anonymous_id, &event.user_id, &event.previous_id}) {
        if (!id->empty()) ids_[event.workspace_id].insert(*id);
      }
    }
    return status;
  }

  // The merge id the service gave the merge of link `seq`.
  std::string MergeIdOf(const std::string& workspace, int64_t seq) {
    std::string merge_id;
    EXPECT_TRUE(store_
                    ->ForEachLink([&](const IdentityLinkRecord& link) {
                      if (link.workspace_id == workspace && link.seq == seq) {
                        merge_id = link.merge_id;
                      }
                      return Status::Ok();
                    })
                    .ok());
    EXPECT_FALSE(merge_id.empty()) << "link " << seq << " of " << workspace << " merged nothing";
    return merge_id;
  }

  // The expected profile of `id`'s person: nullopt when the store has no id
  // of it (no event had any).
  std::optional<Profile> ExpectedProfile(const std::string& workspace, const std::string& id) {
    return model_.ProfileOf(workspace, id);
  }

  void ExpectProfileIs(const ProfileView& view, const std::string& workspace, const std::string& id,
                       const std::string& context) {
    const std::optional<Profile> expected = ExpectedProfile(workspace, id);
    ASSERT_TRUE(expected.has_value()) << context;
    const std::string representative = model_.graph(workspace).RepresentativeOf(id);
    EXPECT_EQ(view.profile_id, ProfileIdOf(PersonKeyOf(representative))) << context;
    EXPECT_EQ(view.profile.workspace_id, workspace) << context;
    EXPECT_EQ(view.profile.person, representative) << context;
    EXPECT_EQ(view.profile.event_count, expected->event_count) << context;
    EXPECT_EQ(view.profile.first_seen, expected->first_seen) << context;
    EXPECT_EQ(view.profile.last_seen, expected->last_seen) << context;
    EXPECT_EQ(view.profile.user_ids, expected->user_ids) << context;
    EXPECT_EQ(view.profile.anonymous_ids, expected->anonymous_ids) << context;
    EXPECT_EQ(ParseTraits(view.profile.traits_json), model_.TraitsOf(workspace, id))
        << context << " traits " << view.profile.traits_json;
    EXPECT_EQ(ActiveMergeSeqs(view.merges), model_.graph(workspace).ActiveMergesOf(id)) << context;
  }

  // Every id's person, members and profile against the model, through the
  // snapshot, MemberIds, GetProfile (by id and by profile id) and the store.
  void ExpectMatchesModel(const std::string& context) {
    for (const char* workspace : {kWs1, kWs2}) {
      const std::shared_ptr<const PersonMap> snapshot = service_->Snapshot(workspace);
      std::set<std::string> ids = ids_[workspace];
      ids.insert("never-seen");
      for (const std::string& id : ids) {
        const std::string where = context + " " + workspace + "/" + id;
        const std::string representative = model_.graph(workspace).RepresentativeOf(id);
        EXPECT_EQ(snapshot->ResolveId(id), PersonKeyOf(representative)) << where;
        const Result<std::vector<std::string>> members = service_->MemberIds(workspace, id);
        ASSERT_TRUE(members.ok()) << members.status().ToString();
        EXPECT_EQ(*members, model_.graph(workspace).MembersOf(id)) << where;

        const Result<std::optional<std::string>> person = store_->PersonOf(workspace, id);
        ASSERT_TRUE(person.ok()) << person.status().ToString();
        const std::optional<Profile> expected = ExpectedProfile(workspace, id);
        const Result<ProfileView> view = service_->GetProfile(workspace, id);
        if (!expected.has_value()) {
          EXPECT_FALSE(person->has_value()) << where;
          ASSERT_FALSE(view.ok()) << where;
          EXPECT_EQ(view.status().code(), ErrorCode::kNotFound) << where;
          EXPECT_EQ(view.status().field(), "id") << where;
          continue;
        }
        ASSERT_TRUE(view.ok()) << where << ": " << view.status().ToString();
        ExpectProfileIs(*view, workspace, id, where);
        const Result<ProfileView> by_profile_id = service_->GetProfile(workspace, view->profile_id);
        ASSERT_TRUE(by_profile_id.ok()) << where << ": " << by_profile_id.status().ToString();
        EXPECT_EQ(by_profile_id->profile, view->profile) << where;
        const Result<std::vector<std::string>> by_profile_members =
            service_->MemberIds(workspace, view->profile_id);
        ASSERT_TRUE(by_profile_members.ok());
        EXPECT_EQ(*by_profile_members, *members) << where;
        EXPECT_EQ(*person, std::optional<std::string>(representative)) << where;
      }
      // One profile per person the store knows an id of, no more (an
      // absorbed person's row is gone), through both ways of listing them.
      std::set<std::string> persons;
      for (const std::string& id : ids) {
        if (model_.IsKnown(workspace, id)) {
          persons.insert(model_.graph(workspace).RepresentativeOf(id));
        }
      }
      int64_t events = 0;
      std::set<std::string> scanned;
      ASSERT_TRUE(service_
                      ->ScanProfiles(workspace,
                                     [&](const Profile& profile) {
                                       events += profile.event_count;
                                       scanned.insert(profile.person);
                                       return true;
                                     })
                      .ok());
      EXPECT_EQ(events, model_.events_with_id(workspace)) << context;
      EXPECT_EQ(scanned, persons) << context;
      ProfileListRequest request;
      request.workspace_id = workspace;
      request.limit = 1000;
      const Result<ProfilePage> page = service_->ListProfiles(request);
      ASSERT_TRUE(page.ok()) << page.status().ToString();
      std::set<std::string> listed;
      for (const Profile& profile : page->profiles) listed.insert(profile.person);
      EXPECT_EQ(listed, persons) << context;
    }
  }

  cdp::testing::TempDir dir_;
  std::string db_path_;
  ManualClock clock_{AtMillis(2'000'000'000)};
  IdentityService::Options options_;
  std::unique_ptr<SqliteMetaStore> meta_;
  std::unique_ptr<SqliteIdentityStore> store_;
  std::unique_ptr<testing::FaultyIdentityStore> faulty_;
  std::unique_ptr<IdentityService> service_;

  ReferenceStitching model_;
  std::map<std::string, std::set<std::string>> ids_;  // every id an applied event had
  uint64_t next_offset_ = 0;
};

// Random histories of links, activity, traits and unmerges, checked against
// the model after every step, and again after restarts (the graphs rebuilt
// from the recorded links).
TEST_F(IdentityServiceTest, RandomHistoriesMatchTheReferenceModel) {
  for (const uint64_t seed : {1u, 2u, 3u, 4u}) {
    SCOPED_TRACE(seed);
    OpenDatabase("meta-" + std::to_string(seed) + ".db");
    testing::RandomIdentityEvents random(seed, {kWs1, kWs2});
    std::vector<std::pair<std::string, std::string>> undone;  // (workspace, merge id)
    for (int step = 0; step < 60; ++step) {
      const std::string context = "step " + std::to_string(step);
      const std::string workspace = random.Pick(random.workspaces());
      const std::vector<int64_t> active = model_.graph(workspace).ActiveMerges();
      if (random.Chance(5) && !active.empty()) {
        // Undo one merge, addressed through any id of its person or its
        // profile id.
        const int64_t seq = random.Pick(active);
        const std::string merge_id = MergeIdOf(workspace, seq);
        const auto& link = model_.graph(workspace).links()[static_cast<size_t>(seq - 1)];
        ASSERT_EQ(link.seq, seq);
        const std::vector<std::string> members = model_.graph(workspace).MembersOf(link.from);
        std::string id = random.Pick(members);
        if (random.Chance(3)) id = ProfileIdOf(PersonKeyOf(members.front()));
        const Result<UnmergeOutcome> outcome = service_->Unmerge(workspace, id, merge_id);
        ASSERT_TRUE(outcome.ok()) << context << ": " << outcome.status().ToString();
        const std::optional<UnmergeResult> expected = model_.graph(workspace).Unmerge(seq);
        ASSERT_TRUE(expected.has_value());
        EXPECT_EQ(outcome->kept.profile.person, expected->kept) << context;
        EXPECT_EQ(outcome->split_off.profile.person, expected->split_off) << context;
        ExpectProfileIs(outcome->kept, workspace, expected->kept, context + " kept");
        ExpectProfileIs(outcome->split_off, workspace, expected->split_off, context + " split");
        undone.emplace_back(workspace, merge_id);
      } else {
        ASSERT_TRUE(Apply(random.Batch(12)).ok()) << context;
      }
      if (!undone.empty() && random.Chance(6)) {
        // Undoing an undone merge again is a conflict.
        const auto& [undone_workspace, merge_id] = random.Pick(undone);
        std::string from;
        ASSERT_TRUE(store_
                        ->ForEachLink([&](const IdentityLinkRecord& link) {
                          if (link.merge_id == merge_id) from = link.from_id;
                          return Status::Ok();
                        })
                        .ok());
        const Result<UnmergeOutcome> again = service_->Unmerge(undone_workspace, from, merge_id);
        ASSERT_FALSE(again.ok());
        EXPECT_EQ(again.status().code(), ErrorCode::kConflict) << again.status().ToString();
        EXPECT_EQ(again.status().field(), "merge_id");
      }
      ExpectMatchesModel(context);
      if (step % 10 == 9) {
        OpenService();
        ExpectMatchesModel(context + " after reopening the service");
      }
    }
    OpenStore();
    ExpectMatchesModel("after reopening the store");
    const auto consumed = service_->ConsumedOffsets();
    ASSERT_TRUE(consumed.ok());
    EXPECT_EQ(*consumed, (std::vector<std::pair<int, uint64_t>>{{0, next_offset_}}));
    if (HasFatalFailure()) return;
  }
}

// The person of an id is the one it has once the whole batch is applied,
// whatever the order of its events and links within the batch.
TEST_F(IdentityServiceTest, ActivityBelongsToThePersonAtTheEndOfTheBatch) {
  ASSERT_TRUE(Apply({MakeTrack(kWs1, "", "u1", 10), MakeTrack(kWs1, "a1", "", 5),
                     MakeIdentify(kWs1, "a1", "u1", 20), MakeTrack(kWs1, "a1", "u1", 30)})
                  .ok());
  EXPECT_EQ(*store_->PersonOf(kWs1, "u1"), std::optional<std::string>("a1"));
  const Result<ProfileView> profile = service_->GetProfile(kWs1, "u1");
  ASSERT_TRUE(profile.ok()) << profile.status().ToString();
  EXPECT_EQ(profile->profile.person, "a1");
  EXPECT_EQ(profile->profile.event_count, 4);
  EXPECT_EQ(profile->profile.user_ids, std::vector<std::string>{"u1"});
  EXPECT_EQ(profile->profile.anonymous_ids, std::vector<std::string>{"a1"});
  EXPECT_EQ(profile->profile.first_seen, AtMillis(5));
  EXPECT_EQ(profile->profile.last_seen, AtMillis(30));
  ExpectMatchesModel("batch");
}

// PostHog's safeguard: a second user who logs in on a shared device does not
// take over the first user's person.
TEST_F(IdentityServiceTest, ASharedDeviceDoesNotMergeTwoIdentifiedUsers) {
  ASSERT_TRUE(Apply({MakeTrack(kWs1, "device", "", 1), MakeIdentify(kWs1, "device", "alice", 2),
                     MakeTrack(kWs1, "device", "alice", 3), MakeIdentify(kWs1, "device", "bob", 4),
                     MakeTrack(kWs1, "device", "bob", 5)})
                  .ok());
  const Result<ProfileView> alice = service_->GetProfile(kWs1, "alice");
  const Result<ProfileView> bob = service_->GetProfile(kWs1, "bob");
  ASSERT_TRUE(alice.ok() && bob.ok());
  EXPECT_EQ(alice->profile.person, "device");
  EXPECT_EQ(bob->profile.person, "bob");
  EXPECT_EQ(bob->profile.event_count, 2);
  EXPECT_EQ(service_->Snapshot(kWs1)->ResolveId("bob"), PersonKeyOf("bob"));
  std::vector<std::string> outcomes;
  ASSERT_TRUE(store_
                  ->ForEachLink([&](const IdentityLinkRecord& link) {
                    outcomes.push_back(link.outcome);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(outcomes, (std::vector<std::string>{"merged", "refused_identified"}));
  ExpectMatchesModel("shared device");
}

TEST_F(IdentityServiceTest, MergeDangerouslyMergesTwoIdentifiedUsers) {
  ASSERT_TRUE(Apply({MakeIdentify(kWs1, "a1", "alice", 1), MakeIdentify(kWs1, "a2", "bob", 2),
                     MergingDangerously(MakeAlias(kWs1, "bob", "alice", 3))})
                  .ok());
  const Result<ProfileView> bob = service_->GetProfile(kWs1, "bob");
  ASSERT_TRUE(bob.ok());
  EXPECT_EQ(bob->profile.person, "a1");
  EXPECT_EQ(bob->profile.event_count, 3);
  EXPECT_EQ(service_->Snapshot(kWs1)->ResolveId("a2"), PersonKeyOf("a1"));
  ASSERT_EQ(bob->merges.size(), 3u);
  EXPECT_EQ(bob->merges[2].kind, "merge_dangerously");
  EXPECT_EQ(bob->merges[2].outcome, "merged");
  EXPECT_EQ(bob->merges[2].winner, "a1");
  EXPECT_EQ(bob->merges[2].loser, "a2");
  EXPECT_EQ(bob->merges[2].moved_ids, (std::vector<std::string>{"a2", "bob"}));
  EXPECT_EQ(Uuid::Parse(bob->merges[2].merge_id)->version(), 7);
  EXPECT_EQ(bob->merges[2].applied_at, clock_.Now());
  EXPECT_EQ(bob->merges[2].event_timestamp, AtMillis(3));

  // The same alias without the flag is refused.
  ASSERT_TRUE(
      Apply({MakeIdentify(kWs1, "a3", "carol", 4), MakeAlias(kWs1, "carol", "alice", 5)}).ok());
  EXPECT_EQ(service_->GetProfile(kWs1, "carol")->profile.person, "a3");
  ExpectMatchesModel("merge dangerously");
}

TEST_F(IdentityServiceTest, LinksWithIllegalIdsAreSkipped) {
  ASSERT_TRUE(Apply({MakeIdentify(kWs1, "null", "u1", 1), MakeIdentify(kWs1, "a1", "undefined", 2),
                     MakeAlias(kWs1, "0", "u1", 3), MakeAlias(kWs1, "u1", "  ", 4),
                     MergingDangerously(MakeAlias(kWs1, "[object Object]", "u2", 5))})
                  .ok());
  int links = 0;
  ASSERT_TRUE(store_
                  ->ForEachLink([&](const IdentityLinkRecord&) {
                    ++links;
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(links, 0);
  EXPECT_EQ(service_->Snapshot(kWs1)->merged_ids(), 0u);
  // The events still count, for the id they resolve to.
  EXPECT_EQ(service_->GetProfile(kWs1, "u1")->profile.event_count, 2);
  EXPECT_EQ(service_->GetProfile(kWs1, "undefined")->profile.event_count, 1);
  ExpectMatchesModel("illegal ids");
}

TEST_F(IdentityServiceTest, TraitsFromIdentifySetAndSetOnceButNotFromGroups) {
  Event identify = MakeIdentify(kWs1, "a1", "u1", 100);
  identify.traits = {MakeTrait("plan", std::string("pro")), MakeTrait("seats", 3.0)};
  Event older_set = MakeTrack(kWs1, "a1", "", 50);  // applied later, but older
  older_set.traits = {MakeTrait("plan", std::string("free"))};
  older_set.traits_set_once = {MakeTrait("referrer", std::string("ad")), MakeTrait("seats", 1.0)};
  Event later_once = MakeTrack(kWs1, "", "u1", 200);
  later_once.traits_set_once = {MakeTrait("referrer", std::string("search"))};
  Event group = MakeTrack(kWs1, "a1", "u1", 300);
  group.type = EventType::kGroup;
  group.traits = {MakeTrait("plan", std::string("enterprise"))};
  ASSERT_TRUE(Apply({identify, older_set}).ok());
  ASSERT_TRUE(Apply({later_once, group}).ok());
  const std::map<std::string, testing::TraitValue> expected = {
      {"plan", std::string("pro")}, {"seats", 3.0}, {"referrer", std::string("ad")}};
  EXPECT_EQ(ParseTraits(service_->GetProfile(kWs1, "a1")->profile.traits_json), expected);
  ExpectMatchesModel("traits");
}

TEST_F(IdentityServiceTest, GetProfileByEveryKindOfId) {
  ASSERT_TRUE(Apply({MakeTrack(kWs1, "a1", "", 1), MakeIdentify(kWs1, "a1", "u1", 2),
                     MakeTrack(kWs1, "a2", "", 3)})
                  .ok());
  const std::string former = ProfileIdOf(PersonKeyOf("a2"));  // a2's, before the merge below
  ASSERT_EQ(service_->GetProfile(kWs1, former)->profile.person, "a2");
  ASSERT_TRUE(Apply({MakeIdentify(kWs1, "a2", "u1", 4)}).ok());

  const std::string current = ProfileIdOf(PersonKeyOf("a1"));
  for (const std::string& id :
       {current, former, std::string("u1"), std::string("a1"), std::string("a2")}) {
    const Result<ProfileView> view = service_->GetProfile(kWs1, id);
    ASSERT_TRUE(view.ok()) << id << ": " << view.status().ToString();
    EXPECT_EQ(view->profile_id, current) << id;
    EXPECT_EQ(view->profile.person, "a1") << id;
    EXPECT_EQ(view->profile.event_count, 4) << id;
  }
  // Another workspace knows none of them.
  for (const std::string& id :
       {current, std::string("u1"), std::string("nobody"), ProfileIdOf(PersonKeyOf("nobody"))}) {
    const Result<ProfileView> view = service_->GetProfile(kWs2, id);
    ASSERT_FALSE(view.ok()) << id;
    EXPECT_EQ(view.status().code(), ErrorCode::kNotFound) << id;
    EXPECT_EQ(view.status().field(), "id") << id;
  }
  EXPECT_EQ(service_->MemberIds(kWs1, ProfileIdOf(PersonKeyOf("nobody"))).value(),
            std::vector<std::string>{});
  EXPECT_EQ(service_->MemberIds(kWs1, former).value(),
            (std::vector<std::string>{"a1", "u1", "a2"}));
  EXPECT_EQ(service_->MemberIds(kWs1, "nobody").value(), std::vector<std::string>{"nobody"});
  EXPECT_EQ(service_->MemberIds(kWs2, "u1").value(), std::vector<std::string>{"u1"});
  ExpectMatchesModel("profile ids");
}

TEST_F(IdentityServiceTest, ProfilesAreCachedForTheirTtl) {
  options_.profile_cache_ttl = std::chrono::seconds(30);
  OpenService();
  ASSERT_TRUE(Apply({MakeTrack(kWs1, "a1", "", 1)}).ok());
  EXPECT_EQ(service_->GetProfile(kWs1, "a1")->profile.event_count, 1);
  ASSERT_TRUE(Apply({MakeTrack(kWs1, "a1", "", 2), MakeIdentify(kWs1, "a1", "u1", 3)}).ok());

  clock_.Advance(std::chrono::seconds(29));
  EXPECT_EQ(service_->GetProfile(kWs1, "a1")->profile.event_count, 1);  // cached
  EXPECT_EQ(service_->GetProfile(kWs1, "u1")->profile.event_count, 3);  // not cached yet
  // The snapshot and the members are never cached.
  EXPECT_EQ(service_->Snapshot(kWs1)->ResolveId("u1"), PersonKeyOf("a1"));
  EXPECT_EQ(service_->MemberIds(kWs1, "a1").value(), (std::vector<std::string>{"a1", "u1"}));
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(service_->GetProfile(kWs1, "a1")->profile.event_count, 3);

  // An unmerge drops the workspace's cached profiles at once.
  const Result<ProfileView> before = service_->GetProfile(kWs1, "u1");
  ASSERT_EQ(before->merges.size(), 1u);
  ASSERT_TRUE(service_->Unmerge(kWs1, "u1", before->merges[0].merge_id).ok());
  EXPECT_EQ(service_->GetProfile(kWs1, "u1")->profile.person, "u1");
  EXPECT_EQ(service_->GetProfile(kWs1, "a1")->profile.event_count, 2);
}

TEST_F(IdentityServiceTest, UnmergeSplitsThePersonAlongOneMerge) {
  ASSERT_TRUE(Apply({MakeTrack(kWs1, "a1", "", 1), MakeIdentify(kWs1, "a1", "u1", 2),
                     MakeTrack(kWs1, "a2", "", 3), MakeIdentify(kWs1, "a2", "u1", 4),
                     MakeTrack(kWs1, "", "u1", 5)})
                  .ok());
  const std::vector<IdentityLinkRecord> merges = service_->GetProfile(kWs1, "a2")->merges;
  ASSERT_EQ(merges.size(), 2u);
  // Undo the second merge (a2 joined a1's person): a2 is alone again.
  const Result<UnmergeOutcome> outcome =
      service_->Unmerge(kWs1, ProfileIdOf(PersonKeyOf("a1")), merges[1].merge_id);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->kept.profile.person, "a1");
  EXPECT_EQ(outcome->kept.profile.event_count, 4);
  EXPECT_EQ(outcome->split_off.profile.person, "a2");
  EXPECT_EQ(outcome->split_off.profile.event_count, 1);
  EXPECT_EQ(ActiveMergeSeqs(outcome->kept.merges), std::vector<int64_t>{merges[0].seq});
  EXPECT_EQ(ActiveMergeSeqs(outcome->split_off.merges), std::vector<int64_t>{});
  EXPECT_EQ(service_->Snapshot(kWs1)->ResolveId("a2"), PersonKeyOf("a2"));
  EXPECT_EQ(service_->Snapshot(kWs1)->ResolveId("u1"), PersonKeyOf("a1"));
  model_.graph(kWs1).Unmerge(merges[1].seq);
  ExpectMatchesModel("after the unmerge");
  OpenStore();
  ExpectMatchesModel("after the unmerge and a restart");
}

TEST_F(IdentityServiceTest, UnmergeErrors) {
  ASSERT_TRUE(Apply({MakeIdentify(kWs1, "a1", "u1", 1), MakeIdentify(kWs1, "a2", "u2", 2),
                     MakeIdentify(kWs1, "a2", "u1", 3)})
                  .ok());
  const std::vector<IdentityLinkRecord> u1_merges = service_->GetProfile(kWs1, "u1")->merges;
  const std::vector<IdentityLinkRecord> u2_merges = service_->GetProfile(kWs1, "u2")->merges;
  ASSERT_EQ(u1_merges.size(), 1u);
  ASSERT_EQ(u2_merges.size(), 1u);

  auto expect_error = [&](std::string_view id, std::string_view merge_id, ErrorCode code,
                          std::string_view field) {
    const Result<UnmergeOutcome> outcome = service_->Unmerge(kWs1, id, merge_id);
    ASSERT_FALSE(outcome.ok()) << id << " " << merge_id;
    EXPECT_EQ(outcome.status().code(), code) << outcome.status().ToString();
    EXPECT_EQ(outcome.status().field(), field) << outcome.status().ToString();
  };
  expect_error("nobody", u1_merges[0].merge_id, ErrorCode::kNotFound, "id");
  expect_error(ProfileIdOf(PersonKeyOf("nobody")), u1_merges[0].merge_id, ErrorCode::kNotFound,
               "id");
  expect_error("u1", "not-a-merge", ErrorCode::kNotFound, "merge_id");
  expect_error("u1", u2_merges[0].merge_id, ErrorCode::kNotFound, "merge_id");  // u2's
  ASSERT_TRUE(service_->Unmerge(kWs1, "u1", u1_merges[0].merge_id).ok());
  expect_error("u1", u1_merges[0].merge_id, ErrorCode::kConflict, "merge_id");
  expect_error("a1", u1_merges[0].merge_id, ErrorCode::kConflict, "merge_id");
  model_.graph(kWs1).Unmerge(u1_merges[0].seq);
  ExpectMatchesModel("unmerge errors");
}

// A batch or an unmerge the store refuses leaves no trace: the graphs are
// rebuilt from the store, the snapshots keep their version, and the same
// batch applies cleanly afterwards.
TEST_F(IdentityServiceTest, AFailedStoreWriteLeavesNoTrace) {
  ASSERT_TRUE(Apply({MakeIdentify(kWs1, "a1", "u1", 1), MakeIdentify(kWs2, "a1", "u1", 1)}).ok());
  const uint64_t version = service_->Snapshot(kWs1)->version();
  const std::vector<Event> batch = {MakeIdentify(kWs1, "a2", "u2", 2),
                                    MakeIdentify(kWs1, "a2", "u1", 3),
                                    MergingDangerously(MakeAlias(kWs1, "u2", "u1", 4))};
  faulty_->FailApplies(1);
  const Status failed = service_->ApplyEvents(batch, {{0, 99}});
  EXPECT_EQ(failed.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(service_->Snapshot(kWs1)->version(), version);
  ExpectMatchesModel("after the failed batch");
  EXPECT_EQ(service_->MemberIds(kWs1, "a2").value(), std::vector<std::string>{"a2"});

  ASSERT_TRUE(Apply(batch).ok());
  ExpectMatchesModel("after the batch applied");
  const std::vector<IdentityLinkRecord> merges = service_->GetProfile(kWs1, "u2")->merges;
  ASSERT_FALSE(merges.empty());
  faulty_->FailApplies(1);
  const Result<UnmergeOutcome> unmerge = service_->Unmerge(kWs1, "u2", merges.back().merge_id);
  EXPECT_EQ(unmerge.status().code(), ErrorCode::kUnavailable);
  ExpectMatchesModel("after the failed unmerge");
  ASSERT_TRUE(service_->Unmerge(kWs1, "u2", merges.back().merge_id).ok());
  model_.graph(kWs1).Unmerge(merges.back().seq);
  ExpectMatchesModel("after the unmerge applied");
  OpenStore();
  ExpectMatchesModel("after a restart");
}

}  // namespace
}  // namespace cdp::identity
