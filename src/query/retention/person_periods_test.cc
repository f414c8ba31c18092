#include "query/retention/person_periods.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <random>
#include <set>

namespace cdp::query {
namespace {

std::set<int> Members(const PeriodSet& set) {
  std::set<int> members;
  set.ForEach([&](int period) { members.insert(period); });
  return members;
}

TEST(PeriodSetTest, HoldsPeriodsInBothWords) {
  PeriodSet set;
  EXPECT_TRUE(set.empty());
  EXPECT_EQ(set.Lowest(), -1);
  EXPECT_EQ(set.Highest(), -1);
  for (const int period : {3, 63, 64, 99, 127}) set.Add(period);
  EXPECT_EQ(Members(set), (std::set<int>{3, 63, 64, 99, 127}));
  EXPECT_TRUE(set.Has(64));
  EXPECT_FALSE(set.Has(65));
  EXPECT_EQ(set.Lowest(), 3);
  EXPECT_EQ(set.Highest(), 127);
  PeriodSet below = set;
  below.KeepBelow(100);
  EXPECT_EQ(Members(below), (std::set<int>{3, 63, 64, 99}));
  below.KeepBelow(64);
  EXPECT_EQ(Members(below), (std::set<int>{3, 63}));
  EXPECT_EQ(below.Highest(), 63);
  below.KeepBelow(0);
  EXPECT_TRUE(below.empty());
  PeriodSet high;
  high.Add(70);
  EXPECT_EQ(high.Lowest(), 70);
  EXPECT_EQ(high.Highest(), 70);
}

// Every person comes once, with the union of their rows' periods, whichever
// worker added them; keys spread over every partition and share low bits.
TEST(PersonPeriodsTest, FoldsEachPersonsRowsIntoTwoSets) {
  std::mt19937_64 random(11);
  PersonPeriods periods(3);
  std::map<PersonKey, std::pair<std::set<int>, std::set<int>>> expected;
  for (int i = 0; i < 50'000; ++i) {
    // Keys that differ only in their top bits land in different partitions
    // with the same packed bits: the partition must keep them apart.
    const PersonKey person = (random() % 3000) * 0x9E3779B97F4A7C15ull + ((random() % 2) << 63) + 1;
    const int period = static_cast<int>(random() % 101);
    const bool start = random() % 2 == 0;
    const bool returned = !start || random() % 3 == 0;
    periods.Add(i % 3, person, PersonPeriods::Row(person, period, start, returned));
    auto& sets = expected[person];
    if (start) sets.first.insert(period);
    if (returned) sets.second.insert(period);
  }
  periods.Add(0, 42, PersonPeriods::Row(42, PersonPeriods::kMaxPeriod, true, false));
  expected[42].first.insert(PersonPeriods::kMaxPeriod);

  std::mutex mutex;
  std::multiset<std::pair<std::set<int>, std::set<int>>> actual;
  periods.ForEachPerson(2, [&](int thread, std::span<const PersonActivity> persons) {
    EXPECT_TRUE(thread == 0 || thread == 1);
    std::lock_guard lock(mutex);
    for (const PersonActivity& person : persons) {
      actual.emplace(Members(person.start), Members(person.returned));
    }
  });
  std::multiset<std::pair<std::set<int>, std::set<int>>> wanted;
  for (const auto& [person, sets] : expected) wanted.insert(sets);
  EXPECT_EQ(actual, wanted);
}

}  // namespace
}  // namespace cdp::query
