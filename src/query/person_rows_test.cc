#include "query/person_rows.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <random>

namespace cdp::query {
namespace {

TEST(PersonRowsTest, GivesEachPersonItsRowsInOrderOnce) {
  std::mt19937_64 random(3);
  using Rows = PersonRows<uint32_t>;
  Rows rows(3, 4);
  std::map<PersonKey, std::vector<std::pair<int64_t, uint32_t>>> expected;
  for (int i = 0; i < 20'000; ++i) {
    // Few persons (keys spread over the whole range) and few distinct times,
    // so that ties are common.
    const PersonKey person = random() % 300 * 0x9E3779B97F4A7C15ull + 1;
    const int64_t micros = int64_t(random() % 50);
    const uint32_t payload = random() % 4;
    rows.Add(i % 3, person, micros, payload);
    expected[person].emplace_back(micros, payload);
  }
  for (auto& [person, list] : expected) std::sort(list.begin(), list.end());
  std::mutex mutex;
  std::map<PersonKey, std::vector<std::pair<int64_t, uint32_t>>> actual;
  std::atomic<int> bad_threads{0};
  rows.ForEachPerson(2, [&](int thread, std::span<const Rows::Row> person_rows) {
    if (thread < 0 || thread >= 2) ++bad_threads;
    std::lock_guard lock(mutex);
    auto& list = actual[person_rows.front().person];
    EXPECT_TRUE(list.empty()) << "a person visited twice";
    for (const Rows::Row& row : person_rows) {
      EXPECT_EQ(row.person, person_rows.front().person);
      list.emplace_back(row.micros, row.payload);
    }
  });
  EXPECT_EQ(actual, expected);
  EXPECT_EQ(bad_threads, 0);
}

TEST(ParallelForTest, RunsEveryIndexOnce) {
  std::vector<std::atomic<int>> runs(1000);
  ParallelFor(3, runs.size(), [&](int, size_t i) { ++runs[i]; });
  for (const auto& count : runs) EXPECT_EQ(count, 1);
}

}  // namespace
}  // namespace cdp::query
