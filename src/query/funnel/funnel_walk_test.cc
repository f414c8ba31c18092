#include "query/funnel/funnel_walk.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "query/person_rows.h"

namespace cdp::query {
namespace {

using Row = PersonRows<CompactFunnelPayload>::Row;

// A row at `micros` matching `steps` (0-based).
Row At(int64_t micros, std::initializer_list<int> steps) {
  uint64_t mask = 0;
  for (const int step : steps) mask |= FunnelStepBit(step);
  return Row{1, micros, ~mask};
}

// Rows in the funnel's order, as PersonRows gives them.
std::vector<Row> Sorted(std::vector<Row> rows) {
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::tie(a.micros, a.payload) < std::tie(b.micros, b.payload);
  });
  return rows;
}

PersonFunnel WalkOf(const std::vector<Row>& rows, int steps, int64_t window, FunnelOrder order,
                    std::vector<std::pair<int, int>> exclusions = {}) {
  FunnelWalker walker(steps, window, order, std::move(exclusions));
  PersonFunnel person;
  walker.Walk(std::span<const Row>(rows), person);
  return person;
}

std::vector<int64_t> TimesOf(const std::vector<Row>& rows, const PersonFunnel& person) {
  std::vector<int64_t> times;
  for (int k = 0; k < person.level; ++k) times.push_back(rows[person.rows[k]].micros);
  return times;
}

TEST(FunnelWalkTest, SameTimeStepsGoInStepOrder) {
  // Stored as B then A at the same time: still A, then B.
  const std::vector<Row> rows = Sorted({At(5, {1}), At(5, {0}), At(9, {2})});
  EXPECT_EQ(rows[0].payload, ~FunnelStepBit(0));
  const PersonFunnel person = WalkOf(rows, 3, 10, FunnelOrder::kOrdered);
  EXPECT_EQ(person.level, 3);
  EXPECT_EQ(TimesOf(rows, person), (std::vector<int64_t>{5, 5, 9}));
}

TEST(FunnelWalkTest, TheWindowIncludesItsEnd) {
  EXPECT_EQ(WalkOf({At(0, {0}), At(10, {1})}, 2, 10, FunnelOrder::kOrdered).level, 2);
  EXPECT_EQ(WalkOf({At(0, {0}), At(11, {1})}, 2, 10, FunnelOrder::kOrdered).level, 1);
}

TEST(FunnelWalkTest, AnEventTakesOneStepOfAChain) {
  EXPECT_EQ(WalkOf({At(0, {0, 1})}, 2, 10, FunnelOrder::kOrdered).level, 1);
  EXPECT_EQ(WalkOf({At(0, {0, 1}), At(1, {0, 1})}, 2, 10, FunnelOrder::kOrdered).level, 2);
  EXPECT_EQ(WalkOf({At(0, {0, 1})}, 2, 10, FunnelOrder::kUnordered).level, 1);
  EXPECT_EQ(WalkOf({At(0, {0, 1}), At(1, {0})}, 2, 10, FunnelOrder::kUnordered).level, 2);
}

TEST(FunnelWalkTest, TheCountedChainIsTheEarliestLongest) {
  // Starts at 0 and 4; only the one at 4 reaches step 3 within the window.
  const std::vector<Row> rows =
      Sorted({At(0, {0}), At(2, {1}), At(4, {0}), At(5, {1}), At(13, {2}), At(14, {2})});
  const PersonFunnel person = WalkOf(rows, 3, 10, FunnelOrder::kOrdered);
  EXPECT_EQ(person.level, 3);
  EXPECT_EQ(TimesOf(rows, person), (std::vector<int64_t>{4, 5, 13}));
  // Among equal chains, the first start, with its earliest events.
  const std::vector<Row> two = Sorted({At(0, {0}), At(1, {0}), At(3, {1}), At(4, {1})});
  const PersonFunnel first = WalkOf(two, 2, 10, FunnelOrder::kOrdered);
  EXPECT_EQ(TimesOf(two, first), (std::vector<int64_t>{0, 3}));
}

TEST(FunnelWalkTest, StrictChainsAreRunsOfConsecutiveEvents) {
  const std::vector<Row> broken =
      Sorted({At(0, {0}), At(1, {}), At(2, {1}), At(3, {0}), At(4, {1})});
  const PersonFunnel person = WalkOf(broken, 2, 10, FunnelOrder::kStrict);
  EXPECT_EQ(person.level, 2);
  EXPECT_EQ(TimesOf(broken, person), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(WalkOf(Sorted({At(0, {0}), At(1, {}), At(2, {1})}), 2, 10, FunnelOrder::kStrict).level,
            1);
  // A same-time event of no step sorts after the steps: it breaks nothing.
  EXPECT_EQ(WalkOf(Sorted({At(0, {0}), At(0, {}), At(0, {1})}), 2, 10, FunnelOrder::kStrict).level,
            2);
}

TEST(FunnelWalkTest, UnorderedStepsComeInAnyOrder) {
  const std::vector<Row> rows = Sorted({At(0, {2}), At(1, {0}), At(3, {1}), At(20, {1})});
  const PersonFunnel person = WalkOf(rows, 3, 5, FunnelOrder::kUnordered);
  EXPECT_EQ(person.level, 3);
  EXPECT_EQ(TimesOf(rows, person), (std::vector<int64_t>{0, 1, 3}));
  // An event of steps {0, 1} first must leave step 0 to the next one.
  const std::vector<Row> shared = Sorted({At(0, {0, 1}), At(1, {0}), At(2, {0, 2})});
  EXPECT_EQ(WalkOf(shared, 3, 5, FunnelOrder::kUnordered).level, 3);
}

TEST(FunnelWalkTest, ExclusionsBetweenStepsDropThePerson) {
  using Payload = FullFunnelPayload;
  using FullRow = PersonRows<Payload>::Row;
  const auto at = [](int64_t micros, uint64_t steps, uint64_t exclusions) {
    return FullRow{1, micros, Payload{~steps, 0, exclusions}};
  };
  const auto walk = [](const std::vector<FullRow>& rows) {
    FunnelWalker walker(3, 10, FunnelOrder::kOrdered, {{0, 1}});
    PersonFunnel person;
    walker.Walk(std::span<const FullRow>(rows), person);
    return person;
  };
  const uint64_t a = FunnelStepBit(0), b = FunnelStepBit(1);
  EXPECT_TRUE(walk({at(0, a, 0), at(1, 0, 1), at(2, b, 0)}).excluded);
  EXPECT_FALSE(walk({at(0, a, 0), at(0, 0, 1), at(2, b, 0)}).excluded);  // not strictly after
  EXPECT_FALSE(walk({at(0, a, 0), at(2, b, 0), at(2, 0, 1)}).excluded);  // not strictly before
  // Without step 1: up to the end of the window.
  EXPECT_TRUE(walk({at(0, a, 0), at(10, 0, 1)}).excluded);
  EXPECT_FALSE(walk({at(0, a, 0), at(11, 0, 1)}).excluded);
}

// ClickHouse's windowFunnel as its documentation and source describe it:
// (timestamp, condition) pairs sorted, then one pass keeping the latest
// start per level. Its answer is ours when no event matches two steps.
int WindowFunnel(std::vector<std::pair<int64_t, int>> events, int steps, int64_t window) {
  std::sort(events.begin(), events.end());
  std::vector<int64_t> starts(steps, -1);
  for (const auto& [time, step] : events) {
    if (step == 0) {
      starts[0] = time;
    } else if (starts[step - 1] >= 0 && time <= starts[step - 1] + window) {
      starts[step] = starts[step - 1];
      if (step + 1 == steps) return steps;
    }
  }
  for (int level = steps; level > 0; --level) {
    if (starts[level - 1] >= 0) return level;
  }
  return 0;
}

TEST(FunnelWalkTest, OrderedLevelsAreClickHouseWindowFunnelLevels) {
  std::mt19937_64 random(11);
  for (int round = 0; round < 20'000; ++round) {
    const int steps = 2 + static_cast<int>(random() % 5);
    const int64_t window = 1 + static_cast<int64_t>(random() % 8);
    std::vector<std::pair<int64_t, int>> events;
    std::vector<Row> rows;
    const int count = 1 + static_cast<int>(random() % 14);
    for (int i = 0; i < count; ++i) {
      const int64_t time = static_cast<int64_t>(random() % 12);
      const int step = static_cast<int>(random() % (steps + 1));  // `steps`: no step
      if (step < steps) events.emplace_back(time, step);
      rows.push_back(step < steps ? At(time, {step}) : At(time, {}));
    }
    rows = Sorted(rows);
    ASSERT_EQ(WalkOf(rows, steps, window, FunnelOrder::kOrdered).level,
              WindowFunnel(events, steps, window))
        << "round " << round;
  }
}

}  // namespace
}  // namespace cdp::query
