#include "ingest/fingerprint_table.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>
#include <vector>

namespace cdp::ingest {
namespace {

using Fingerprint = FingerprintTable::Fingerprint;

// A fingerprint whose home slot in a table of 16 slots (the smallest) is
// `home`; `id` tells apart fingerprints with the same home.
Fingerprint AtHome(uint64_t home, uint64_t id) { return {home + (id << 8), id + 1}; }

// Every fingerprint of `expected` is found with its stamp, and nothing else
// is in the table.
void ExpectHolds(const FingerprintTable& table,
                 const std::vector<std::pair<Fingerprint, int64_t>>& expected) {
  EXPECT_EQ(table.size(), expected.size());
  for (const auto& [fingerprint, stamp] : expected) {
    const int64_t* found = table.Find(fingerprint);
    ASSERT_NE(found, nullptr) << fingerprint[0];
    EXPECT_EQ(*found, stamp) << fingerprint[0];
  }
}

TEST(FingerprintTableTest, FindsWhatItInserted) {
  FingerprintTable table;
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.capacity(), 16u);
  EXPECT_EQ(table.Find({1, 2}), nullptr);
  EXPECT_FALSE(table.Erase({1, 2}));

  FingerprintTable::Insertion first = table.FindOrInsert({1, 2}, 100);
  EXPECT_TRUE(first.inserted);
  EXPECT_EQ(*first.stamp, 100);
  *first.stamp = 150;
  const FingerprintTable::Insertion again = table.FindOrInsert({1, 2}, 200);
  EXPECT_FALSE(again.inserted);
  EXPECT_EQ(*again.stamp, 150);
  EXPECT_EQ(table.size(), 1u);
  // Only the low word picks the slot; the high word still tells them apart.
  EXPECT_TRUE(table.FindOrInsert({1, 3}, 300).inserted);
  EXPECT_EQ(*table.Find({1, 2}), 150);
  EXPECT_EQ(*table.Find({1, 3}), 300);
  EXPECT_TRUE(table.Erase({1, 2}));
  EXPECT_EQ(table.Find({1, 2}), nullptr);
  EXPECT_EQ(*table.Find({1, 3}), 300);
}

TEST(FingerprintTableTest, GrowsByDoublingAndKeepsEveryEntry) {
  FingerprintTable table;
  std::mt19937_64 random(1);
  std::vector<std::pair<Fingerprint, int64_t>> inserted;
  size_t capacity = table.capacity();
  for (int i = 0; i < 190'000; ++i) {
    const Fingerprint fingerprint = {random(), random()};
    ASSERT_TRUE(table.FindOrInsert(fingerprint, i).inserted);
    inserted.emplace_back(fingerprint, i);
    if (table.capacity() != capacity) {
      EXPECT_EQ(table.capacity(), capacity * 2) << "after " << table.size();
      capacity = table.capacity();
    }
    ASSERT_LE(table.size() * 4, table.capacity() * 3);
  }
  EXPECT_EQ(table.capacity(), 1u << 18);  // 190 k entries: 3/4 of 256 k slots is enough
  EXPECT_EQ(table.memory_bytes(), table.capacity() * 24);
  ExpectHolds(table, inserted);
}

TEST(FingerprintTableTest, ReleaseInTheMiddleOfAProbeChainKeepsTheRestReachable) {
  FingerprintTable table;
  // Slots 3..9: homes 3, 3, 4, 3, 5, 4, 9. Erasing slot 4 (home 3) moves the
  // home-4 entry of slot 5 into it, then the home-3 entry of slot 6 into
  // slot 5, then the home-5 and home-4 entries back by one; the home-9 entry
  // stays where it is.
  const std::vector<Fingerprint> chain = {AtHome(3, 1), AtHome(3, 2), AtHome(4, 3), AtHome(3, 4),
                                          AtHome(5, 5), AtHome(4, 6), AtHome(9, 7)};
  std::vector<std::pair<Fingerprint, int64_t>> expected;
  for (size_t i = 0; i < chain.size(); ++i) {
    ASSERT_TRUE(table.FindOrInsert(chain[i], static_cast<int64_t>(i)).inserted);
    expected.emplace_back(chain[i], static_cast<int64_t>(i));
  }
  ASSERT_EQ(table.capacity(), 16u);

  EXPECT_TRUE(table.Erase(chain[1]));
  expected.erase(expected.begin() + 1);
  ExpectHolds(table, expected);
  EXPECT_FALSE(table.Erase(chain[1]));

  // The slots freed at the end of the chain are used again.
  EXPECT_TRUE(table.FindOrInsert(AtHome(3, 8), 8).inserted);
  expected.emplace_back(AtHome(3, 8), 8);
  EXPECT_TRUE(table.Erase(chain[0]));  // the head of the chain
  expected.erase(expected.begin());
  ExpectHolds(table, expected);
}

TEST(FingerprintTableTest, ChainsThatWrapAroundTheEndSurviveEraseAndExpire) {
  FingerprintTable table;
  // Homes 14 and 15 of 16 slots: the chain runs 14, 15, 0, 1, 2, 3, with an
  // entry at home 0 and one at home 2 mixed in.
  const std::vector<std::pair<Fingerprint, int64_t>> entries = {
      {AtHome(14, 1), 10}, {AtHome(15, 2), 20}, {AtHome(14, 3), 30}, {AtHome(0, 4), 40},
      {AtHome(15, 5), 50}, {AtHome(2, 6), 60},  {AtHome(14, 7), 70}};
  for (const auto& [fingerprint, stamp] : entries) {
    ASSERT_TRUE(table.FindOrInsert(fingerprint, stamp).inserted);
  }
  ASSERT_EQ(table.capacity(), 16u);
  ExpectHolds(table, entries);

  // Release at the end of the array pulls entries back across the wrap.
  std::vector<std::pair<Fingerprint, int64_t>> expected = entries;
  EXPECT_TRUE(table.Erase(AtHome(15, 2)));
  expected.erase(expected.begin() + 1);
  ExpectHolds(table, expected);

  // Expire walks slot 0 before slot 14: entries in the wrapped part are
  // looked at first, then may be moved back to the end of the array.
  EXPECT_EQ(table.EraseStampsUpTo(30), 2u);  // stamps 10 and 30, both at home 14
  expected = {{AtHome(0, 4), 40}, {AtHome(15, 5), 50}, {AtHome(2, 6), 60}, {AtHome(14, 7), 70}};
  ExpectHolds(table, expected);
  EXPECT_EQ(table.EraseStampsUpTo(50), 2u);
  expected = {{AtHome(2, 6), 60}, {AtHome(14, 7), 70}};
  ExpectHolds(table, expected);
  EXPECT_EQ(table.EraseStampsUpTo(1000), 2u);
  ExpectHolds(table, {});
}

TEST(FingerprintTableTest, ExpireShrinksATableLeftSparse) {
  FingerprintTable table;
  std::mt19937_64 random(2);
  std::vector<std::pair<Fingerprint, int64_t>> kept;
  for (int i = 0; i < 100'000; ++i) {
    const Fingerprint fingerprint = {random(), random()};
    const int64_t stamp = i % 100 == 0 ? 2 : 1;
    table.FindOrInsert(fingerprint, stamp);
    if (stamp == 2) kept.emplace_back(fingerprint, stamp);
  }
  EXPECT_EQ(table.capacity(), 1u << 18);
  EXPECT_EQ(table.EraseStampsUpTo(1), 99'000u);
  EXPECT_EQ(table.capacity(), 4096u);  // the smallest at most 3/8 full with 1000 entries
  ExpectHolds(table, kept);
  EXPECT_EQ(table.EraseStampsUpTo(2), 1000u);
  EXPECT_EQ(table.capacity(), 16u);
}

// Random inserts, erasures and expiries against std::unordered_map, with few
// home slots, at the end of the array, so that probe chains are long, mixed
// and wrap around; then with homes spread as real fingerprints spread them.
TEST(FingerprintTableTest, MatchesAReferenceMapUnderRandomOperations) {
  struct FingerprintHash {
    size_t operator()(const Fingerprint& f) const { return f[0] ^ (f[1] * 31); }
  };
  std::mt19937_64 random(3);
  for (const uint64_t homes : {uint64_t{4}, uint64_t{64}, uint64_t{1} << 40}) {
    FingerprintTable table;
    std::unordered_map<Fingerprint, int64_t, FingerprintHash> reference;
    const auto random_fingerprint = [&] {
      // A small pool of ids, so that operations often meet entries present.
      const uint64_t id = random() % 3000;
      return Fingerprint{~((id * 0x9E3779B97F4A7C15) % homes), id + 1};
    };
    int64_t now = 0;
    for (int step = 0; step < 200'000; ++step) {
      const uint64_t op = random() % 100;
      if (op < 60) {
        const Fingerprint fingerprint = random_fingerprint();
        const FingerprintTable::Insertion insertion = table.FindOrInsert(fingerprint, now);
        const auto [it, inserted] = reference.try_emplace(fingerprint, now);
        ASSERT_EQ(insertion.inserted, inserted) << step;
        ASSERT_EQ(*insertion.stamp, it->second) << step;
        if (random() % 2 == 0) *insertion.stamp = it->second = now + 1;
      } else if (op < 90) {
        const Fingerprint fingerprint = random_fingerprint();
        ASSERT_EQ(table.Erase(fingerprint), reference.erase(fingerprint) == 1) << step;
      } else if (op < 99) {
        const Fingerprint fingerprint = random_fingerprint();
        const int64_t* found = table.Find(fingerprint);
        const auto it = reference.find(fingerprint);
        ASSERT_EQ(found != nullptr, it != reference.end()) << step;
        if (found != nullptr) {
          ASSERT_EQ(*found, it->second) << step;
        }
      } else {
        const int64_t up_to = now - static_cast<int64_t>(random() % 500);
        const size_t erased =
            std::erase_if(reference, [up_to](const auto& entry) { return entry.second <= up_to; });
        ASSERT_EQ(table.EraseStampsUpTo(up_to), erased) << step;
      }
      ASSERT_EQ(table.size(), reference.size()) << step;
      ++now;
    }
    std::vector<std::pair<Fingerprint, int64_t>> expected(reference.begin(), reference.end());
    ExpectHolds(table, expected);
  }
}

}  // namespace
}  // namespace cdp::ingest
