#include "query/person_key.h"

#include <gtest/gtest.h>

#include <random>

#include "query/testing/test_event_store.h"
#include "store/testing/random_events.h"

namespace cdp::query {
namespace {

TEST(PersonKeyTest, AnEventsPersonIsItsAnonymousIdElseItsUserId) {
  Event event;
  event.user_id = "u1";
  EXPECT_EQ(PersonIdOf(event), "u1");
  event.anonymous_id = "a1";
  EXPECT_EQ(PersonIdOf(event), "a1");
  EXPECT_EQ(PersonKeyOf(""), 0u);
  EXPECT_NE(PersonKeyOf("a1"), PersonKeyOf("u1"));
}

// Keys read from stored batches are the keys of the reference ids.
TEST(PersonKeyTest, TheReaderAgreesWithTheEventsIds) {
  std::mt19937_64 random(7);
  const std::vector<Event> events = cdp::testing::RandomEvents(random, 3000);
  testing::TestEventStore fixture(events);
  std::multiset<std::pair<std::string, PersonKey>> expected;
  for (const Event& event : events) {
    if (event.workspace_id == "ws_a")
      expected.emplace(event.message_id, PersonKeyOf(PersonIdOf(event)));
  }
  ScanRequest request{.workspace_id = "ws_a",
                      .from = FromUnixMicros(0),
                      .to = FromUnixMicros(int64_t{4} << 50),
                      .columns = {"message_id", "anonymous_id", "user_id"},
                      .predicates = {}};
  std::vector<PersonKeyReader> readers(2);
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

}  // namespace
}  // namespace cdp::query
