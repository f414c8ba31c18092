#include <gtest/gtest.h>

#include <barrier>
#include <chrono>
#include <thread>
#include <utility>

#include "meta/sqlite/sqlite_meta_store.h"
#include "meta/sqlite/sqlite_test_store.h"
#include "support/temp_dir.h"

namespace cdp {
namespace {

using namespace std::chrono_literals;

const TimePoint kT0 = std::chrono::sys_days{std::chrono::year{2026} / 3 / 4} + 5h + 6min + 789ms;

constexpr SchemaSection kProps = SchemaSection::kProperties;
constexpr SchemaSection kTraits = SchemaSection::kTraits;
constexpr SchemaSection kContext = SchemaSection::kContext;
constexpr PropertyType kString = PropertyType::kString;
constexpr PropertyType kNumber = PropertyType::kNumber;
constexpr PropertyType kBoolean = PropertyType::kBoolean;
constexpr PropertyType kTimestamp = PropertyType::kTimestamp;

class SqliteSchemaRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::OpenMigratedSqliteMetaStore(path_);
    ASSERT_NE(store_, nullptr);
    ASSERT_TRUE(store_->CreateWorkspace({"w1", "demo", kT0}).ok());
    ASSERT_TRUE(store_->CreateWorkspace({"w2", "other", kT0}).ok());
  }

  // Registers, expecting no error; returns the conflicts.
  std::vector<SchemaConflict> Register(const std::string& workspace_id,
                                       const SchemaObservation& observation) {
    auto conflicts = store_->RegisterSchema(workspace_id, observation);
    EXPECT_TRUE(conflicts.ok()) << conflicts.status().ToString();
    return conflicts.ok() ? *conflicts : std::vector<SchemaConflict>{};
  }
  std::vector<SchemaEvent> List(const std::string& workspace_id) {
    auto events = store_->ListSchema(workspace_id);
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    return events.ok() ? *events : std::vector<SchemaEvent>{};
  }

  testing::TempDir dir_;
  std::string path_ = dir_.File("meta.sqlite");
  std::unique_ptr<SqliteMetaStore> store_;
};

TEST_F(SqliteSchemaRegistryTest, TheFirstTypeSticks) {
  EXPECT_TRUE(Register("w1", {"Signed Up", kT0, {{kProps, "plan", kString}}}).empty());
  EXPECT_EQ(Register("w1", {"Signed Up", kT0 + 1s, {{kProps, "plan", kNumber}}}),
            (std::vector<SchemaConflict>{{kProps, "plan", kString, kNumber}}));
  // Another event carrying the property meets the same type.
  EXPECT_EQ(Register("w1", {"Upgraded", kT0 + 2s, {{kProps, "plan", kBoolean}}}),
            (std::vector<SchemaConflict>{{kProps, "plan", kString, kBoolean}}));
  EXPECT_TRUE(Register("w1", {"Upgraded", kT0 + 3s, {{kProps, "plan", kString}}}).empty());

  auto schema = store_->LoadSchema("w1");
  ASSERT_TRUE(schema.ok());
  EXPECT_EQ(schema->properties,
            (decltype(schema->properties){{SchemaPropertyKey{kProps, "plan"}, kString}}));
}

TEST_F(SqliteSchemaRegistryTest, AnEventWithAConflictRegistersNothing) {
  ASSERT_TRUE(Register("w1", {"Signed Up", kT0, {{kProps, "plan", kString}}}).empty());
  const std::vector<SchemaEvent> before = List("w1");

  // New properties before and after the conflicting ones, and a new event.
  EXPECT_EQ(Register("w1", {"Purchased",
                            kT0 + 1s,
                            {{kProps, "amount", kNumber},
                             {kProps, "plan", kNumber},
                             {kContext, "ip", kString},
                             {kProps, "plan", kTimestamp}}}),
            (std::vector<SchemaConflict>{{kProps, "plan", kString, kNumber},
                                         {kProps, "plan", kString, kTimestamp}}));
  // A known event, newly carrying a known property, with a conflict.
  EXPECT_FALSE(
      Register("w1",
               {"Signed Up", kT0 + 2s, {{kProps, "amount", kBoolean}, {kProps, "plan", kNumber}}})
          .empty());
  EXPECT_EQ(List("w1"), before);  // not even last_seen moved
  // Nor were the new properties registered: other types of them are welcome.
  EXPECT_TRUE(
      Register("w1", {"Other", kT0 + 3s, {{kProps, "amount", kBoolean}, {kContext, "ip", kNumber}}})
          .empty());

  // Fixed, the same event registers.
  EXPECT_TRUE(Register("w1", {"Purchased", kT0 + 4s, {{kProps, "amount", kBoolean}}}).empty());
  EXPECT_EQ(List("w1").size(), 3u);
}

TEST_F(SqliteSchemaRegistryTest, ARepeatedNameWithTwoTypesConflictsWithItsFirst) {
  EXPECT_EQ(Register("w1", {"E", kT0, {{kProps, "x", kString}, {kProps, "x", kNumber}}}),
            (std::vector<SchemaConflict>{{kProps, "x", kString, kNumber}}));
  EXPECT_TRUE(List("w1").empty());
  EXPECT_TRUE(Register("w1", {"E", kT0, {{kProps, "x", kNumber}, {kProps, "x", kNumber}}}).empty());
  EXPECT_EQ(List("w1"),
            (std::vector<SchemaEvent>{{"E", kT0, kT0, {{kProps, "x", kNumber, kT0, kT0}}}}));
}

TEST_F(SqliteSchemaRegistryTest, SectionsAreSeparate) {
  EXPECT_TRUE(Register("w1", {"Signed Up",
                              kT0,
                              {{kProps, "plan", kString},
                               {kTraits, "plan", kNumber},
                               {kContext, "plan", kBoolean}}})
                  .empty());
  EXPECT_TRUE(Register("w1", {"identify", kT0, {{kTraits, "plan", kNumber}}}).empty());
  EXPECT_EQ(Register("w1", {"identify", kT0, {{kTraits, "plan", kString}}}),
            (std::vector<SchemaConflict>{{kTraits, "plan", kNumber, kString}}));

  const std::vector<SchemaEvent> events = List("w1");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].name, "Signed Up");  // events by name: 'S' < 'i'
  ASSERT_EQ(events[0].properties.size(), 3u);
  // Properties, then traits, then context.
  EXPECT_EQ(events[0].properties[0].section, kProps);
  EXPECT_EQ(events[0].properties[0].type, kString);
  EXPECT_EQ(events[0].properties[1].section, kTraits);
  EXPECT_EQ(events[0].properties[1].type, kNumber);
  EXPECT_EQ(events[0].properties[2].section, kContext);
  EXPECT_EQ(events[0].properties[2].type, kBoolean);
}

TEST_F(SqliteSchemaRegistryTest, RecordsWhichEventsCarriedWhatAndWhen) {
  ASSERT_TRUE(Register("w1", {"A", kT0, {{kProps, "x", kString}}}).empty());
  ASSERT_TRUE(
      Register("w1", {"B", kT0 + 1s, {{kProps, "x", kString}, {kProps, "y", kNumber}}}).empty());
  ASSERT_TRUE(Register("w1", {"A", kT0 + 2s, {{kProps, "x", kString}}}).empty());
  // Out of order: an earlier observation widens first_seen and leaves last_seen.
  ASSERT_TRUE(Register("w1", {"A", kT0 - 1s, {{kProps, "x", kString}}}).empty());
  // No properties: only the event's last_seen moves.
  ASSERT_TRUE(Register("w1", {"A", kT0 + 3s, {}}).empty());
  ASSERT_TRUE(Register("w1", {"C", kT0 + 4s, {}}).empty());

  const std::vector<SchemaEvent> expected = {
      {"A", kT0 - 1s, kT0 + 3s, {{kProps, "x", kString, kT0 - 1s, kT0 + 2s}}},
      {"B",
       kT0 + 1s,
       kT0 + 1s,
       {{kProps, "x", kString, kT0 + 1s, kT0 + 1s}, {kProps, "y", kNumber, kT0 + 1s, kT0 + 1s}}},
      {"C", kT0 + 4s, kT0 + 4s, {}},
  };
  EXPECT_EQ(List("w1"), expected);
}

TEST_F(SqliteSchemaRegistryTest, LoadSchemaMatchesListSchema) {
  ASSERT_TRUE(
      Register("w1", {"A", kT0, {{kProps, "x", kString}, {kContext, "ip", kString}}}).empty());
  ASSERT_TRUE(Register("w1", {"identify", kT0, {{kTraits, "email", kString}}}).empty());
  ASSERT_TRUE(
      Register("w1", {"B", kT0, {{kProps, "x", kString}, {kProps, "t", kTimestamp}}}).empty());
  ASSERT_TRUE(Register("w1", {"page", kT0, {}}).empty());

  auto schema = store_->LoadSchema("w1");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  EXPECT_EQ(*schema, ToWorkspaceSchema(List("w1")));
  EXPECT_EQ(schema->properties.size(), 4u);
  EXPECT_EQ(schema->events.size(), 4u);
  EXPECT_TRUE(schema->events.at("page").empty());
  EXPECT_EQ(schema->events.at("B").size(), 2u);

  // What ingestion does with it: most events need no round trip.
  EXPECT_FALSE(schema->Check({"A", kT0, {{kProps, "x", kString}}}).has_new);
  SchemaCheck conflict = schema->Check({"A", kT0, {{kProps, "t", kNumber}}});
  EXPECT_EQ(conflict.conflicts, (std::vector<SchemaConflict>{{kProps, "t", kTimestamp, kNumber}}));
  EXPECT_EQ(Register("w1", {"A", kT0, {{kProps, "t", kNumber}}}), conflict.conflicts);
}

TEST_F(SqliteSchemaRegistryTest, WorkspacesAreIsolated) {
  ASSERT_TRUE(Register("w1", {"A", kT0, {{kProps, "plan", kString}}}).empty());
  EXPECT_TRUE(Register("w2", {"B", kT0, {{kProps, "plan", kNumber}}}).empty());

  EXPECT_EQ(List("w1"),
            (std::vector<SchemaEvent>{{"A", kT0, kT0, {{kProps, "plan", kString, kT0, kT0}}}}));
  EXPECT_EQ(List("w2"),
            (std::vector<SchemaEvent>{{"B", kT0, kT0, {{kProps, "plan", kNumber, kT0, kT0}}}}));
  EXPECT_EQ(store_->LoadSchema("w2")->properties.at({kProps, "plan"}), kNumber);
}

TEST_F(SqliteSchemaRegistryTest, RefusesEmptyNamesAndUnknownWorkspaces) {
  Status no_event = store_->RegisterSchema("w1", {"", kT0, {}}).status();
  EXPECT_EQ(no_event.code(), ErrorCode::kBadRequest);
  EXPECT_EQ(no_event.field(), "event");
  Status no_name =
      store_->RegisterSchema("w1", {"A", kT0, {{kProps, "x", kString}, {kProps, "", kString}}})
          .status();
  EXPECT_EQ(no_name.code(), ErrorCode::kBadRequest);
  EXPECT_EQ(no_name.field(), "properties[1].name");
  EXPECT_TRUE(List("w1").empty());

  for (const auto& observation :
       {SchemaObservation{"A", kT0, {}}, SchemaObservation{"A", kT0, {{kProps, "x", kString}}}}) {
    Status missing = store_->RegisterSchema("nope", observation).status();
    EXPECT_EQ(missing.code(), ErrorCode::kNotFound) << missing.ToString();
    EXPECT_EQ(missing.message(), "workspace nope not found");
  }
  EXPECT_EQ(store_->LoadSchema("nope").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->ListSchema("nope").status().code(), ErrorCode::kNotFound);
  auto empty = store_->LoadSchema("w1");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, WorkspaceSchema{});
}

TEST_F(SqliteSchemaRegistryTest, ChangePropertyTypeAcceptsTheNewTypeAndRefusesTheOld) {
  ASSERT_TRUE(Register("w1", {"A", kT0, {{kProps, "plan", kString}}}).empty());
  ASSERT_TRUE(Register("w1", {"B", kT0 + 1s, {{kProps, "plan", kString}}}).empty());
  ASSERT_FALSE(Register("w1", {"A", kT0 + 2s, {{kProps, "plan", kNumber}}}).empty());
  auto cached = store_->LoadSchema("w1");
  ASSERT_TRUE(cached.ok());

  auto previous = store_->ChangePropertyType("w1", kProps, "plan", kNumber);
  ASSERT_TRUE(previous.ok()) << previous.status().ToString();
  EXPECT_EQ(*previous, kString);

  EXPECT_TRUE(Register("w1", {"A", kT0 + 3s, {{kProps, "plan", kNumber}}}).empty());
  EXPECT_EQ(Register("w1", {"B", kT0 + 4s, {{kProps, "plan", kString}}}),
            (std::vector<SchemaConflict>{{kProps, "plan", kNumber, kString}}));
  // The links and their times are kept, under the new type.
  const std::vector<SchemaEvent> expected = {
      {"A", kT0, kT0 + 3s, {{kProps, "plan", kNumber, kT0, kT0 + 3s}}},
      {"B", kT0 + 1s, kT0 + 1s, {{kProps, "plan", kNumber, kT0 + 1s, kT0 + 1s}}},
  };
  EXPECT_EQ(List("w1"), expected);
  // A schema loaded before the fix is stale: it must be reloaded.
  EXPECT_FALSE(cached->Check({"A", kT0, {{kProps, "plan", kNumber}}}).conflicts.empty());
  EXPECT_EQ(*store_->LoadSchema("w1"), ToWorkspaceSchema(expected));
}

TEST_F(SqliteSchemaRegistryTest, ChangingToTheSameTypeChangesNothing) {
  ASSERT_TRUE(Register("w1", {"A", kT0, {{kProps, "plan", kString}}}).empty());
  const std::vector<SchemaEvent> before = List("w1");
  auto previous = store_->ChangePropertyType("w1", kProps, "plan", kString);
  ASSERT_TRUE(previous.ok()) << previous.status().ToString();
  EXPECT_EQ(*previous, kString);
  EXPECT_EQ(List("w1"), before);
}

TEST_F(SqliteSchemaRegistryTest, DeletePropertyForgetsItsTypeAndLinksButKeepsTheEvents) {
  ASSERT_TRUE(
      Register("w1", {"A", kT0, {{kProps, "plan", kString}, {kProps, "x", kNumber}}}).empty());
  ASSERT_TRUE(Register("w1", {"B", kT0 + 1s, {{kProps, "plan", kString}}}).empty());

  Status deleted = store_->DeleteProperty("w1", kProps, "plan");
  ASSERT_TRUE(deleted.ok()) << deleted.ToString();
  std::vector<SchemaEvent> expected = {
      {"A", kT0, kT0, {{kProps, "x", kNumber, kT0, kT0}}},
      {"B", kT0 + 1s, kT0 + 1s, {}},
  };
  EXPECT_EQ(List("w1"), expected);
  EXPECT_EQ(*store_->LoadSchema("w1"), ToWorkspaceSchema(expected));
  EXPECT_EQ(store_->DeleteProperty("w1", kProps, "plan").code(), ErrorCode::kNotFound);

  // The next event carrying it registers its type afresh.
  EXPECT_TRUE(Register("w1", {"B", kT0 + 2s, {{kProps, "plan", kNumber}}}).empty());
  expected[1] = {"B", kT0 + 1s, kT0 + 2s, {{kProps, "plan", kNumber, kT0 + 2s, kT0 + 2s}}};
  EXPECT_EQ(List("w1"), expected);
  EXPECT_EQ(Register("w1", {"A", kT0 + 3s, {{kProps, "plan", kString}}}),
            (std::vector<SchemaConflict>{{kProps, "plan", kNumber, kString}}));
}

TEST_F(SqliteSchemaRegistryTest, SchemaFixesNameWhatIsNotFound) {
  ASSERT_TRUE(Register("w1", {"A", kT0, {{kProps, "plan", kString}}}).empty());
  ASSERT_TRUE(Register("w2", {"A", kT0, {{kProps, "seats", kNumber}}}).empty());
  const std::vector<SchemaEvent> before = List("w1");

  // Unknown, in another section, or only in another workspace.
  for (const auto& [section, name] : std::vector<std::pair<SchemaSection, std::string>>{
           {kProps, "nope"}, {kTraits, "plan"}, {kProps, "seats"}}) {
    Status changed = store_->ChangePropertyType("w1", section, name, kNumber).status();
    EXPECT_EQ(changed.code(), ErrorCode::kNotFound) << name;
    EXPECT_EQ(changed.field(), "name") << name;
    Status deleted = store_->DeleteProperty("w1", section, name);
    EXPECT_EQ(deleted.code(), ErrorCode::kNotFound) << name;
    EXPECT_EQ(deleted.field(), "name") << name;
  }
  EXPECT_EQ(store_->DeleteProperty("w1", kTraits, "plan").message(),
            "property 'plan' not found in the traits of workspace w1");

  // An unknown workspace is reported as such, not as an unknown name.
  Status changed = store_->ChangePropertyType("nope", kProps, "plan", kNumber).status();
  EXPECT_EQ(changed.code(), ErrorCode::kNotFound);
  EXPECT_EQ(changed.message(), "workspace nope not found");
  EXPECT_EQ(changed.field(), "");
  Status deleted = store_->DeleteProperty("nope", kProps, "plan");
  EXPECT_EQ(deleted.code(), ErrorCode::kNotFound);
  EXPECT_EQ(deleted.message(), "workspace nope not found");
  EXPECT_EQ(deleted.field(), "");

  EXPECT_EQ(List("w1"), before);
}

TEST_F(SqliteSchemaRegistryTest, SchemaFixesTouchOnlyTheirWorkspaceAndSection) {
  for (const std::string workspace_id : {"w1", "w2"}) {
    ASSERT_TRUE(Register(workspace_id, {"identify",
                                        kT0,
                                        {{kProps, "plan", kString},
                                         {kTraits, "plan", kString},
                                         {kContext, "plan", kString}}})
                    .empty());
  }
  const std::vector<SchemaEvent> w2 = List("w2");

  ASSERT_TRUE(store_->ChangePropertyType("w1", kProps, "plan", kNumber).ok());
  ASSERT_TRUE(store_->DeleteProperty("w1", kTraits, "plan").ok());

  EXPECT_EQ(List("w1"), (std::vector<SchemaEvent>{{"identify",
                                                   kT0,
                                                   kT0,
                                                   {{kProps, "plan", kNumber, kT0, kT0},
                                                    {kContext, "plan", kString, kT0, kT0}}}}));
  EXPECT_EQ(List("w2"), w2);
  EXPECT_EQ(Register("w2", {"identify", kT0, {{kProps, "plan", kNumber}}}),
            (std::vector<SchemaConflict>{{kProps, "plan", kString, kNumber}}));
}

// Eight threads, each with its own connection as separate processes would
// have, race to register the same new property, half as a string and half as
// a number. Every round exactly one type wins; every observation either
// registered that type or got a conflict naming it.
TEST_F(SqliteSchemaRegistryTest, ConcurrentFirstObservationsRegisterExactlyOneType) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 20;
  std::vector<std::unique_ptr<SqliteMetaStore>> stores;
  for (int t = 0; t < kThreads; ++t) {
    stores.push_back(testing::OpenMigratedSqliteMetaStore(path_));
    ASSERT_NE(stores.back(), nullptr);
  }
  // results[round][thread]
  std::vector<std::vector<Result<std::vector<SchemaConflict>>>> results(kRounds);
  for (auto& round : results) {
    round.assign(kThreads, Status::Internal("not run"));
  }
  std::barrier start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const PropertyType type = t % 2 == 0 ? kString : kNumber;
      for (int round = 0; round < kRounds; ++round) {
        start.arrive_and_wait();
        const SchemaObservation observation{
            "E" + std::to_string(t % 3),
            kT0 + std::chrono::seconds(round),
            {{kProps, "common", kBoolean}, {kProps, "p" + std::to_string(round), type}}};
        results[round][t] = stores[t]->RegisterSchema("w1", observation);
      }
    });
  }
  for (auto& thread : threads) thread.join();

  auto schema = store_->LoadSchema("w1");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  for (int round = 0; round < kRounds; ++round) {
    const std::string name = "p" + std::to_string(round);
    auto registered = schema->properties.find(SchemaPropertyKey{kProps, name});
    ASSERT_NE(registered, schema->properties.end()) << name;
    const PropertyType winner = registered->second;
    int accepted = 0;
    for (int t = 0; t < kThreads; ++t) {
      const auto& result = results[round][t];
      ASSERT_TRUE(result.ok()) << result.status().ToString();
      const PropertyType seen = t % 2 == 0 ? kString : kNumber;
      if (result->empty()) {
        EXPECT_EQ(seen, winner) << name << " thread " << t;
        ++accepted;
        // An accepted observation linked its event to the property.
        EXPECT_TRUE(schema->events.at("E" + std::to_string(t % 3))
                        .contains(SchemaPropertyKey{kProps, name}));
      } else {
        EXPECT_EQ(*result, (std::vector<SchemaConflict>{{kProps, name, winner, seen}}))
            << name << " thread " << t;
      }
    }
    EXPECT_EQ(accepted, kThreads / 2) << name;  // exactly the threads of the winning type
  }
  EXPECT_EQ(schema->properties.size(), size_t{kRounds} + 1);  // + "common"
}

}  // namespace
}  // namespace cdp
