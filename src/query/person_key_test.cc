#include "query/person_key.h"

#include <gtest/gtest.h>

#include <mutex>
#include <random>
#include <set>

#include "query/testing/random_persons.h"
#include "query/testing/static_person_directory.h"
#include "query/testing/test_event_store.h"
#include "store/testing/random_events.h"

namespace cdp::query {
namespace {

Event WithIds(std::string anonymous_id, std::string user_id) {
  Event event;
  event.anonymous_id = std::move(anonymous_id);
  event.user_id = std::move(user_id);
  return event;
}

TEST(PersonKeyTest, AnEventsPersonIsTheOneOfItsUserIdElseOfItsAnonymousId) {
  const PersonMap nobody_merged;
  EXPECT_EQ(PersonOf(WithIds("a1", "u1"), nobody_merged), PersonKeyOf("u1"));
  EXPECT_EQ(PersonOf(WithIds("a1", ""), nobody_merged), PersonKeyOf("a1"));
  EXPECT_EQ(PersonOf(WithIds("", "u1"), nobody_merged), PersonKeyOf("u1"));
  EXPECT_EQ(PersonOf(WithIds("", ""), nobody_merged), 0u);
  EXPECT_NE(PersonKeyOf("a1"), PersonKeyOf("u1"));

  // a1 and a2 merged into u1's person; u2 is a person of its own.
  const testing::StaticPersonDirectory directory(
      testing::StaticPersonDirectory::Persons{{"u1", {"a1", "a2"}}});
  const PersonMap& persons = *directory.Snapshot("ws_test");
  EXPECT_EQ(PersonOf(WithIds("a1", ""), persons), PersonKeyOf("u1"));
  EXPECT_EQ(PersonOf(WithIds("a2", ""), persons), PersonKeyOf("u1"));
  EXPECT_EQ(PersonOf(WithIds("", "u1"), persons), PersonKeyOf("u1"));
  // The user id decides, even when the anonymous id is someone else's.
  EXPECT_EQ(PersonOf(WithIds("a1", "u2"), persons), PersonKeyOf("u2"));
  EXPECT_EQ(PersonOf(WithIds("a3", ""), persons), PersonKeyOf("a3"));
  EXPECT_EQ(PersonOf(WithIds("", ""), persons), 0u);
}

// The keys the reader finds in stored batches are PersonOf of the events,
// with nobody merged and with random merges; rows of one block that share
// an id, and blocks whose parts lack a column, included.
TEST(PersonKeyTest, TheReaderAgreesWithPersonOf) {
  std::mt19937_64 random(7);
  const std::vector<Event> events = cdp::testing::RandomEvents(random, 3000);
  testing::TestEventStore fixture(events);
  const testing::StaticPersonDirectory merged = testing::RandomPersonDirectory(random, events);
  const PersonMap nobody_merged;
  for (const PersonMap* persons : {&nobody_merged, merged.Snapshot("ws_a").get()}) {
    std::multiset<std::pair<std::string, PersonKey>> expected;
    for (const Event& event : events) {
      if (event.workspace_id == "ws_a")
        expected.emplace(event.message_id, PersonOf(event, *persons));
    }
    ScanRequest request{.workspace_id = "ws_a",
                        .from = FromUnixMicros(0),
                        .to = FromUnixMicros(int64_t{4} << 50),
                        .columns = {"message_id", "anonymous_id", "user_id"},
                        .predicates = {}};
    std::vector<PersonKeyReader> readers(2, PersonKeyReader(*persons));
    std::mutex mutex;
    std::multiset<std::pair<std::string, PersonKey>> actual;
    ASSERT_TRUE(fixture.store()
                    .Scan(request, 2,
                          [&](int worker, const ScanBatch& batch) {
                            std::vector<PersonKey> keys;
                            readers[worker].Read(batch, 1, 2, keys);
                            const auto& ids = std::get<StringColumn>(batch.columns[0]);
                            std::lock_guard lock(mutex);
                            for (size_t i = 0; i < batch.selection.size(); ++i) {
                              actual.emplace(
                                  std::string(ids.dictionary[ids.codes[batch.selection[i]]]),
                                  keys[i]);
                            }
                            return Status::Ok();
                          })
                    .ok());
    EXPECT_EQ(actual, expected);
    EXPECT_FALSE(expected.empty());
  }
  EXPECT_GT(merged.Snapshot("ws_a")->merged_ids(), 10u);
}

}  // namespace
}  // namespace cdp::query
