// The SQL table `profiles`: what it shows, lookups by id and joins with
// events, and the sandbox's limits on it.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <random>
#include <thread>

#include "core/iso8601.h"
#include "query/person_key.h"
#include "query/sql/sql_query.h"
#include "query/sql/sql_test_util.h"
#include "query/testing/static_person_directory.h"
#include "query/testing/test_event_store.h"
#include "store/testing/random_events.h"

namespace cdp::query {
namespace {

using testing::ParseSqlResult;
using testing::RunSql;
using testing::SqlBody;
using testing::SqlTestResult;
using testing::SqlTestRow;
using testing::SqlTestValue;
using testing::StaticPersonDirectory;
using testing::TimeText;

TimePoint At(std::string_view text) { return *ParseIso8601DateTime(text); }

Profile MakeProfile(std::string workspace, std::string person, std::vector<std::string> user_ids,
                    std::vector<std::string> anonymous_ids, std::string traits, int64_t events) {
  Profile profile;
  profile.workspace_id = std::move(workspace);
  profile.person = std::move(person);
  profile.user_ids = std::move(user_ids);
  profile.anonymous_ids = std::move(anonymous_ids);
  profile.traits_json = std::move(traits);
  profile.first_seen = At("2026-01-02T10:00:00Z") + std::chrono::microseconds(events);
  profile.last_seen = At("2026-01-04T18:30:00.000001Z");
  profile.event_count = events;
  return profile;
}

std::string Id(std::string_view person) { return ProfileIdOf(PersonKeyOf(person)); }

SqlTestResult Query(EventStore& store, const PersonDirectory* persons, std::string_view sql) {
  Result<SqlTestResult> result = RunSql(store, "ws_a", sql, {}, persons);
  EXPECT_TRUE(result.ok()) << sql << "\n" << result.status().ToString();
  return result.ok() ? std::move(result).value() : SqlTestResult{};
}

class ProfilesTableTest : public ::testing::Test {
 protected:
  ProfilesTableTest()
      : directory_({{"anon-1", {"user-1", "anon-9"}}},
                   {MakeProfile("ws_a", "anon-1", {"user-1"}, {"anon-1", "anon-9"},
                                R"({"plan":"pro","age":41})", 7),
                    MakeProfile("ws_a", "anon-2", {}, {"anon-2"}, "{}", 1),
                    MakeProfile("ws_b", "anon-3", {"user-3"}, {"anon-3"}, R"({"plan":"b"})", 2),
                    MakeProfile("ws_a", "user-4", {"user-4", "user-44"}, {},
                                R"({"plan":"team","name":"Zoë \"Z\""})", 12)}) {
    std::mt19937_64 random(3);
    cdp::testing::RandomEventOptions options;
    options.workspaces = {"ws_a"};
    options.persons = 10;
    events_ = cdp::testing::RandomEvents(random, 400, options);
    store_ = std::make_unique<query::testing::TestEventStore>(events_, 2, 64);
  }

  EventStore& store() { return store_->store(); }

  StaticPersonDirectory directory_;
  std::vector<Event> events_;
  std::unique_ptr<query::testing::TestEventStore> store_;
};

TEST_F(ProfilesTableTest, ShowsTheWorkspacesProfiles) {
  const SqlTestResult result = Query(store(), &directory_,
                                     "SELECT id, user_id, user_ids, anonymous_ids, traits, "
                                     "first_seen_at, last_seen_at, event_count FROM profiles "
                                     "ORDER BY event_count");
  EXPECT_EQ(result.column_names,
            (std::vector<std::string>{"id", "user_id", "user_ids", "anonymous_ids", "traits",
                                      "first_seen_at", "last_seen_at", "event_count"}));
  EXPECT_EQ(result.column_types[0], "text");
  EXPECT_EQ(result.column_types[7], "integer");
  const std::string last = TimeText(At("2026-01-04T18:30:00.000001Z"));
  const auto first = [](int64_t events) {
    return TimeText(At("2026-01-02T10:00:00Z") + std::chrono::microseconds(events));
  };
  const std::vector<SqlTestRow> expected = {
      {Id("anon-2"), std::monostate{}, "[]", R"(["anon-2"])", "{}", first(1), last, int64_t{1}},
      {Id("anon-1"), "user-1", R"(["user-1"])", R"(["anon-1","anon-9"])",
       R"({"plan":"pro","age":41})", first(7), last, int64_t{7}},
      {Id("user-4"), "user-4", R"(["user-4","user-44"])", "[]",
       R"({"plan":"team","name":"Zoë \"Z\""})", first(12), last, int64_t{12}},
  };
  EXPECT_EQ(result.rows, expected);
  // Times compare as the events table's do.
  EXPECT_EQ(Query(store(), &directory_,
                  "SELECT count(*) FROM profiles WHERE first_seen_at >= '2026-01-02T10:00:00."
                  "000007Z'")
                .rows,
            (std::vector<SqlTestRow>{{int64_t{2}}}));
}

TEST_F(ProfilesTableTest, TraitsAndIdListsAreJson) {
  EXPECT_EQ(Query(store(), &directory_,
                  "SELECT json_extract(traits, '$.plan'), traits ->> 'age', "
                  "json_array_length(anonymous_ids), user_ids ->> 1 FROM profiles ORDER BY id")
                .rows.size(),
            3u);
  EXPECT_EQ(Query(store(), &directory_,
                  "SELECT traits ->> 'plan' AS plan, sum(event_count) FROM profiles "
                  "WHERE traits ->> 'plan' IS NOT NULL GROUP BY 1 ORDER BY 1")
                .rows,
            (std::vector<SqlTestRow>{{"pro", int64_t{7}}, {"team", int64_t{12}}}));
  EXPECT_EQ(Query(store(), &directory_,
                  "SELECT p.value FROM profiles, json_each(profiles.anonymous_ids) AS p "
                  "ORDER BY 1")
                .rows,
            (std::vector<SqlTestRow>{{"anon-1"}, {"anon-2"}, {"anon-9"}}));
}

TEST_F(ProfilesTableTest, LooksUpIds) {
  EXPECT_EQ(Query(store(), &directory_,
                  fmt::format("SELECT user_id FROM profiles WHERE id = '{}'", Id("user-4")))
                .rows,
            (std::vector<SqlTestRow>{{"user-4"}}));
  EXPECT_EQ(Query(store(), &directory_,
                  fmt::format("SELECT event_count FROM profiles WHERE id IN ('{}', '{}', "
                              "'prs_0000000000000001', NULL, 5) ORDER BY 1",
                              Id("user-4"), Id("anon-2")))
                .rows,
            (std::vector<SqlTestRow>{{int64_t{1}}, {int64_t{12}}}));
  // Another collation is SQLite's to decide.
  EXPECT_EQ(Query(store(), &directory_,
                  fmt::format("SELECT count(*) FROM profiles WHERE id = '{}' COLLATE NOCASE",
                              [] {
                                std::string upper = Id("anon-1");
                                for (char& c : upper) c = char(std::toupper(c));
                                return upper;
                              }()))
                .rows,
            (std::vector<SqlTestRow>{{int64_t{1}}}));
  // A profile of another workspace is not there.
  EXPECT_EQ(Query(store(), &directory_,
                  fmt::format("SELECT count(*) FROM profiles WHERE id = '{}'", Id("anon-3")))
                .rows,
            (std::vector<SqlTestRow>{{int64_t{0}}}));
}

// Another directory's answers, counting the profile listings.
class CountingDirectory final : public PersonDirectory {
 public:
  explicit CountingDirectory(const PersonDirectory& inner) : inner_(inner) {}
  mutable std::atomic<int> scans{0};

  std::shared_ptr<const PersonMap> Snapshot(std::string_view workspace) const override {
    return inner_.Snapshot(workspace);
  }
  Result<std::vector<std::string>> MemberIds(std::string_view workspace,
                                             std::string_view id) const override {
    return inner_.MemberIds(workspace, id);
  }
  Status ScanProfiles(std::string_view workspace,
                      const std::function<bool(const Profile&)>& each) const override {
    ++scans;
    return inner_.ScanProfiles(workspace, each);
  }

 private:
  const PersonDirectory& inner_;
};

// events.person_id is the id of the person's profile row: a join on it
// counts each person's events under every one of its ids.
TEST_F(ProfilesTableTest, JoinsEventsToTheirPersonsProfile) {
  const PersonMap& persons = *directory_.Snapshot("ws_a");
  std::map<std::string, int64_t> expected_counts;
  const std::map<PersonKey, std::string> user_id_of = {{PersonKeyOf("anon-1"), "user-1"},
                                                       {PersonKeyOf("user-4"), "user-4"}};
  int64_t without_profile = 0;
  for (const Event& event : events_) {
    const auto found = user_id_of.find(PersonOf(event, persons));
    if (found != user_id_of.end()) {
      ++expected_counts[found->second];
    } else if (PersonOf(event, persons) != 0 && PersonOf(event, persons) != PersonKeyOf("anon-2")) {
      ++without_profile;
    }
  }
  std::vector<SqlTestRow> expected;
  for (const auto& [user, count] : expected_counts) expected.push_back({user, count});
  ASSERT_FALSE(expected.empty());
  for (const std::string_view join :
       {"SELECT p.user_id, count(*) FROM events e JOIN profiles p ON p.id = e.person_id "
        "WHERE p.user_id IS NOT NULL GROUP BY 1 ORDER BY 1",
        "SELECT p.user_id, count(*) FROM profiles p JOIN events e ON e.person_id = p.id "
        "WHERE p.user_id IS NOT NULL GROUP BY 1 ORDER BY 1",
        "WITH p AS MATERIALIZED (SELECT * FROM profiles) SELECT p.user_id, count(*) "
        "FROM events e JOIN p ON p.id = e.person_id WHERE p.user_id IS NOT NULL "
        "GROUP BY 1 ORDER BY 1"}) {
    EXPECT_EQ(Query(store(), &directory_, join).rows, expected) << join;
  }
  // A lookup per event, from one listing of the profiles.
  CountingDirectory counting(directory_);
  EXPECT_EQ(Query(store(), &counting,
                  "SELECT count(*) FROM events e LEFT JOIN profiles p ON p.id = e.person_id "
                  "WHERE p.id IS NULL AND e.person_id IS NOT NULL")
                .rows,
            (std::vector<SqlTestRow>{{without_profile}}));
  EXPECT_EQ(counting.scans.load(), 1);
}

TEST_F(ProfilesTableTest, EmptyWithoutADirectoryAndNeverWritable) {
  EXPECT_EQ(Query(store(), nullptr, "SELECT count(*) FROM profiles").rows,
            (std::vector<SqlTestRow>{{int64_t{0}}}));
  EXPECT_EQ(
      Query(store(), nullptr, fmt::format("SELECT * FROM profiles WHERE id = '{}'", Id("anon-1")))
          .rows,
      std::vector<SqlTestRow>{});
  for (const std::string_view sql : {"INSERT INTO profiles(id) VALUES ('x')",
                                     "DELETE FROM profiles", "UPDATE profiles SET event_count = 0",
                                     "DROP TABLE profiles", "SELECT * FROM profiles('ws_b')"}) {
    const Result<SqlTestResult> result = RunSql(store(), "ws_a", sql, {}, &directory_);
    ASSERT_FALSE(result.ok()) << sql;
    EXPECT_EQ(result.status().code(), ErrorCode::kBadRequest) << sql;
  }
}

// A directory with as many profiles as asked for (or endless), each with a
// large trait.
class ManyProfiles final : public PersonDirectory {
 public:
  explicit ManyProfiles(int64_t count) : count_(count) {}
  std::atomic<bool> endless{false};

  std::shared_ptr<const PersonMap> Snapshot(std::string_view) const override {
    return std::make_shared<PersonMap>();
  }
  Result<std::vector<std::string>> MemberIds(std::string_view, std::string_view id) const override {
    return std::vector<std::string>{std::string(id)};
  }
  Status ScanProfiles(std::string_view workspace,
                      const std::function<bool(const Profile&)>& each) const override {
    const std::string traits = fmt::format(R"({{"bio":"{}"}})", std::string(2000, 'x'));
    for (int64_t i = 0; endless || i < count_; ++i) {
      const Profile profile = MakeProfile(std::string(workspace), fmt::format("p{}", i),
                                          {fmt::format("u{}", i)}, {}, traits, i);
      if (!each(profile)) break;
    }
    return Status::Ok();
  }

 private:
  const int64_t count_;
};

TEST_F(ProfilesTableTest, ScansStreamWithinTheMemoryCapButLookupsHoldEveryProfile) {
  ManyProfiles many(20'000);  // about 45 MB of rows
  const SqlLimits small{.memory_bytes = size_t{16} << 20};
  const Result<SqlTestResult> counted =
      RunSql(store(), "ws_a", "SELECT count(*), sum(length(traits)) FROM profiles", small, &many);
  ASSERT_TRUE(counted.ok()) << counted.status().ToString();
  EXPECT_EQ(counted->rows[0][0], SqlTestValue(int64_t{20'000}));
  const Result<SqlTestResult> looked_up =
      RunSql(store(), "ws_a",
             fmt::format("SELECT count(*) FROM profiles WHERE id = '{}'", Id("p7")), small, &many);
  ASSERT_FALSE(looked_up.ok());
  EXPECT_EQ(looked_up.status().code(), ErrorCode::kUnprocessableEntity);
  EXPECT_EQ(looked_up.status().message(), "the query used more than 16 MiB of memory");
  // With room for them, the lookup finds it.
  const Result<SqlTestResult> roomy =
      RunSql(store(), "ws_a", fmt::format("SELECT user_id FROM profiles WHERE id = '{}'", Id("p7")),
             {}, &many);
  ASSERT_TRUE(roomy.ok()) << roomy.status().ToString();
  EXPECT_EQ(roomy->rows, (std::vector<SqlTestRow>{{"u7"}}));
}

TEST_F(ProfilesTableTest, RowCapTimeLimitAndCancellation) {
  ManyProfiles many(100);
  QueryContext context{.workspace_id = "ws_a", .persons = &many};
  const Result<QueryOutput> capped =
      RunSqlQuery(context, store(), SqlBody("SELECT id FROM profiles", 5));
  ASSERT_TRUE(capped.ok()) << capped.status().ToString();
  EXPECT_EQ(capped->rows, 5u);
  EXPECT_NE(capped->json.find("\"truncated\":true"), std::string::npos);
  // LIMIT stops the listing: the queue is bounded.
  ManyProfiles endless(0);
  endless.endless = true;
  context.persons = &endless;
  const Result<QueryOutput> limited =
      RunSqlQuery(context, store(), SqlBody("SELECT id FROM profiles LIMIT 3"));
  ASSERT_TRUE(limited.ok()) << limited.status().ToString();
  EXPECT_EQ(limited->rows, 3u);

  const Result<QueryOutput> slow =
      RunSqlQuery(context, store(), SqlBody("SELECT count(*) FROM profiles", std::nullopt, 1));
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.status().code(), ErrorCode::kUnprocessableEntity);
  EXPECT_EQ(slow.status().message(), "the query ran longer than 1 s (timeout_seconds)");

  std::atomic<bool> cancelled{false};
  context.cancelled = &cancelled;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    cancelled = true;
  });
  const Result<QueryOutput> stopped =
      RunSqlQuery(context, store(), SqlBody("SELECT count(*) FROM profiles", std::nullopt, 300));
  canceller.join();
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.status().message(), CancelledStatus().message());
}

}  // namespace
}  // namespace cdp::query
