#include "meta/sqlite/sqlite_identity_store.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <optional>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <variant>
#include <vector>

#include "meta/sqlite/sqlite_connection.h"
#include "meta/sqlite/sqlite_migrator.h"
#include "meta/sqlite/sqlite_profile_query.h"
#include "meta/sqlite/sqlite_test_store.h"
#include "model/person_map.h"
#include "support/temp_dir.h"

namespace cdp {

// Readable failures (found by argument-dependent lookup, hence in cdp).
void PrintTo(const Profile& profile, std::ostream* out) {
  *out << fmt::format("{{{} {} user_ids=[{}] anonymous_ids=[{}] traits={} first={} last={} n={}}}",
                      profile.workspace_id, profile.person, fmt::join(profile.user_ids, ","),
                      fmt::join(profile.anonymous_ids, ","), profile.traits_json,
                      UnixMillis(profile.first_seen), UnixMillis(profile.last_seen),
                      profile.event_count);
}

namespace {

using namespace std::chrono_literals;

const TimePoint kT0 = std::chrono::sys_days{std::chrono::year{2026} / 5 / 6} + 7h;

// kT0 plus `ms` milliseconds: the store keeps milliseconds.
TimePoint At(int64_t ms) { return kT0 + std::chrono::milliseconds(ms); }

IdActivity Activity(std::string workspace_id, std::string id, std::string person, int64_t events,
                    int64_t first_ms, int64_t last_ms, bool user = false) {
  return {std::move(workspace_id),
          std::move(id),
          std::move(person),
          user,
          events,
          At(first_ms),
          At(last_ms)};
}

TraitWrite Trait(std::string workspace_id, std::string id, std::string name, std::string value_json,
                 int64_t at_ms, bool set_once = false) {
  TraitWrite write;
  write.workspace_id = std::move(workspace_id);
  write.person = id;
  write.id = std::move(id);
  write.name = std::move(name);
  write.value_json = std::move(value_json);
  write.at = At(at_ms);
  write.set_once = set_once;
  return write;
}

IdentityLinkRecord Link(std::string workspace_id, int64_t seq, std::string from, std::string to,
                        std::string outcome = "same_person") {
  IdentityLinkRecord link;
  link.workspace_id = std::move(workspace_id);
  link.seq = seq;
  link.kind = "identify";
  link.from_id = std::move(from);
  link.to_id = std::move(to);
  link.message_id = fmt::format("msg-{}", seq);
  link.event_timestamp = At(seq * 10);
  link.applied_at = At(seq * 10 + 3);
  link.outcome = std::move(outcome);
  return link;
}

// A merged link: `loser`'s ids moved to `winner`.
IdentityLinkRecord Merge(std::string workspace_id, int64_t seq, std::string from, std::string to,
                         std::string winner, std::string loser, std::vector<std::string> moved) {
  IdentityLinkRecord link =
      Link(std::move(workspace_id), seq, std::move(from), std::move(to), "merged");
  link.merge_id = fmt::format("0190-merge-{}", seq);
  link.winner = std::move(winner);
  link.loser = std::move(loser);
  link.moved_ids = std::move(moved);
  return link;
}

class SqliteIdentityStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    meta_ = testing::OpenMigratedSqliteMetaStore(path_);
    ASSERT_NE(meta_, nullptr);
    ASSERT_TRUE(meta_->CreateWorkspace({"w1", "demo", kT0}).ok());
    ASSERT_TRUE(meta_->CreateWorkspace({"w2", "other", kT0}).ok());
    auto store = OpenSqliteIdentityStore(path_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }

  void Apply(const IdentityBatch& batch) {
    const Status status = store_->Apply(batch);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  Profile Get(std::string_view workspace_id, std::string_view person) {
    auto profile = store_->GetProfile(workspace_id, person);
    EXPECT_TRUE(profile.ok()) << person << ": " << profile.status().ToString();
    return profile.ok() ? *profile : Profile{};
  }

  std::map<std::string, Profile> ScanAll(std::string_view workspace_id) {
    std::map<std::string, Profile> profiles;
    const Status status = store_->ScanProfiles(workspace_id, [&](const Profile& profile) {
      EXPECT_TRUE(profiles.emplace(profile.person, profile).second) << profile.person;
      return true;
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return profiles;
  }

  std::optional<std::string> PersonOf(std::string_view workspace_id, std::string_view id) {
    auto person = store_->PersonOf(workspace_id, id);
    EXPECT_TRUE(person.ok()) << person.status().ToString();
    return person.ok() ? *person : std::nullopt;
  }

  std::vector<IdentityLinkRecord> AllLinks() {
    std::vector<IdentityLinkRecord> links;
    const Status status = store_->ForEachLink([&](const IdentityLinkRecord& link) {
      links.push_back(link);
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return links;
  }

  Status Exec(const std::string& sql) {
    auto connection = SqliteConnection::Open(path_);
    if (!connection.ok()) return connection.status();
    return (*connection)->Exec(sql);
  }

  testing::TempDir dir_;
  std::string path_ = dir_.File("meta.sqlite");
  std::unique_ptr<SqliteMetaStore> meta_;
  std::unique_ptr<SqliteIdentityStore> store_;
};

// --- Activity, ids and plain reads --------------------------------------------

TEST_F(SqliteIdentityStoreTest, AnIdWithEventsIsAPersonOfItsOwn) {
  IdentityBatch batch;
  batch.activity = {Activity("w1", "anon-1", "anon-1", 3, 100, 400),
                    Activity("w1", "user-1", "user-1", 2, 50, 60, true)};
  Apply(batch);

  EXPECT_EQ(PersonOf("w1", "anon-1"), "anon-1");
  EXPECT_EQ(PersonOf("w1", "user-1"), "user-1");
  EXPECT_EQ(PersonOf("w1", "nobody"), std::nullopt);
  EXPECT_EQ(PersonOf("w2", "anon-1"), std::nullopt);

  Profile expected;
  expected.workspace_id = "w1";
  expected.person = "anon-1";
  expected.anonymous_ids = {"anon-1"};
  expected.first_seen = At(100);
  expected.last_seen = At(400);
  expected.event_count = 3;
  EXPECT_EQ(Get("w1", "anon-1"), expected);
  const Profile user = Get("w1", "user-1");
  EXPECT_EQ(user.user_ids, std::vector<std::string>{"user-1"});
  EXPECT_TRUE(user.anonymous_ids.empty());
  EXPECT_EQ(user.traits_json, "{}");

  auto missing = store_->GetProfile("w1", "nobody");
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.status().field(), "id");
  EXPECT_EQ(store_->MergesOf("w1", "nobody").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->MergesOf("w1", "nobody").status().field(), "id");
}

TEST_F(SqliteIdentityStoreTest, IdsWithKeyFindsTheIdOfAKey) {
  IdentityBatch batch;
  batch.activity = {Activity("w1", "a", "a", 1, 0, 0), Activity("w1", "b", "b", 1, 0, 0),
                    Activity("w2", "a", "a", 1, 0, 0)};
  Apply(batch);
  EXPECT_EQ(*store_->IdsWithKey("w1", PersonKeyOf("a")), std::vector<std::string>{"a"});
  EXPECT_EQ(*store_->IdsWithKey("w1", PersonKeyOf("b")), std::vector<std::string>{"b"});
  EXPECT_TRUE(store_->IdsWithKey("w2", PersonKeyOf("b"))->empty());
  EXPECT_TRUE(store_->IdsWithKey("w1", PersonKeyOf("zzz"))->empty());
  // Keys above 2^63 are stored as negative integers and still found.
  for (int i = 0; i < 64; ++i) {
    const std::string id = fmt::format("id-{}", i);
    if (PersonKeyOf(id) < (uint64_t{1} << 63)) continue;
    IdentityBatch high;
    high.activity = {Activity("w1", id, id, 1, 0, 0)};
    Apply(high);
    EXPECT_EQ(*store_->IdsWithKey("w1", PersonKeyOf(id)), std::vector<std::string>{id});
    EXPECT_EQ(static_cast<uint64_t>(PersonKeyOf(id)), PersonKeyOf(id));
    break;
  }
}

TEST_F(SqliteIdentityStoreTest, ActivityAddsUpWithinABatchAndAcrossBatches) {
  IdentityBatch first;
  first.activity = {Activity("w1", "a", "a", 2, 500, 600), Activity("w1", "a", "a", 1, 300, 900),
                    Activity("w1", "b", "b", 1, 10, 10)};
  Apply(first);
  Profile a = Get("w1", "a");
  EXPECT_EQ(a.event_count, 3);
  EXPECT_EQ(a.first_seen, At(300));
  EXPECT_EQ(a.last_seen, At(900));
  EXPECT_EQ(a.anonymous_ids, std::vector<std::string>{"a"});

  IdentityBatch second;  // later events, then an id first seen as a user id
  second.activity = {Activity("w1", "a", "a", 4, 700, 1200), Activity("w1", "b", "b", 1, 5, 20)};
  Apply(second);
  a = Get("w1", "a");
  EXPECT_EQ(a.event_count, 7);
  EXPECT_EQ(a.first_seen, At(300));
  EXPECT_EQ(a.last_seen, At(1200));

  IdentityBatch third;
  third.activity = {Activity("w1", "a", "a", 1, 800, 800, true)};
  Apply(third);
  a = Get("w1", "a");
  EXPECT_EQ(a.user_ids, std::vector<std::string>{"a"});
  EXPECT_TRUE(a.anonymous_ids.empty());
  EXPECT_EQ(a.event_count, 8);
  const Profile b = Get("w1", "b");
  EXPECT_EQ(b.event_count, 2);
  EXPECT_EQ(b.first_seen, At(5));
  EXPECT_EQ(b.last_seen, At(20));
}

TEST_F(SqliteIdentityStoreTest, ConsumedOffsetsAreReplacedPerPartition) {
  EXPECT_TRUE(store_->ConsumedOffsets()->empty());
  IdentityBatch batch;
  batch.offsets = {{0, 10}, {2, 7}};
  Apply(batch);
  EXPECT_EQ(*store_->ConsumedOffsets(), (std::vector<std::pair<int, uint64_t>>{{0, 10}, {2, 7}}));
  batch.offsets = {{2, 9}, {1, uint64_t{1} << 40}};
  Apply(batch);
  EXPECT_EQ(*store_->ConsumedOffsets(),
            (std::vector<std::pair<int, uint64_t>>{{0, 10}, {1, uint64_t{1} << 40}, {2, 9}}));
  Apply(IdentityBatch{});  // an unmerge consumes nothing
  EXPECT_EQ(store_->ConsumedOffsets()->size(), 3u);
}

// --- Links ---------------------------------------------------------------------

TEST_F(SqliteIdentityStoreTest, LinksAreReadBackWholeByWorkspaceThenSeq) {
  // More than one chunk of the reader, written out of order across batches.
  std::vector<IdentityLinkRecord> expected;
  IdentityBatch w2;
  IdentityBatch w1;
  for (int64_t seq = 1; seq <= 700; ++seq) {
    w2.new_links.push_back(Link("w2", seq, fmt::format("a{}", seq), fmt::format("u{}", seq)));
    w1.new_links.push_back(Link("w1", seq, fmt::format("a{}", seq), fmt::format("u{}", seq),
                                seq % 3 == 0 ? "refused_identified" : "same_person"));
  }
  IdentityLinkRecord merged = Merge("w1", 701, "anon \"1\"", "user\n1", "anon \"1\"", "user\n1",
                                    {"user\n1", "caf\xC3\xA9", ""});
  merged.kind = "merge_dangerously";
  merged.unmerged_at = At(99'999);
  w1.new_links.push_back(merged);
  Apply(w2);
  Apply(w1);
  expected = w1.new_links;
  expected.insert(expected.end(), w2.new_links.begin(), w2.new_links.end());
  EXPECT_EQ(AllLinks(), expected);

  int seen = 0;
  const Status stopped = store_->ForEachLink([&](const IdentityLinkRecord&) {
    return ++seen == 3 ? Status::Conflict("stop here") : Status::Ok();
  });
  EXPECT_EQ(stopped.code(), ErrorCode::kConflict);
  EXPECT_EQ(seen, 3);
}

TEST_F(SqliteIdentityStoreTest, MarkingAMergeUndoneSetsItsTimeOnce) {
  IdentityBatch batch;
  batch.new_links = {Merge("w1", 1, "a", "u", "a", "u", {"u"})};
  batch.assignments = {{"w1", "u", "a"}};
  Apply(batch);

  IdentityBatch undo;
  undo.unmerged = {{"w1", "0190-merge-1"}};
  undo.unmerged_at = At(5000);
  undo.assignments = {{"w1", "u", "u"}};
  Apply(undo);
  ASSERT_EQ(AllLinks().size(), 1u);
  EXPECT_EQ(AllLinks()[0].unmerged_at, At(5000));

  undo.unmerged_at = At(6000);
  Status again = store_->Apply(undo);
  EXPECT_EQ(again.code(), ErrorCode::kConflict);
  EXPECT_EQ(again.field(), "merge_id");
  EXPECT_EQ(AllLinks()[0].unmerged_at, At(5000));

  IdentityBatch unknown;
  unknown.unmerged = {{"w2", "0190-merge-1"}};  // another workspace's merge
  Status missing = store_->Apply(unknown);
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.field(), "merge_id");
}

TEST_F(SqliteIdentityStoreTest, ALinkAlreadyRecordedFailsTheBatch) {
  IdentityBatch batch;
  batch.new_links = {Merge("w1", 1, "a", "u", "a", "u", {"u"})};
  Apply(batch);
  IdentityBatch same_seq;
  same_seq.new_links = {Link("w1", 2, "x", "y"), Link("w1", 1, "b", "c")};
  Status status = store_->Apply(same_seq);
  EXPECT_EQ(status.code(), ErrorCode::kConflict);
  EXPECT_EQ(status.field(), "new_links[1].seq");
  IdentityBatch same_merge;
  same_merge.new_links = {Merge("w2", 1, "a", "u", "a", "u", {"u"})};
  status = store_->Apply(same_merge);
  EXPECT_EQ(status.code(), ErrorCode::kConflict);
  EXPECT_EQ(status.field(), "new_links[0].merge_id");
  EXPECT_EQ(AllLinks().size(), 1u);
}

// --- Merges, unmerges and the profiles they leave ------------------------------

TEST_F(SqliteIdentityStoreTest, AMergeJoinsTwoProfilesAndAnUnmergeSplitsThemBack) {
  IdentityBatch before;
  before.activity = {Activity("w1", "anon", "anon", 3, 100, 300),
                     Activity("w1", "user", "user", 2, 200, 500, true)};
  before.traits = {Trait("w1", "user", "plan", "\"pro\"", 200),
                   Trait("w1", "anon", "plan", "\"free\"", 100),
                   Trait("w1", "anon", "ref", "\"ad\"", 100, true)};
  Apply(before);
  EXPECT_EQ(Get("w1", "user").traits_json, R"({"plan":"pro"})");

  IdentityBatch identify;
  identify.new_links = {Merge("w1", 1, "anon", "user", "anon", "user", {"user"})};
  identify.assignments = {{"w1", "user", "anon"}};
  identify.activity = {Activity("w1", "user", "anon", 1, 600, 600, true)};
  identify.offsets = {{0, 42}};
  Apply(identify);

  Profile merged = Get("w1", "anon");
  EXPECT_EQ(merged.event_count, 6);
  EXPECT_EQ(merged.first_seen, At(100));
  EXPECT_EQ(merged.last_seen, At(600));
  EXPECT_EQ(merged.user_ids, std::vector<std::string>{"user"});
  EXPECT_EQ(merged.anonymous_ids, std::vector<std::string>{"anon"});
  EXPECT_EQ(merged.traits_json, R"({"plan":"pro","ref":"ad"})");
  EXPECT_EQ(store_->GetProfile("w1", "user").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(PersonOf("w1", "user"), "anon");
  EXPECT_EQ(ScanAll("w1").size(), 1u);
  auto merges = store_->MergesOf("w1", "anon");
  ASSERT_TRUE(merges.ok());
  EXPECT_EQ(*merges, identify.new_links);

  IdentityBatch unmerge;
  unmerge.unmerged = {{"w1", "0190-merge-1"}};
  unmerge.unmerged_at = At(9000);
  unmerge.assignments = {{"w1", "user", "user"}};
  Apply(unmerge);
  const Profile anon = Get("w1", "anon");
  EXPECT_EQ(anon.event_count, 3);
  EXPECT_EQ(anon.last_seen, At(300));
  EXPECT_EQ(anon.traits_json, R"({"plan":"free","ref":"ad"})");
  EXPECT_TRUE(anon.user_ids.empty());
  const Profile user = Get("w1", "user");
  EXPECT_EQ(user.event_count, 3);
  EXPECT_EQ(user.first_seen, At(200));
  EXPECT_EQ(user.last_seen, At(600));
  EXPECT_EQ(user.traits_json, R"({"plan":"pro"})");
  // The undone merge shows on both sides, with its time.
  IdentityLinkRecord undone = identify.new_links[0];
  undone.unmerged_at = At(9000);
  EXPECT_EQ(*store_->MergesOf("w1", "anon"), std::vector<IdentityLinkRecord>{undone});
  EXPECT_EQ(*store_->MergesOf("w1", "user"), std::vector<IdentityLinkRecord>{undone});
  EXPECT_EQ(*store_->ConsumedOffsets(), (std::vector<std::pair<int, uint64_t>>{{0, 42}}));
}

// An identify between two ids no event had on its own: the anonymous id wins
// (it is the older node) and becomes a member without events.
TEST_F(SqliteIdentityStoreTest, APersonKnownOnlyThroughAssignmentsHasAProfile) {
  IdentityBatch batch;
  batch.assignments = {{"w1", "user", "anon"}};
  Apply(batch);
  EXPECT_EQ(PersonOf("w1", "anon"), "anon");
  EXPECT_EQ(PersonOf("w1", "user"), "anon");
  Profile expected;
  expected.workspace_id = "w1";
  expected.person = "anon";
  expected.anonymous_ids = {"anon", "user"};  // no events: by id
  EXPECT_EQ(Get("w1", "anon"), expected);

  IdentityBatch events;
  events.activity = {Activity("w1", "anon", "anon", 2, 700, 800),
                     Activity("w1", "user", "anon", 1, 900, 900, true)};
  Apply(events);
  expected.user_ids = {"user"};
  expected.anonymous_ids = {"anon"};
  expected.first_seen = At(700);
  expected.last_seen = At(900);
  expected.event_count = 3;
  EXPECT_EQ(Get("w1", "anon"), expected);
  EXPECT_EQ(ScanAll("w1").size(), 1u);
}

// A merge of an older person into a third one within one batch: the middle
// person disappears, and the last assignment of an id wins.
TEST_F(SqliteIdentityStoreTest, ChainedAssignmentsInOneBatchLandOnTheLastPerson) {
  IdentityBatch before;
  before.activity = {Activity("w1", "a", "a", 1, 10, 10), Activity("w1", "b", "b", 1, 20, 20),
                     Activity("w1", "c", "c", 1, 30, 30)};
  Apply(before);
  IdentityBatch batch;
  batch.assignments = {{"w1", "b", "a"}, {"w1", "a", "c"}, {"w1", "b", "c"}};
  Apply(batch);
  EXPECT_EQ(store_->GetProfile("w1", "a").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetProfile("w1", "b").status().code(), ErrorCode::kNotFound);
  const Profile c = Get("w1", "c");
  EXPECT_EQ(c.event_count, 3);
  EXPECT_EQ(c.anonymous_ids, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(c.first_seen, At(10));
}

// The member lists follow first_seen: a late event that is older than
// everything else moves its id to the front.
TEST_F(SqliteIdentityStoreTest, ALateOlderEventReordersTheMembers) {
  IdentityBatch batch;
  batch.activity = {Activity("w1", "a", "a", 1, 100, 100), Activity("w1", "b", "b", 1, 200, 200),
                    Activity("w1", "c", "c", 1, 300, 300)};
  batch.assignments = {{"w1", "b", "a"}, {"w1", "c", "a"}};
  Apply(batch);
  EXPECT_EQ(Get("w1", "a").anonymous_ids, (std::vector<std::string>{"a", "b", "c"}));
  IdentityBatch late;
  late.activity = {Activity("w1", "c", "a", 1, 50, 400)};
  Apply(late);
  const Profile a = Get("w1", "a");
  EXPECT_EQ(a.anonymous_ids, (std::vector<std::string>{"c", "a", "b"}));
  EXPECT_EQ(a.first_seen, At(50));
  EXPECT_EQ(a.last_seen, At(400));
  EXPECT_EQ(a.event_count, 4);
}

// The store never leaves a person without its row; if something else
// removed it, the next activity of the person rebuilds it whole.
TEST_F(SqliteIdentityStoreTest, AMissingProfileRowIsRebuiltByTheNextActivity) {
  IdentityBatch batch;
  batch.activity = {Activity("w1", "a", "a", 2, 100, 200), Activity("w1", "u", "a", 1, 150, 150)};
  batch.traits = {Trait("w1", "a", "plan", "\"pro\"", 1)};
  batch.assignments = {{"w1", "u", "a"}};
  Apply(batch);
  const Profile before = Get("w1", "a");
  ASSERT_TRUE(Exec("DELETE FROM profiles WHERE person = 'a'").ok());
  IdentityBatch more;
  more.activity = {Activity("w1", "u", "a", 1, 300, 300)};
  Apply(more);
  Profile expected = before;
  expected.event_count = 4;
  expected.last_seen = At(300);
  EXPECT_EQ(Get("w1", "a"), expected);
}

// --- Traits --------------------------------------------------------------------

TEST_F(SqliteIdentityStoreTest, TheLatestPlainSetWinsAndTheEarliestSetOnce) {
  IdentityBatch batch;
  batch.activity = {Activity("w1", "a", "a", 1, 0, 0)};
  batch.traits = {
      Trait("w1", "a", "plan", "\"b\"", 20),     Trait("w1", "a", "plan", "\"a\"", 10),
      Trait("w1", "a", "tie", "1", 5),           Trait("w1", "a", "tie", "2", 5),  // later write
      Trait("w1", "a", "ref", "\"x\"", 9, true), Trait("w1", "a", "ref", "\"y\"", 3, true),
      Trait("w1", "a", "once", "1", 5, true),    Trait("w1", "a", "once", "2", 5, true),  // first
  };
  Apply(batch);
  EXPECT_EQ(Get("w1", "a").traits_json, R"({"once":1,"plan":"b","ref":"y","tie":2})");

  IdentityBatch later;  // across batches, the same rules
  later.traits = {Trait("w1", "a", "plan", "\"old\"", 19), Trait("w1", "a", "tie", "3", 5),
                  Trait("w1", "a", "ref", "\"z\"", 3, true), Trait("w1", "a", "ref2", "0", 1, true),
                  Trait("w1", "a", "once", "0", 4, true)};
  Apply(later);
  EXPECT_EQ(Get("w1", "a").traits_json, R"({"once":0,"plan":"b","ref":"y","ref2":0,"tie":3})");
}

TEST_F(SqliteIdentityStoreTest, TraitsCombineOverThePersonsIds) {
  IdentityBatch batch;
  batch.activity = {Activity("w1", "a", "a", 1, 0, 0), Activity("w1", "u", "u", 1, 0, 0, true)};
  batch.traits = {
      Trait("w1", "a", "plan", "\"free\"", 10),  // older than u's
      Trait("w1", "u", "plan", "\"pro\"", 20),
      Trait("w1", "a", "tie", "\"a\"", 7),
      Trait("w1", "u", "tie", "\"u\"", 7),  // same time, written later
      Trait("w1", "a", "src", "\"early\"", 1, true),
      Trait("w1", "u", "src", "\"later\"", 50),  // a plain set beats any set_once
      Trait("w1", "u", "first", "\"u\"", 3, true),
      Trait("w1", "a", "first", "\"a\"", 2, true),
  };
  Apply(batch);
  IdentityBatch merge;
  merge.assignments = {{"w1", "u", "a"}};
  Apply(merge);
  EXPECT_EQ(Get("w1", "a").traits_json, R"({"first":"a","plan":"pro","src":"later","tie":"u"})");

  IdentityBatch tie;  // a tie with a write of an earlier batch: the later write wins
  tie.traits = {Trait("w1", "a", "plan", "\"team\"", 20)};
  tie.traits[0].person = "a";
  Apply(tie);
  EXPECT_EQ(Get("w1", "a").traits_json, R"({"first":"a","plan":"team","src":"later","tie":"u"})");
}

TEST_F(SqliteIdentityStoreTest, TraitNamesAndValuesKeepEveryCharacter) {
  IdentityBatch batch;
  batch.traits = {Trait("w1", "a", "na\"me\\", "\"v\\\"1\"", 1),
                  Trait("w1", "a", "caf\xC3\xA9", "\"\\u00e9t\xC3\xA9\"", 1),
                  Trait("w1", "a", "n", "-1.5e3", 1)};
  Apply(batch);
  const Profile a = Get("w1", "a");
  EXPECT_EQ(a.traits_json,
            "{\"caf\xC3\xA9\":\"\\u00e9t\xC3\xA9\",\"n\":-1.5e3,\"na\\\"me\\\\\":\"v\\\"1\"}");
  EXPECT_EQ(a.event_count, 0);  // an id only a trait named is a person without events
  EXPECT_EQ(a.anonymous_ids, std::vector<std::string>{"a"});

  ProfileListRequest request;
  request.workspace_id = "w1";
  request.conditions = {{"na\"me\\", TraitCondition::Op::kEquals, "\"v\\\"1\""},
                        {"caf\xC3\xA9", TraitCondition::Op::kContains, "\"\xC3\xA9t\""},
                        {"n", TraitCondition::Op::kLt, "-1000"}};
  auto page = store_->ListProfiles(request);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->profiles.size(), 1u);
  request.search = "V\"1";
  EXPECT_EQ(store_->ListProfiles(request)->profiles.size(), 1u);
}

TEST_F(SqliteIdentityStoreTest, AnInvalidTraitValueFailsTheBatch) {
  IdentityBatch batch;
  batch.activity = {Activity("w1", "a", "a", 1, 0, 0)};
  batch.traits = {Trait("w1", "a", "plan", "pro", 1)};
  EXPECT_FALSE(store_->Apply(batch).ok());
  EXPECT_EQ(PersonOf("w1", "a"), std::nullopt);
}

// --- Atomicity -----------------------------------------------------------------

TEST_F(SqliteIdentityStoreTest, ABatchThatFailsLeavesNothingOfItself) {
  IdentityBatch first;
  first.activity = {Activity("w1", "a", "a", 1, 10, 10), Activity("w1", "u", "u", 1, 20, 20, true)};
  first.traits = {Trait("w1", "a", "plan", "\"free\"", 10)};
  first.new_links = {Link("w1", 1, "a", "x")};
  first.offsets = {{0, 5}};
  Apply(first);
  const std::map<std::string, Profile> profiles = ScanAll("w1");
  const std::vector<IdentityLinkRecord> links = AllLinks();

  // Everything a batch writes, then a link whose (workspace, seq) exists.
  IdentityBatch failing;
  failing.activity = {Activity("w1", "a", "a", 5, 0, 900), Activity("w1", "new", "new", 1, 5, 5),
                      Activity("w2", "b", "b", 1, 5, 5)};
  failing.traits = {Trait("w1", "a", "plan", "\"pro\"", 99), Trait("w1", "u", "x", "1", 1)};
  failing.assignments = {{"w1", "u", "a"}};
  failing.new_links = {Merge("w1", 2, "a", "u", "a", "u", {"u"}), Link("w1", 1, "a", "y")};
  failing.offsets = {{0, 9}, {1, 3}};
  const Status status = store_->Apply(failing);
  EXPECT_EQ(status.code(), ErrorCode::kConflict) << status.ToString();

  EXPECT_EQ(ScanAll("w1"), profiles);
  EXPECT_TRUE(ScanAll("w2").empty());
  EXPECT_EQ(AllLinks(), links);
  EXPECT_EQ(*store_->ConsumedOffsets(), (std::vector<std::pair<int, uint64_t>>{{0, 5}}));
  EXPECT_EQ(PersonOf("w1", "new"), std::nullopt);
  EXPECT_EQ(PersonOf("w1", "u"), "u");

  // A failure at the end (an unknown merge to mark undone) too.
  failing.new_links.pop_back();
  failing.unmerged = {{"w1", "no-such-merge"}};
  EXPECT_EQ(store_->Apply(failing).code(), ErrorCode::kNotFound);
  EXPECT_EQ(ScanAll("w1"), profiles);
  EXPECT_EQ(AllLinks(), links);
  EXPECT_EQ(*store_->ConsumedOffsets(), (std::vector<std::pair<int, uint64_t>>{{0, 5}}));

  // The same batch without the fault applies whole.
  failing.unmerged.clear();
  Apply(failing);
  EXPECT_EQ(Get("w1", "a").event_count, 7);  // a's 1 + 5, and u's 1
  EXPECT_EQ(AllLinks().size(), 2u);
}

TEST_F(SqliteIdentityStoreTest, AnUnknownWorkspaceFailsTheBatch) {
  IdentityBatch batch;
  batch.activity = {Activity("w1", "a", "a", 1, 0, 0), Activity("nope", "a", "a", 1, 0, 0)};
  batch.offsets = {{0, 1}};
  const Status status = store_->Apply(batch);
  EXPECT_EQ(status.code(), ErrorCode::kNotFound);
  EXPECT_EQ(status.field(), "workspace_id");
  EXPECT_TRUE(ScanAll("w1").empty());
  EXPECT_TRUE(store_->ConsumedOffsets()->empty());
}

// --- A reference model on randomized batches ----------------------------------

// What the store should hold, computed from scratch from everything applied:
// each id's person and activity, and every trait write in order.
class IdentityModel {
 public:
  struct Id {
    std::string person;
    bool is_user = false;
    int64_t events = 0;
    std::optional<int64_t> first_ms;
    std::optional<int64_t> last_ms;
  };
  struct Write {
    std::string id;
    std::string name;
    std::string value_json;
    int64_t at_ms = 0;
    bool set_once = false;
    int64_t order = 0;
  };

  // Applies a batch as the store's contract says: activity, then trait
  // writes, then assignments in order (the batch is generated so that every
  // assignment names a representative).
  void Apply(const std::string& workspace_id, const IdentityBatch& batch) {
    std::map<std::string, Id>& ids = ids_[workspace_id];
    for (const IdActivity& activity : batch.activity) {
      auto [entry, inserted] = ids.try_emplace(activity.id);
      if (inserted) entry->second.person = activity.person;
      Id& id = entry->second;
      id.is_user = id.is_user || activity.seen_as_user_id;
      id.events += activity.events;
      const int64_t first = UnixMillis(activity.first_seen) - UnixMillis(kT0);
      const int64_t last = UnixMillis(activity.last_seen) - UnixMillis(kT0);
      if (!id.first_ms || first < *id.first_ms) id.first_ms = first;
      if (!id.last_ms || last > *id.last_ms) id.last_ms = last;
    }
    for (const TraitWrite& trait : batch.traits) {
      ids.try_emplace(trait.id, NewId(trait.person));
      writes_[workspace_id].push_back({trait.id, trait.name, trait.value_json,
                                       UnixMillis(trait.at) - UnixMillis(kT0), trait.set_once,
                                       next_order_++});
    }
    for (const PersonAssignment& assignment : batch.assignments) {
      ids[assignment.id].person = assignment.person;
      ids.try_emplace(assignment.person, NewId(assignment.person));
    }
  }

  static Id NewId(const std::string& person) {
    Id id;
    id.person = person;
    return id;
  }

  std::set<std::string> Persons(const std::string& workspace_id) const {
    std::set<std::string> persons;
    for (const auto& [id, state] : IdsOf(workspace_id)) persons.insert(state.person);
    return persons;
  }
  std::vector<std::string> MembersOf(const std::string& workspace_id,
                                     const std::string& person) const {
    std::vector<std::string> members;
    for (const auto& [id, state] : IdsOf(workspace_id)) {
      if (state.person == person) members.push_back(id);
    }
    return members;
  }
  const std::map<std::string, Id>& IdsOf(const std::string& workspace_id) const {
    static const std::map<std::string, Id> kNone;
    auto found = ids_.find(workspace_id);
    return found == ids_.end() ? kNone : found->second;
  }

  // name -> value_json of the person's traits.
  std::map<std::string, std::string> TraitsOf(const std::string& workspace_id,
                                              const std::string& person) const {
    std::map<std::string, const Write*> plain;
    std::map<std::string, const Write*> once;
    auto found = writes_.find(workspace_id);
    if (found == writes_.end()) return {};
    const std::map<std::string, Id>& ids = IdsOf(workspace_id);
    for (const Write& write : found->second) {
      if (ids.at(write.id).person != person) continue;
      const Write*& best = (write.set_once ? once : plain)[write.name];
      const auto key = std::tie(write.at_ms, write.order);
      if (best == nullptr) {
        best = &write;
      } else if (write.set_once ? key < std::tie(best->at_ms, best->order)
                                : key > std::tie(best->at_ms, best->order)) {
        best = &write;
      }
    }
    std::map<std::string, std::string> traits;
    for (const auto& [name, write] : once) traits[name] = write->value_json;
    for (const auto& [name, write] : plain) traits[name] = write->value_json;
    return traits;
  }

  Profile ProfileOf(const std::string& workspace_id, const std::string& person) const {
    Profile profile;
    profile.workspace_id = workspace_id;
    profile.person = person;
    const std::map<std::string, Id>& ids = IdsOf(workspace_id);
    std::vector<std::tuple<bool, int64_t, std::string>> users;  // (no events, first, id)
    std::vector<std::tuple<bool, int64_t, std::string>> others;
    std::optional<int64_t> first;
    std::optional<int64_t> last;
    for (const std::string& id : MembersOf(workspace_id, person)) {
      const Id& state = ids.at(id);
      profile.event_count += state.events;
      if (state.first_ms && (!first || *state.first_ms < *first)) first = state.first_ms;
      if (state.last_ms && (!last || *state.last_ms > *last)) last = state.last_ms;
      (state.is_user ? users : others)
          .emplace_back(!state.first_ms.has_value(), state.first_ms.value_or(0), id);
    }
    std::sort(users.begin(), users.end());
    std::sort(others.begin(), others.end());
    for (const auto& user : users) profile.user_ids.push_back(std::get<2>(user));
    for (const auto& other : others) profile.anonymous_ids.push_back(std::get<2>(other));
    profile.first_seen = first ? At(*first) : TimePoint{};
    profile.last_seen = last ? At(*last) : TimePoint{};
    std::string json = "{";
    for (const auto& [name, value] : TraitsOf(workspace_id, person)) {
      if (json.size() > 1) json += ',';
      json += fmt::format("\"{}\":{}", name, value);  // test names need no escaping
    }
    profile.traits_json = json + "}";
    return profile;
  }

 private:
  std::map<std::string, std::map<std::string, Id>> ids_;
  std::map<std::string, std::vector<Write>> writes_;
  int64_t next_order_ = 0;
};

// Random batches that keep the graph's shape: persons named by a member,
// merges that move every id of the absorbed person, unmerges that split a
// group of ids off under one of them, and identifies that bring a new id
// (without events) in as the representative.
class BatchGenerator {
 public:
  BatchGenerator(uint32_t seed, std::string workspace_id)
      : random_(seed), workspace_id_(std::move(workspace_id)) {}

  IdentityBatch Next(const IdentityModel& model) {
    IdentityBatch batch;
    // The state as the batch goes: id -> person.
    std::map<std::string, std::string> person_of;
    for (const auto& [id, state] : model.IdsOf(workspace_id_)) person_of[id] = state.person;

    auto pick_id = [&](int new_percent) {
      if (person_of.empty() || Percent() < new_percent) {
        std::string id = fmt::format("id{}", next_id_++);
        person_of.emplace(id, id);
        return id;
      }
      auto it = person_of.begin();
      std::advance(it, Uniform(0, static_cast<int>(person_of.size()) - 1));
      return it->first;
    };

    const int activities = Uniform(0, 12);
    for (int i = 0; i < activities; ++i) {
      const std::string id = pick_id(30);
      const int64_t first = Uniform(0, 5000);
      batch.activity.push_back(Activity(workspace_id_, id, person_of[id], Uniform(1, 3), first,
                                        first + Uniform(0, 3) * 100, Percent() < 25));
    }
    static const char* kNames[] = {"plan", "age", "vip", "ref"};
    static const char* kValues[] = {"\"pro\"", "\"free\"", "3", "2.5", "true", "false", "null"};
    const int traits = Uniform(0, 6);
    for (int i = 0; i < traits; ++i) {
      const std::string id = pick_id(10);
      TraitWrite write = Trait(workspace_id_, id, kNames[Uniform(0, 3)], kValues[Uniform(0, 6)],
                               Uniform(0, 6), Percent() < 35);
      write.person = person_of[id];
      batch.traits.push_back(std::move(write));
    }

    const int links = Uniform(0, 3);
    for (int i = 0; i < links; ++i) {
      std::set<std::string> persons;
      for (const auto& [id, person] : person_of) persons.insert(person);
      const int kind = Uniform(0, 9);
      if (kind < 5 && persons.size() >= 2) {  // merge loser into winner
        std::vector<std::string> list(persons.begin(), persons.end());
        std::shuffle(list.begin(), list.end(), random_);
        for (auto& [id, person] : person_of) {
          if (person == list[1]) Assign(batch, person_of, id, list[0]);
        }
      } else if (kind < 8) {  // split some ids of a person off under one of them
        std::vector<std::string> candidates;
        for (const std::string& person : persons) {
          int members = 0;
          for (const auto& [id, p] : person_of) members += p == person;
          if (members >= 2) candidates.push_back(person);
        }
        if (candidates.empty()) continue;
        const std::string person = candidates[Uniform(0, static_cast<int>(candidates.size()) - 1)];
        std::vector<std::string> split;
        for (const auto& [id, p] : person_of) {
          if (p == person && id != person && (split.empty() || Percent() < 50)) split.push_back(id);
        }
        const std::string representative = split[Uniform(0, static_cast<int>(split.size()) - 1)];
        for (const std::string& id : split) Assign(batch, person_of, id, representative);
      } else if (!persons.empty()) {  // a new anonymous id identifies as a known person
        std::vector<std::string> list(persons.begin(), persons.end());
        const std::string person = list[Uniform(0, static_cast<int>(list.size()) - 1)];
        const std::string anonymous = fmt::format("anon{}", next_id_++);
        person_of[anonymous] = anonymous;
        for (auto& [id, p] : person_of) {
          if (p == person) Assign(batch, person_of, id, anonymous);
        }
      }
    }
    if (Percent() < 50) batch.offsets = {{0, static_cast<uint64_t>(next_id_)}};
    return batch;
  }

 private:
  void Assign(IdentityBatch& batch, std::map<std::string, std::string>& person_of,
              const std::string& id, const std::string& person) {
    batch.assignments.push_back({workspace_id_, id, person});
    person_of[id] = person;
  }
  int Uniform(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }
  int Percent() { return Uniform(0, 99); }

  std::mt19937 random_;
  std::string workspace_id_;
  int next_id_ = 0;
};

class IdentityModelTest : public SqliteIdentityStoreTest {
 protected:
  // Every profile, by GetProfile and ScanProfiles, and every id's person,
  // against the model.
  void ExpectMatchesModel(const IdentityModel& model, const std::string& workspace_id,
                          const std::string& when) {
    std::map<std::string, Profile> expected;
    for (const std::string& person : model.Persons(workspace_id)) {
      expected[person] = model.ProfileOf(workspace_id, person);
      EXPECT_EQ(Get(workspace_id, person), expected[person]) << when;
    }
    EXPECT_EQ(ScanAll(workspace_id), expected) << when;
    for (const auto& [id, state] : model.IdsOf(workspace_id)) {
      EXPECT_EQ(PersonOf(workspace_id, id), state.person) << when << " " << id;
    }
  }
};

TEST_F(IdentityModelTest, RandomizedBatchesKeepEveryProfileAsComputedFromScratch) {
  for (const uint32_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(fmt::format("seed {}", seed));
    const std::string w1 = "w1";
    const std::string w2 = "w2";
    ASSERT_TRUE(Exec("DELETE FROM identity_ids; DELETE FROM identity_traits; "
                     "DELETE FROM profiles; DELETE FROM identity_consumed_offsets")
                    .ok());
    IdentityModel model;
    BatchGenerator first(seed, w1);
    BatchGenerator second(seed + 100, w2);
    size_t assignments = 0;
    size_t largest_person = 0;
    size_t persons_without_events = 0;
    for (int step = 0; step < 60; ++step) {
      // Both workspaces in one batch (same ids in each, so any leak shows).
      IdentityBatch batch = first.Next(model);
      IdentityBatch other = second.Next(model);
      model.Apply(w1, batch);
      model.Apply(w2, other);
      batch.activity.insert(batch.activity.end(), other.activity.begin(), other.activity.end());
      batch.traits.insert(batch.traits.end(), other.traits.begin(), other.traits.end());
      batch.assignments.insert(batch.assignments.end(), other.assignments.begin(),
                               other.assignments.end());
      ASSERT_NO_FATAL_FAILURE(Apply(batch));
      assignments += batch.assignments.size();
      for (const std::string& person : model.Persons(w1)) {
        largest_person = std::max(largest_person, model.MembersOf(w1, person).size());
        persons_without_events += model.ProfileOf(w1, person).event_count == 0;
      }
      ExpectMatchesModel(model, w1, fmt::format("step {}", step));
      ExpectMatchesModel(model, w2, fmt::format("step {}", step));
      if (HasFailure()) return;
    }
    // The histories do what they are for: many moves, large persons, and
    // persons known only through links.
    EXPECT_GT(assignments, 200u);
    EXPECT_GE(largest_person, 5u);
    EXPECT_GT(persons_without_events, 0u);
  }
}

// --- ListProfiles ----------------------------------------------------------------

// A trait value as the tests write them (strings without escapes).
struct Scalar {
  enum Kind { kString, kNumber, kBoolean, kNull } kind = kNull;
  std::string text;  // a string's text, or a number or boolean as written
  double number = 0;
};

Scalar ParseScalar(const std::string& json) {
  if (json == "null") return {Scalar::kNull, "", 0};
  if (json == "true" || json == "false") return {Scalar::kBoolean, json, json == "true" ? 1.0 : 0};
  if (json.front() == '"') return {Scalar::kString, json.substr(1, json.size() - 2), 0};
  return {Scalar::kNumber, json, std::strtod(json.c_str(), nullptr)};
}

// The brute-force reading of a condition (store/scan.h's rules for events).
bool Holds(const TraitCondition& condition, const std::map<std::string, std::string>& traits) {
  auto found = traits.find(condition.name);
  const bool set = found != traits.end() && found->second != "null";
  if (condition.op == TraitCondition::Op::kIsSet) return set;
  if (condition.op == TraitCondition::Op::kIsNotSet) return !set;
  if (!set) return false;
  const Scalar trait = ParseScalar(found->second);
  const Scalar value = ParseScalar(condition.value_json);
  if (condition.op == TraitCondition::Op::kContains) {
    return trait.kind == Scalar::kString && trait.text.find(value.text) != std::string::npos;
  }
  if (trait.kind != value.kind) return condition.op == TraitCondition::Op::kNotEquals;
  const int order = trait.kind == Scalar::kString
                        ? trait.text.compare(value.text)
                        : (trait.number < value.number ? -1 : trait.number > value.number);
  switch (condition.op) {
    case TraitCondition::Op::kEquals:
      return order == 0;
    case TraitCondition::Op::kNotEquals:
      return order != 0;
    case TraitCondition::Op::kGt:
      return order > 0;
    case TraitCondition::Op::kGte:
      return order >= 0;
    case TraitCondition::Op::kLt:
      return order < 0;
    case TraitCondition::Op::kLte:
      return order <= 0;
    default:
      return false;
  }
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool MatchesSearch(const std::string& search, const Profile& profile,
                   const std::map<std::string, std::string>& traits) {
  const std::string needle = Lower(search);
  std::vector<std::string> texts = profile.user_ids;
  texts.insert(texts.end(), profile.anonymous_ids.begin(), profile.anonymous_ids.end());
  for (const auto& [name, value] : traits) {
    if (value != "null") texts.push_back(ParseScalar(value).text);
  }
  for (const std::string& text : texts) {
    if (Lower(text).find(needle) != std::string::npos) return true;
  }
  return false;
}

std::vector<std::string> Persons(const std::vector<Profile>& profiles) {
  std::vector<std::string> persons;
  for (const Profile& profile : profiles) persons.push_back(profile.person);
  return persons;
}

class ListProfilesTest : public SqliteIdentityStoreTest {
 protected:
  // A few hundred random profiles, with merges, ties of last_seen, persons
  // without events and ids with LIKE's wildcards.
  void Populate(uint32_t seed) {
    BatchGenerator generator(seed, "w1");
    for (int step = 0; step < 100; ++step) {
      IdentityBatch batch = generator.Next(model_);
      for (IdActivity& activity : batch.activity) {  // few distinct times: ties
        activity.first_seen = At(UnixMillis(activity.first_seen) % 7);
        activity.last_seen = At(UnixMillis(activity.last_seen) % 13);
        if (activity.last_seen < activity.first_seen)
          std::swap(activity.first_seen, activity.last_seen);
      }
      if (step % 5 == 0) {
        const std::string id = fmt::format("odd_{}%\\{}", step, step % 2 ? "Ab" : "aB");
        batch.activity.push_back(Activity("w1", id, id, 1, step, step + 1));
        batch.traits.push_back(Trait("w1", id, "ref", "\"50%_off\"", step));
      }
      model_.Apply("w1", batch);
      ASSERT_NO_FATAL_FAILURE(Apply(batch));
    }
    // Another workspace with the same ids: never listed for w1.
    IdentityBatch other;
    for (const auto& [id, state] : model_.IdsOf("w1")) {
      other.activity.push_back(Activity("w2", id, id, 1, 100'000, 100'000));
      other.traits.push_back(Trait("w2", id, "plan", "\"pro\"", 1));
    }
    Apply(other);
    for (const auto& [person, profile] : ScanAll("w1")) {
      all_.push_back(profile);
      traits_[person] = model_.TraitsOf("w1", person);
    }
    std::sort(all_.begin(), all_.end(), [](const Profile& a, const Profile& b) {
      return std::tie(b.last_seen, a.person) < std::tie(a.last_seen, b.person);
    });
  }

  std::vector<Profile> BruteForce(const ProfileListRequest& request) const {
    std::vector<Profile> matches;
    for (const Profile& profile : all_) {
      const auto& traits = traits_.at(profile.person);
      bool holds = !request.search || MatchesSearch(*request.search, profile, traits);
      for (const TraitCondition& condition : request.conditions) {
        holds = holds && Holds(condition, traits);
      }
      if (holds) matches.push_back(profile);
    }
    return matches;
  }

  // Every page of `request` (its limit per page), checking has_more.
  std::vector<Profile> AllPages(ProfileListRequest request) {
    std::vector<Profile> profiles;
    for (int page_number = 0; page_number < 1000; ++page_number) {
      auto page = store_->ListProfiles(request);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) break;
      EXPECT_LE(page->profiles.size(), static_cast<size_t>(request.limit));
      profiles.insert(profiles.end(), page->profiles.begin(), page->profiles.end());
      if (!page->has_more) break;
      EXPECT_EQ(page->profiles.size(), static_cast<size_t>(request.limit));
      request.after = {{page->profiles.back().last_seen, page->profiles.back().person}};
    }
    return profiles;
  }

  IdentityModel model_;
  std::vector<Profile> all_;  // w1's, in list order
  std::map<std::string, std::map<std::string, std::string>> traits_;
};

TEST_F(ListProfilesTest, PagesThroughEveryProfileExactlyOnceInOrder) {
  ASSERT_NO_FATAL_FAILURE(Populate(7));
  ASSERT_GT(all_.size(), 100u);
  for (const int limit : {1, 7, 50, 1000}) {
    ProfileListRequest request;
    request.workspace_id = "w1";
    request.limit = limit;
    EXPECT_EQ(AllPages(request), all_) << "limit " << limit;
  }
  ProfileListRequest request;
  request.workspace_id = "w1";
  request.limit = 1000;
  auto whole = store_->ListProfiles(request);
  ASSERT_TRUE(whole.ok());
  EXPECT_FALSE(whole->has_more);
  request.limit = static_cast<int>(all_.size());
  EXPECT_FALSE(store_->ListProfiles(request)->has_more);
  request.limit = static_cast<int>(all_.size()) - 1;
  EXPECT_TRUE(store_->ListProfiles(request)->has_more);
  request.workspace_id = "nope";
  EXPECT_TRUE(store_->ListProfiles(request)->profiles.empty());
}

TEST_F(ListProfilesTest, FiltersAndSearchMatchABruteForceFilter) {
  ASSERT_NO_FATAL_FAILURE(Populate(11));
  std::mt19937 random(5);
  auto uniform = [&](int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(random);
  };
  static const char* kNames[] = {"plan", "age", "vip", "ref", "missing"};
  static const char* kValues[] = {"\"pro\"", "\"free\"", "\"fr\"", "\"r\"", "\"\"", "\"50%_\"", "3",
                                  "2.5",     "3.0",      "-1",     "0",     "true", "false"};
  static const char* kSearches[] = {"",    "ID1", "id2", "%",   "_",       "odd_1",
                                    "%\\", "ab",  "PRO", "2.5", "50%_off", "zz"};
  static const TraitCondition::Op kOps[] = {
      TraitCondition::Op::kEquals,   TraitCondition::Op::kNotEquals, TraitCondition::Op::kGt,
      TraitCondition::Op::kGte,      TraitCondition::Op::kLt,        TraitCondition::Op::kLte,
      TraitCondition::Op::kContains, TraitCondition::Op::kIsSet,     TraitCondition::Op::kIsNotSet};
  int nonempty = 0;
  for (int round = 0; round < 300; ++round) {
    ProfileListRequest request;
    request.workspace_id = "w1";
    request.limit = uniform(1, 40);
    const int conditions = uniform(0, 2);
    for (int i = 0; i < conditions; ++i) {
      TraitCondition condition;
      condition.name = kNames[uniform(0, 4)];
      condition.op = kOps[uniform(0, 8)];
      condition.value_json = kValues[uniform(0, 12)];
      if (condition.op == TraitCondition::Op::kContains)
        condition.value_json = kValues[uniform(0, 5)];
      request.conditions.push_back(condition);
    }
    if (uniform(0, 2) == 0) request.search = kSearches[uniform(0, 11)];
    const std::vector<Profile> expected = BruteForce(request);
    nonempty += !expected.empty();
    const std::vector<Profile> pages = AllPages(request);
    EXPECT_EQ(Persons(pages), Persons(expected))
        << "round " << round << " search " << request.search.value_or("(none)");
    EXPECT_EQ(pages, expected);
    if (HasFailure()) return;
  }
  EXPECT_GT(nonempty, 100);  // the random requests do select
}

TEST_F(SqliteIdentityStoreTest, ListProfilesRefusesInvalidRequests) {
  ProfileListRequest request;
  request.workspace_id = "w1";
  for (const int limit : {0, -1, 1001}) {
    request.limit = limit;
    auto page = store_->ListProfiles(request);
    EXPECT_EQ(page.status().code(), ErrorCode::kBadRequest) << limit;
    EXPECT_EQ(page.status().field(), "limit");
  }
  request.limit = 1000;
  EXPECT_TRUE(store_->ListProfiles(request).ok());
  const std::vector<std::pair<TraitCondition, std::string>> refused = {
      {{"", TraitCondition::Op::kIsSet, ""}, "conditions[1].name"},
      {{"plan", TraitCondition::Op::kEquals, "pro"}, "conditions[1].value"},
      {{"plan", TraitCondition::Op::kEquals, "null"}, "conditions[1].value"},
      {{"plan", TraitCondition::Op::kGt, "[1]"}, "conditions[1].value"},
      {{"plan", TraitCondition::Op::kEquals, ""}, "conditions[1].value"},
      {{"plan", TraitCondition::Op::kContains, "3"}, "conditions[1].value"},
  };
  for (const auto& [condition, field] : refused) {
    request.conditions = {{"plan", TraitCondition::Op::kIsSet, ""}, condition};
    auto page = store_->ListProfiles(request);
    EXPECT_EQ(page.status().code(), ErrorCode::kBadRequest) << condition.value_json;
    EXPECT_EQ(page.status().field(), field) << condition.value_json;
  }
}

// A page is read off the (workspace_id, last_seen DESC, person) index in
// order, however the request filters: it stops after limit + 1 matches
// instead of sorting the workspace.
TEST_F(SqliteIdentityStoreTest, ListProfilesWalksTheRecentIndexWithoutSorting) {
  auto connection = SqliteConnection::Open(path_);
  ASSERT_TRUE(connection.ok());
  std::vector<ProfileListRequest> requests(3);
  for (ProfileListRequest& request : requests) request.workspace_id = "w1";
  requests[1].after = {{At(5), "x"}};
  requests[2].after = {{At(5), "x"}};
  requests[2].search = "a_b";
  requests[2].conditions = {{"plan", TraitCondition::Op::kGte, "3"},
                            {"vip", TraitCondition::Op::kIsNotSet, ""}};
  for (const ProfileListRequest& request : requests) {
    auto query = BuildProfileListQuery(request);
    ASSERT_TRUE(query.ok());
    auto explain = (*connection)->Prepare("EXPLAIN QUERY PLAN " + query->sql);
    ASSERT_TRUE(explain.ok()) << explain.status().ToString();
    for (size_t i = 0; i < query->bindings.size(); ++i) {
      const auto& binding = query->bindings[i];
      const int index = static_cast<int>(i) + 1;
      ASSERT_TRUE((std::holds_alternative<int64_t>(binding)
                       ? explain->BindInt64(index, std::get<int64_t>(binding))
                       : explain->BindText(index, std::get<std::string>(binding)))
                      .ok());
    }
    std::string plan;
    while (*explain->Step()) plan += explain->ColumnText(3) + "\n";
    EXPECT_NE(plan.find("profiles_recent"), std::string::npos) << plan;
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
  }
}

// --- ScanProfiles, isolation, workspace deletion ---------------------------------

TEST_F(SqliteIdentityStoreTest, ScanProfilesReadsInChunksAndStopsWhenAsked) {
  IdentityBatch batch;
  for (int i = 0; i < 1234; ++i) {
    const std::string id = fmt::format("id-{:04}", i);
    batch.activity.push_back(Activity("w1", id, id, 1, i, i));
  }
  batch.activity.push_back(Activity("w2", "id-0000", "id-0000", 1, 0, 0));
  Apply(batch);
  EXPECT_EQ(ScanAll("w1").size(), 1234u);
  EXPECT_EQ(ScanAll("w2").size(), 1u);
  EXPECT_TRUE(ScanAll("w3").empty());
  int seen = 0;
  ASSERT_TRUE(store_->ScanProfiles("w1", [&](const Profile&) { return ++seen < 600; }).ok());
  EXPECT_EQ(seen, 600);
  // The callback may call the store: no lock is held while it runs.
  seen = 0;
  ASSERT_TRUE(store_
                  ->ScanProfiles("w1",
                                 [&](const Profile& profile) {
                                   EXPECT_TRUE(store_->GetProfile("w1", profile.person).ok());
                                   return ++seen < 3;
                                 })
                  .ok());
}

TEST_F(SqliteIdentityStoreTest, NothingOfAnotherWorkspaceIsEverReturned) {
  IdentityBatch batch;
  batch.activity = {Activity("w2", "a", "a", 5, 0, 9), Activity("w2", "u", "u", 1, 0, 0, true)};
  batch.traits = {Trait("w2", "a", "plan", "\"pro\"", 1)};
  batch.assignments = {{"w2", "u", "a"}};
  batch.new_links = {Merge("w2", 1, "a", "u", "a", "u", {"u"})};
  Apply(batch);
  IdentityBatch mine;
  mine.activity = {Activity("w1", "u", "u", 1, 0, 0)};
  Apply(mine);

  EXPECT_EQ(PersonOf("w1", "a"), std::nullopt);
  EXPECT_EQ(PersonOf("w1", "u"), "u");
  EXPECT_EQ(store_->GetProfile("w1", "a").status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(store_->IdsWithKey("w1", PersonKeyOf("a"))->empty());
  EXPECT_TRUE(store_->MergesOf("w1", "u")->empty());
  const Profile u = Get("w1", "u");
  EXPECT_EQ(u.event_count, 1);
  EXPECT_EQ(u.traits_json, "{}");
  EXPECT_EQ(ScanAll("w1").size(), 1u);
  ProfileListRequest request;
  request.workspace_id = "w1";
  request.search = "a";
  EXPECT_TRUE(store_->ListProfiles(request)->profiles.empty());
  request.search.reset();
  request.conditions = {{"plan", TraitCondition::Op::kIsSet, ""}};
  EXPECT_TRUE(store_->ListProfiles(request)->profiles.empty());
  EXPECT_EQ(Get("w2", "a").event_count, 6);
}

TEST_F(SqliteIdentityStoreTest, DeletingAWorkspaceTakesItsIdentities) {
  IdentityBatch batch;
  batch.activity = {Activity("w1", "a", "a", 1, 0, 0), Activity("w2", "a", "a", 1, 0, 0)};
  batch.traits = {Trait("w1", "a", "plan", "\"pro\"", 1)};
  batch.new_links = {Link("w1", 1, "a", "b")};
  Apply(batch);
  ASSERT_TRUE(Exec("DELETE FROM workspaces WHERE id = 'w1'").ok());
  EXPECT_EQ(PersonOf("w1", "a"), std::nullopt);
  EXPECT_TRUE(ScanAll("w1").empty());
  EXPECT_TRUE(AllLinks().empty());
  EXPECT_EQ(PersonOf("w2", "a"), "a");
  EXPECT_TRUE(Exec("SELECT 1 FROM identity_traits").ok());
  EXPECT_EQ(ScanAll("w2").size(), 1u);
}

// Batches applied on one thread while others read: every read succeeds and
// sees whole batches (each adds one event to every id, so all profiles of a
// scan have the same count).
TEST_F(SqliteIdentityStoreTest, ReadsRunWhileBatchesAreApplied) {
  constexpr int kBatches = 20;
  auto batch_number = [](int n) {
    IdentityBatch batch;
    for (int i = 0; i < 300; ++i) {
      const std::string id = fmt::format("id-{}", i);
      batch.activity.push_back(Activity("w1", id, id, 1, n, n));
    }
    batch.offsets = {{0, static_cast<uint64_t>(n + 1)}};
    return batch;
  };
  Apply(batch_number(0));
  std::thread writer([&] {
    for (int n = 1; n < kBatches; ++n) EXPECT_TRUE(store_->Apply(batch_number(n)).ok());
  });
  int reads = 0;
  for (int64_t offset = 1; offset < kBatches; ++reads) {
    auto offsets = store_->ConsumedOffsets();
    ASSERT_TRUE(offsets.ok());
    offset = static_cast<int64_t>((*offsets)[0].second);
    EXPECT_TRUE(store_->GetProfile("w1", "id-7").ok());
    std::set<int64_t> counts;
    // One chunk (fewer profiles than a chunk): one snapshot.
    ASSERT_TRUE(store_
                    ->ScanProfiles("w1",
                                   [&](const Profile& profile) {
                                     counts.insert(profile.event_count);
                                     return true;
                                   })
                    .ok());
    EXPECT_EQ(counts.size(), 1u);
    if (reads > 100'000) break;  // never: the writer ends
  }
  writer.join();
  EXPECT_EQ(Get("w1", "id-7").event_count, kBatches);
}

// --- Migration 0006 ----------------------------------------------------------------

TEST_F(SqliteIdentityStoreTest, MigrationGoesDownAndUpAlone) {
  IdentityBatch batch;
  batch.activity = {Activity("w1", "a", "a", 1, 0, 0)};
  batch.offsets = {{0, 3}};
  Apply(batch);
  store_.reset();
  meta_.reset();
  auto migrator = OpenSqliteMigrator(path_);
  ASSERT_TRUE(migrator.ok());
  const int latest = (*migrator)->LatestVersion();
  ASSERT_GE(latest, 6);
  // Revert down to version 5, whatever came after 0006.
  ASSERT_TRUE((*migrator)->Down(latest - 5).ok());
  EXPECT_EQ(*(*migrator)->CurrentVersion(), 5);
  for (const char* table : {"identity_ids", "identity_traits", "identity_links", "profiles",
                            "identity_consumed_offsets", "identity_counters"}) {
    EXPECT_FALSE(Exec(fmt::format("SELECT 1 FROM {}", table)).ok()) << table;
  }
  EXPECT_TRUE(Exec("SELECT 1 FROM saved_queries").ok());

  ASSERT_TRUE((*migrator)->Up().ok());
  EXPECT_TRUE((*migrator)->CheckCurrent().ok());
  auto store = OpenSqliteIdentityStore(path_);
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE((*store)->ConsumedOffsets()->empty());
  EXPECT_EQ((*store)->GetProfile("w1", "a").status().code(), ErrorCode::kNotFound);
  batch.traits = {Trait("w1", "a", "plan", "\"pro\"", 1)};
  ASSERT_TRUE((*store)->Apply(batch).ok());
  EXPECT_EQ((*store)->GetProfile("w1", "a")->traits_json, R"({"plan":"pro"})");
}

// The tables refuse what the store never writes, for writers that bypass it.
TEST_F(SqliteIdentityStoreTest, TheTablesHoldTheirOwnConstraints) {
  EXPECT_FALSE(Exec("INSERT INTO identity_ids (workspace_id, id, id_key, person, event_count, "
                    "first_seen, last_seen) VALUES ('w1', 'a', 1, 'a', 0, 5, 5)")
                   .ok());  // times without events
  EXPECT_FALSE(Exec("INSERT INTO identity_ids (workspace_id, id, id_key, person, event_count, "
                    "first_seen, last_seen) VALUES ('w1', 'a', 1, 'a', 1, 9, 5)")
                   .ok());
  EXPECT_FALSE(Exec("INSERT INTO identity_ids (workspace_id, id, id_key, person) "
                    "VALUES ('nope', 'a', 1, 'a')")
                   .ok());
  EXPECT_FALSE(Exec("INSERT INTO identity_links (workspace_id, seq, kind, from_id, to_id, "
                    "message_id, event_timestamp, applied_at, outcome) "
                    "VALUES ('w1', 1, 'identify', 'a', 'b', 'm', 0, 0, 'merged')")
                   .ok());  // a merge without its id
  EXPECT_FALSE(Exec("INSERT INTO identity_links (workspace_id, seq, kind, from_id, to_id, "
                    "message_id, event_timestamp, applied_at, outcome, moved_ids) "
                    "VALUES ('w1', 1, 'link', 'a', 'b', 'm', 0, 0, 'same_person', '[]')")
                   .ok());
  EXPECT_TRUE(Exec("INSERT INTO identity_links (workspace_id, seq, kind, from_id, to_id, "
                   "message_id, event_timestamp, applied_at, outcome) "
                   "VALUES ('w1', 1, 'identify', 'a', 'b', 'm', 0, 0, 'same_person')")
                  .ok());
}

// --- Speed (a printout, not an assertion) --------------------------------------

TEST_F(SqliteIdentityStoreTest, ApplyTimingOfABatchOfActivity) {
  // 10k events' activity over 5k ids (a fifth of them user ids), as the
  // identity service might hand it over unaggregated.
  auto batch_at = [](int64_t base_ms) {
    IdentityBatch batch;
    for (int i = 0; i < 10'000; ++i) {
      const int n = i % 5000;
      const std::string id = fmt::format("{}-{}", n % 5 == 0 ? "user" : "anon", n);
      batch.activity.push_back(Activity("w1", id, id, 1, base_ms + i, base_ms + i, n % 5 == 0));
    }
    batch.offsets = {{0, static_cast<uint64_t>(base_ms)}};
    return batch;
  };
  // Wall time, and the process's CPU time: on a shared machine the first
  // includes waiting for a core.
  auto time = [&](const IdentityBatch& batch) {
    const std::clock_t cpu_start = std::clock();
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(store_->Apply(batch).ok());
    const double wall =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    const double cpu = 1000.0 * static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    return fmt::format("{:.1f} ms ({:.1f} ms CPU)", wall, cpu);
  };
  const std::string new_ids = time(batch_at(0));
  const std::string known_ids = time(batch_at(100'000));
  const std::string again = time(batch_at(200'000));
  std::printf(
      "[ timing ] Apply of 10k events' activity over 5k ids: new ids %s; known ids %s, "
      "%s\n",
      new_ids.c_str(), known_ids.c_str(), again.c_str());
  EXPECT_EQ(Get("w1", "anon-1").event_count, 6);
}

}  // namespace
}  // namespace cdp
