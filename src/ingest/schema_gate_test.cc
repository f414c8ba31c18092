#include "ingest/schema_gate.h"

#include <gtest/gtest.h>

#include <atomic>

#include "ingest/ingest_test_env.h"

namespace cdp::ingest {
namespace {

using namespace std::chrono_literals;

// The real registry, with its calls counted: the gate's point is to spare them.
class CountingRegistry final : public SchemaRegistry {
 public:
  explicit CountingRegistry(SchemaRegistry& inner) : inner_(inner) {}
  Result<std::vector<SchemaConflict>> RegisterSchema(
      std::string_view workspace_id, const SchemaObservation& observation) override {
    ++registers;
    return inner_.RegisterSchema(workspace_id, observation);
  }
  Result<WorkspaceSchema> LoadSchema(std::string_view workspace_id) override {
    ++loads;
    return inner_.LoadSchema(workspace_id);
  }
  Result<std::vector<SchemaEvent>> ListSchema(std::string_view workspace_id) override {
    return inner_.ListSchema(workspace_id);
  }
  Result<PropertyType> ChangePropertyType(std::string_view workspace_id,
                                                SchemaSection section, std::string_view name,
                                                PropertyType type) override {
    return inner_.ChangePropertyType(workspace_id, section, name, type);
  }
  Status DeleteProperty(std::string_view workspace_id, SchemaSection section,
                        std::string_view name) override {
    return inner_.DeleteProperty(workspace_id, section, name);
  }
  std::atomic<int> registers{0};
  std::atomic<int> loads{0};

 private:
  SchemaRegistry& inner_;
};

SchemaObservation Observation(std::string event, PropertyType plan_type) {
  return {std::move(event), testing::kTestNow, {{SchemaSection::kProperties, "plan", plan_type}}};
}

class SchemaGateTest : public ::testing::Test {
 protected:
  testing::IngestTestEnv env_;
  CountingRegistry registry_{*env_.store_};
  SchemaGate gate_{registry_, env_.clock_, 60s};
  const std::string& ws() { return env_.workspace_id(); }
};

TEST_F(SchemaGateTest, RegistersWhatIsNewAndAsksTheStoreNothingForWhatIsKnown) {
  auto first = gate_.Admit(ws(), Observation("Signed Up", PropertyType::kString));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->empty());
  EXPECT_EQ(registry_.loads, 1);
  EXPECT_EQ(registry_.registers, 1);
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(gate_.Admit(ws(), Observation("Signed Up", PropertyType::kString))->empty());
  }
  EXPECT_EQ(registry_.loads, 1);
  EXPECT_EQ(registry_.registers, 1);
  // A new event name is new even with known properties.
  ASSERT_TRUE(gate_.Admit(ws(), Observation("Upgraded", PropertyType::kString))->empty());
  EXPECT_EQ(registry_.registers, 2);
  auto listed = env_.store_->ListSchema(ws());
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 2u);
}

TEST_F(SchemaGateTest, AConflictIsReportedAndNotRegistered) {
  ASSERT_TRUE(gate_.Admit(ws(), Observation("Signed Up", PropertyType::kString))->empty());
  auto conflicts = gate_.Admit(ws(), Observation("Upgraded", PropertyType::kNumber));
  ASSERT_TRUE(conflicts.ok());
  ASSERT_EQ(conflicts->size(), 1u);
  EXPECT_EQ((*conflicts)[0],
            (SchemaConflict{SchemaSection::kProperties, "plan", PropertyType::kString,
                            PropertyType::kNumber}));
  EXPECT_EQ(ConflictField((*conflicts)[0]), "properties.plan");
  EXPECT_EQ(ConflictMessage((*conflicts)[0]),
            "properties.plan is a number, but the schema registered it as a string");
  auto listed = env_.store_->ListSchema(ws());
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);  // "Upgraded" was not registered
  EXPECT_EQ((*listed)[0].name, "Signed Up");
}

TEST_F(SchemaGateTest, AFixThroughThisProcessIsSeenAtOnce) {
  ASSERT_TRUE(gate_.Admit(ws(), Observation("E", PropertyType::kString))->empty());
  ASSERT_TRUE(env_.store_
                  ->ChangePropertyType(ws(), SchemaSection::kProperties, "plan",
                                       PropertyType::kNumber)
                  .ok());
  gate_.Invalidate(ws());
  EXPECT_TRUE(gate_.Admit(ws(), Observation("E", PropertyType::kNumber))->empty());
  EXPECT_EQ(gate_.Admit(ws(), Observation("E", PropertyType::kString))->size(), 1u);
}

TEST_F(SchemaGateTest, AFixElsewhereIsSeenWithinTheRefresh) {
  ASSERT_TRUE(gate_.Admit(ws(), Observation("E", PropertyType::kString))->empty());
  // Another process changes the type; this gate was not told.
  ASSERT_TRUE(env_.store_
                  ->ChangePropertyType(ws(), SchemaSection::kProperties, "plan",
                                       PropertyType::kNumber)
                  .ok());
  // The new type conflicts with the cache, so the store is asked, and accepts.
  const int registers = registry_.registers;
  EXPECT_TRUE(gate_.Admit(ws(), Observation("E", PropertyType::kNumber))->empty());
  EXPECT_EQ(registry_.registers, registers + 1);
  // That disagreement dropped the cache: the old type now conflicts.
  EXPECT_EQ(gate_.Admit(ws(), Observation("E", PropertyType::kString))->size(), 1u);
}

TEST_F(SchemaGateTest, AStaleCacheLastsAtMostOneRefresh) {
  ASSERT_TRUE(gate_.Admit(ws(), Observation("E", PropertyType::kString))->empty());
  ASSERT_TRUE(env_.store_
                  ->ChangePropertyType(ws(), SchemaSection::kProperties, "plan",
                                       PropertyType::kNumber)
                  .ok());
  // Until the refresh the cache lets the old type through without asking:
  // the documented bound on another process's fix.
  EXPECT_TRUE(gate_.Admit(ws(), Observation("E", PropertyType::kString))->empty());
  env_.clock_.Advance(61s);
  EXPECT_EQ(gate_.Admit(ws(), Observation("E", PropertyType::kString))->size(), 1u);
  EXPECT_EQ(registry_.loads, 2);
}

TEST_F(SchemaGateTest, KnownEventsAreReportedAgainEachRefreshToKeepLastSeen) {
  ASSERT_TRUE(gate_.Admit(ws(), Observation("E", PropertyType::kString))->empty());
  const int registers = registry_.registers;
  env_.clock_.Advance(30s);
  ASSERT_TRUE(gate_.Admit(ws(), Observation("E", PropertyType::kString))->empty());
  EXPECT_EQ(registry_.registers, registers);
  env_.clock_.Advance(31s);
  SchemaObservation later = Observation("E", PropertyType::kString);
  later.at = env_.clock_.Now();
  ASSERT_TRUE(gate_.Admit(ws(), later)->empty());
  EXPECT_EQ(registry_.registers, registers + 1);
  auto listed = env_.store_->ListSchema(ws());
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ((*listed)[0].last_seen, later.at);
}

TEST_F(SchemaGateTest, AnUnknownWorkspaceIsTheStoresError) {
  auto result = gate_.Admit("no-such-workspace", Observation("E", PropertyType::kString));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kNotFound);
}

TEST(ObservationOfTest, ListsNonNullPropertiesTraitsAndContextUnderTheEventsName) {
  Event event;
  event.type = EventType::kIdentify;
  event.received_at = testing::kTestNow;
  event.traits = {{"email", std::string("a@b.c"), {}}, {"age", 42.0, {}}, {"gone", {}, {}}};
  event.traits_set_once = {{"first_plan", std::string("free"), {}}};
  event.context = {{"ip", std::string("203.0.113.1"), {}}, {"is_bot", false, {}}};
  const SchemaObservation observation = ObservationOf(event);
  EXPECT_EQ(observation.event, "identify");
  EXPECT_EQ(observation.at, testing::kTestNow);
  EXPECT_EQ(observation.properties,
            (std::vector<ObservedProperty>{
                {SchemaSection::kTraits, "email", PropertyType::kString},
                {SchemaSection::kTraits, "age", PropertyType::kNumber},
                {SchemaSection::kTraits, "first_plan", PropertyType::kString},
                {SchemaSection::kContext, "ip", PropertyType::kString},
                {SchemaSection::kContext, "is_bot", PropertyType::kBoolean},
            }));
  event.type = EventType::kTrack;
  event.event = "Order Completed";
  EXPECT_EQ(ObservationOf(event).event, "Order Completed");
}

}  // namespace
}  // namespace cdp::ingest
