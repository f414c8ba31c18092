#include "identity/identity_batch_builder.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <tuple>

#include "model/person_map.h"

namespace cdp::identity {
namespace {

Property MakeProperty(std::string name, std::variant<std::monostate, std::string, double, bool> v) {
  return Property{std::move(name), std::move(v), std::nullopt};
}

TEST(PropertyValueJsonTest, WritesEachKindOfValue) {
  EXPECT_EQ(PropertyValueJson(MakeProperty("a", std::monostate{})), "null");
  EXPECT_EQ(PropertyValueJson(MakeProperty("a", std::string("pro \"plan\""))),
            "\"pro \\\"plan\\\"\"");
  EXPECT_EQ(PropertyValueJson(MakeProperty("a", 3.0)), "3");
  EXPECT_EQ(PropertyValueJson(MakeProperty("a", 0.1)), "0.1");
  EXPECT_EQ(PropertyValueJson(MakeProperty("a", -2.5e300)), "-2.5e+300");
  EXPECT_EQ(PropertyValueJson(MakeProperty("a", true)), "true");
  EXPECT_EQ(PropertyValueJson(MakeProperty("a", false)), "false");
  Property timestamp = MakeProperty("a", std::string("2026-03-04T10:00:00Z"));
  timestamp.timestamp = FromUnixMicros(1772618400000000);
  EXPECT_EQ(PropertyValueJson(timestamp), "\"2026-03-04T10:00:00Z\"");
}

TEST(IdentityBatchBuilderTest, EventsWithoutAnIdAndGroupTraitsCountForNobody) {
  IdentityBatchBuilder builder;
  Event nobody;
  nobody.workspace_id = "ws";
  nobody.traits.push_back(MakeProperty("plan", std::string("pro")));
  builder.AddEvent(nobody);
  EXPECT_TRUE(builder.empty());

  Event group;
  group.workspace_id = "ws";
  group.type = EventType::kGroup;
  group.user_id = "u";
  group.group_id = "acme";
  group.timestamp = FromUnixMicros(5);
  group.traits.push_back(MakeProperty("employees", 40.0));
  builder.AddEvent(group);

  IdentityBatch batch;
  builder.Finish([](std::string_view, std::string_view id) { return "p_" + std::string(id); },
                 batch);
  ASSERT_EQ(batch.activity.size(), 1u);
  EXPECT_EQ(batch.activity[0].id, "u");
  EXPECT_EQ(batch.activity[0].person, "p_u");
  EXPECT_EQ(batch.activity[0].events, 1);
  EXPECT_TRUE(batch.activity[0].seen_as_user_id);
  EXPECT_TRUE(batch.traits.empty());
  EXPECT_TRUE(builder.empty());
}

// The builder's sums equal the events applied one at a time.
TEST(IdentityBatchBuilderTest, SumsEqualTheEventsOneByOne) {
  std::mt19937_64 random(7);
  const std::vector<std::string> ids = {"", "a", "b", "c", "d"};
  const std::vector<std::string> names = {"plan", "email", "age"};
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(random); };

  for (int round = 0; round < 50; ++round) {
    IdentityBatchBuilder builder;
    // (workspace, id) -> activity; (workspace, id, name, set_once) -> write.
    std::map<std::pair<std::string, std::string>, IdActivity> activity;
    std::map<std::tuple<std::string, std::string, std::string, bool>, TraitWrite> traits;
    std::map<std::tuple<std::string, std::string, std::string, bool>, int> kept_event;
    const int events = 1 + static_cast<int>(pick(60));
    for (int i = 0; i < events; ++i) {
      Event event;
      event.workspace_id = pick(2) == 0 ? "ws1" : "ws2";
      event.type = pick(4) == 0 ? EventType::kIdentify : EventType::kTrack;
      event.anonymous_id = ids[pick(ids.size())];
      event.user_id = ids[pick(ids.size())];
      // Few distinct timestamps, so that ties happen, also within one
      // millisecond.
      event.timestamp = FromUnixMicros(static_cast<int64_t>(pick(8)) * 700);
      for (size_t t = pick(3); t > 0; --t) {
        event.traits.push_back(MakeProperty(names[pick(names.size())], static_cast<double>(i)));
      }
      for (size_t t = pick(2); t > 0; --t) {
        event.traits_set_once.push_back(
            MakeProperty(names[pick(names.size())], static_cast<double>(i)));
      }
      builder.AddEvent(event);

      const std::string id(ResolutionIdOf(event.anonymous_id, event.user_id));
      if (id.empty()) continue;
      auto [row, inserted] = activity.try_emplace({event.workspace_id, id});
      if (inserted) row->second.first_seen = row->second.last_seen = event.timestamp;
      row->second.events += 1;
      row->second.first_seen = std::min(row->second.first_seen, event.timestamp);
      row->second.last_seen = std::max(row->second.last_seen, event.timestamp);
      row->second.seen_as_user_id |= !event.user_id.empty();
      for (const bool set_once : {false, true}) {
        for (const Property& trait : set_once ? event.traits_set_once : event.traits) {
          auto [write, fresh] = traits.try_emplace({event.workspace_id, id, trait.name, set_once});
          const int64_t at = UnixMillis(event.timestamp);
          const int64_t kept_at = UnixMillis(write->second.at);
          const bool wins = fresh || (set_once ? at < kept_at : at >= kept_at);
          if (wins) {
            write->second.value_json = PropertyValueJson(trait);
            write->second.at = event.timestamp;
            kept_event[{event.workspace_id, id, trait.name, set_once}] = i;
          }
        }
      }
    }

    IdentityBatch batch;
    builder.Finish(
        [](std::string_view workspace_id, std::string_view id) {
          return std::string(workspace_id) + "/" + std::string(id);
        },
        batch);
    ASSERT_EQ(batch.activity.size(), activity.size());
    for (const IdActivity& row : batch.activity) {
      const IdActivity& expected = activity.at({row.workspace_id, row.id});
      EXPECT_EQ(row.person, row.workspace_id + "/" + row.id);
      EXPECT_EQ(row.events, expected.events);
      EXPECT_EQ(row.first_seen, expected.first_seen);
      EXPECT_EQ(row.last_seen, expected.last_seen);
      EXPECT_EQ(row.seen_as_user_id, expected.seen_as_user_id);
    }
    ASSERT_EQ(batch.traits.size(), traits.size());
    int previous_event = -1;  // writes come in the order of the events they kept
    for (const TraitWrite& write : batch.traits) {
      const int event = kept_event.at({write.workspace_id, write.id, write.name, write.set_once});
      EXPECT_GE(event, previous_event);
      previous_event = event;
      const TraitWrite& expected =
          traits.at({write.workspace_id, write.id, write.name, write.set_once});
      EXPECT_EQ(write.person, write.workspace_id + "/" + write.id);
      EXPECT_EQ(write.value_json, expected.value_json) << write.name;
      EXPECT_EQ(write.at, expected.at);
    }
  }
}

}  // namespace
}  // namespace cdp::identity
