#include "meta/schema_registry.h"

#include <gtest/gtest.h>

#include <chrono>

namespace cdp {
namespace {

using namespace std::chrono_literals;

constexpr SchemaSection kProps = SchemaSection::kProperties;
constexpr SchemaSection kTraits = SchemaSection::kTraits;
constexpr SchemaSection kContext = SchemaSection::kContext;
constexpr PropertyType kString = PropertyType::kString;
constexpr PropertyType kNumber = PropertyType::kNumber;

TEST(SchemaRegistryTest, NamesRoundTrip) {
  for (SchemaSection section : {kProps, kTraits, kContext}) {
    EXPECT_EQ(ParseSchemaSection(SchemaSectionName(section)), section);
  }
  EXPECT_EQ(SchemaSectionName(kContext), "context");
  EXPECT_EQ(ParseSchemaSection("Properties"), std::nullopt);

  for (PropertyType type : {kString, kNumber, PropertyType::kBoolean, PropertyType::kTimestamp}) {
    EXPECT_EQ(ParsePropertyType(PropertyTypeName(type)), type);
  }
  EXPECT_EQ(PropertyTypeName(PropertyType::kTimestamp), "timestamp");
  EXPECT_EQ(ParsePropertyType("integer"), std::nullopt);
}

TEST(SchemaRegistryTest, KeysOrderBySectionThenName) {
  EXPECT_LT((SchemaPropertyKey{kProps, "z"}), (SchemaPropertyKey{kTraits, "a"}));
  EXPECT_LT((SchemaPropertyKey{kTraits, "z"}), (SchemaPropertyKey{kContext, "a"}));
  EXPECT_LT((SchemaPropertyKey{kProps, "a"}), (SchemaPropertyKey{kProps, "b"}));
  const SchemaPropertyKeyLess less;
  EXPECT_TRUE(less(ObservedProperty{kProps, "a", kNumber}, SchemaPropertyKey{kProps, "b"}));
  EXPECT_FALSE(less(SchemaPropertyKey{kProps, "b"}, ObservedProperty{kProps, "a", kNumber}));
}

TEST(SchemaRegistryTest, ChecksObservationsAgainstAKnownSchema) {
  WorkspaceSchema schema;
  schema.Add({"Signed Up", {}, {{kProps, "plan", kString}, {kContext, "ip", kString}}});

  SchemaCheck known = schema.Check({"Signed Up", {}, {{kProps, "plan", kString}}});
  EXPECT_TRUE(known.conflicts.empty());
  EXPECT_FALSE(known.has_new);

  // A known property carried by another event is a new link.
  SchemaCheck new_link = schema.Check({"Upgraded", {}, {{kProps, "plan", kString}}});
  EXPECT_TRUE(new_link.conflicts.empty());
  EXPECT_TRUE(new_link.has_new);
  SchemaCheck new_event = schema.Check({"Upgraded", {}, {}});
  EXPECT_TRUE(new_event.has_new);
  SchemaCheck linked_elsewhere = schema.Check({"Signed Up", {}, {{kContext, "ip", kString}}});
  EXPECT_FALSE(linked_elsewhere.has_new);

  // Sections are separate: a "plan" trait is another property.
  SchemaCheck trait = schema.Check({"identify", {}, {{kTraits, "plan", kNumber}}});
  EXPECT_TRUE(trait.conflicts.empty());
  EXPECT_TRUE(trait.has_new);

  SchemaCheck conflict =
      schema.Check({"Signed Up", {}, {{kProps, "seats", kNumber}, {kProps, "plan", kNumber}}});
  EXPECT_EQ(conflict.conflicts, (std::vector<SchemaConflict>{{kProps, "plan", kString, kNumber}}));
  EXPECT_TRUE(conflict.has_new);  // seats
}

TEST(SchemaRegistryTest, AddKeepsTheFirstTypeAndBuildsTheSameSchemaAsTheListing) {
  WorkspaceSchema schema;
  schema.Add({"A", {}, {{kProps, "x", kString}}});
  schema.Add({"B", {}, {{kProps, "x", kString}, {kTraits, "x", kNumber}}});
  schema.Add({"C", {}, {}});

  const TimePoint t = std::chrono::sys_days{std::chrono::year{2026} / 1 / 1};
  const std::vector<SchemaEvent> listing = {
      {"A", t, t, {{kProps, "x", kString, t, t}}},
      {"B", t, t, {{kProps, "x", kString, t, t}, {kTraits, "x", kNumber, t, t}}},
      {"C", t, t, {}},
  };
  EXPECT_EQ(ToWorkspaceSchema(listing), schema);
  EXPECT_EQ(schema.properties.size(), 2u);
  EXPECT_EQ(schema.events.size(), 3u);
  EXPECT_TRUE(schema.events.at("C").empty());
}

}  // namespace
}  // namespace cdp
