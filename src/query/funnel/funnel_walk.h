#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cstdint>
#include <span>
#include <tuple>
#include <utility>
#include <vector>

#include "query/funnel/funnel_request.h"

namespace cdp::query {

// The per-person state machine of the funnel: finds a person's counted
// chain as funnel_engine.h defines it, from the person's rows in order.
//
// Step k (0-based) of a request is bit 63 - k of a row's step mask. Rows are
// ordered by the complement of that mask after their time (PersonRows sorts
// by payload), which is exactly the tie order of the definitions: at the
// lowest step where two masks differ, the one with the bit set is the larger
// mask, so its complement is smaller and it comes first; a mask of 0 (no
// step) comes last.
constexpr uint64_t FunnelStepBit(int step) { return uint64_t{1} << (63 - step); }
// The steps [0, count) as a mask.
constexpr uint64_t FunnelStepsMask(int count) {
  return count >= 64 ? ~uint64_t{0} : ~(~uint64_t{0} >> count);
}

// What a row carries without exclusions or breakdown: the complement of its
// step mask (8 bytes, so a row is 24).
using CompactFunnelPayload = uint64_t;

// With exclusions or a breakdown.
struct FullFunnelPayload {
  uint64_t order = ~uint64_t{0};  // the complement of the step mask
  // FunnelBreakdownKey of the row's breakdown value when a breakdown is
  // asked and the row can start a chain (matches step 0; unordered: any
  // step), else 0.
  uint64_t breakdown = 0;
  uint64_t exclusions = 0;  // bit x: the row matches exclusion x

  friend bool operator<(const FullFunnelPayload& a, const FullFunnelPayload& b) {
    return std::tie(a.order, a.breakdown, a.exclusions) <
           std::tie(b.order, b.breakdown, b.exclusions);
  }
};

inline uint64_t StepMaskOf(CompactFunnelPayload payload) { return ~payload; }
inline uint64_t StepMaskOf(const FullFunnelPayload& payload) { return ~payload.order; }
inline uint64_t ExclusionMaskOf(CompactFunnelPayload) { return 0; }
inline uint64_t ExclusionMaskOf(const FullFunnelPayload& payload) { return payload.exclusions; }
inline uint64_t BreakdownKeyOf(CompactFunnelPayload) { return 0; }
inline uint64_t BreakdownKeyOf(const FullFunnelPayload& payload) { return payload.breakdown; }

// A person's counted chain.
struct PersonFunnel {
  int level = 0;          // the steps it reached; 0: the person is not in the funnel
  bool excluded = false;  // an exclusion event dropped the person
  // rows[i], i < level: the index, among the person's rows, of the chain's
  // event for step i.
  std::array<uint32_t, kMaxFunnelSteps> rows{};
};

// One per thread; reuses its buffers from person to person.
class FunnelWalker {
 public:
  FunnelWalker(int steps, int64_t window_micros, FunnelOrder order,
               std::vector<std::pair<int, int>> exclusions)
      : steps_(steps),
        all_steps_(FunnelStepsMask(steps)),
        window_(window_micros),
        order_(order),
        exclusions_(std::move(exclusions)) {}

  // `rows`: one person's rows in order (PersonRows<Payload>::Row: micros,
  // payload). In strict mode they must include every event of the person
  // in the range, with or without steps.
  template <typename Row>
  void Walk(std::span<const Row> rows, PersonFunnel& out);

 private:
  template <typename Row>
  void WalkOrdered(std::span<const Row> rows, PersonFunnel& out);
  template <typename Row>
  void WalkStrict(std::span<const Row> rows, PersonFunnel& out);
  template <typename Row>
  void WalkUnordered(std::span<const Row> rows, PersonFunnel& out);
  template <typename Row>
  void CheckExclusions(std::span<const Row> rows, PersonFunnel& out) const;

  // Unordered: the events of the window as a multiset of step masks.
  void ClearWindow();
  void AddToWindow(uint64_t mask);
  void RemoveFromWindow(uint64_t mask);
  // The most window events that can each be given a different step.
  int WindowMatching();
  // Kuhn's augmenting path for one more event of `mask` among the steps
  // assigned so far (owner_, assigned_); `visited` are steps already tried.
  bool Augment(uint64_t mask, uint64_t& visited);

  const int steps_;
  const uint64_t all_steps_;
  const int64_t window_;
  const FunnelOrder order_;
  const std::vector<std::pair<int, int>> exclusions_;  // (from_step, to_step)

  // Ordered: the row index of every step-0 row so far, and for each step k
  // the index in starts_ of the latest start whose chain reached step k.
  std::vector<uint32_t> starts_;
  std::array<int32_t, kMaxFunnelSteps> latest_{};

  // Unordered.
  std::array<uint32_t, 64> single_count_{};           // window events matching one step, by bit
  uint64_t single_steps_ = 0;                         // the bits with a count
  std::vector<std::pair<uint64_t, uint32_t>> multi_;  // masks of several steps, with counts
  std::array<uint64_t, 64> owner_{};  // by bit: the mask of the event given that step
  uint64_t assigned_ = 0;             // the bits given to some event
};

template <typename Row>
void FunnelWalker::Walk(std::span<const Row> rows, PersonFunnel& out) {
  out.level = 0;
  out.excluded = false;
  switch (order_) {
    case FunnelOrder::kOrdered:
      WalkOrdered(rows, out);
      break;
    case FunnelOrder::kStrict:
      WalkStrict(rows, out);
      break;
    case FunnelOrder::kUnordered:
      WalkUnordered(rows, out);
      break;
  }
  if (out.level > 0 && !exclusions_.empty()) CheckExclusions(rows, out);
}

// One pass in the manner of ClickHouse's windowFunnel: latest_[k] is the
// latest start whose chain reached step k. A row matching step k extends it
// when it is still within the window; steps are taken from the highest down,
// so that one row never takes two steps of a chain.
//
// The counted start needs more than windowFunnel keeps. Among the chains
// still within their window (the starts at or after t - window: a suffix of
// starts_), an earlier start is always at least as far along, because its
// chain saw every row the later one saw. So when the person's level first
// grows to k + 1, every open chain that reached step k is at exactly k and
// grows with this row, and the earliest of them, the first start at or after
// t - window, is the earliest start of any chain of that length. A second,
// short walk from it finds the earliest events of its chain.
template <typename Row>
void FunnelWalker::WalkOrdered(std::span<const Row> rows, PersonFunnel& out) {
  starts_.clear();
  std::fill_n(latest_.begin(), steps_, -1);
  int level = 0;
  uint32_t counted = 0;
  const uint32_t count = static_cast<uint32_t>(rows.size());
  for (uint32_t row = 0; row < count && level < steps_; ++row) {
    uint64_t mask = StepMaskOf(rows[row].payload);
    const int64_t micros = rows[row].micros;
    while (mask != 0) {  // lowest bit first: highest step first
      const int step = 63 - std::countr_zero(mask);
      mask &= mask - 1;
      if (step == 0) {
        starts_.push_back(row);
        latest_[0] = static_cast<int32_t>(starts_.size() - 1);
        if (level == 0) {
          level = 1;
          counted = row;
        }
        continue;
      }
      const int32_t start = latest_[step - 1];
      if (start < 0 || micros - rows[starts_[start]].micros > window_) continue;
      latest_[step] = start;
      if (step + 1 > level) {
        level = step + 1;
        const auto open = std::partition_point(starts_.begin(), starts_.end(), [&](uint32_t s) {
          return micros - rows[s].micros > window_;
        });
        counted = *open;
        if (level == steps_) break;
      }
    }
  }
  out.level = level;
  if (level == 0) return;
  out.rows[0] = counted;
  int next = 1;
  const int64_t start_micros = rows[counted].micros;
  for (uint32_t row = counted + 1; row < count && next < level; ++row) {
    if (rows[row].micros - start_micros > window_) break;
    if ((StepMaskOf(rows[row].payload) & FunnelStepBit(next)) != 0) out.rows[next++] = row;
  }
  assert(next == level);
}

// Chains are runs of consecutive rows: try each start, keep the first
// longest. At most rows x steps work.
template <typename Row>
void FunnelWalker::WalkStrict(std::span<const Row> rows, PersonFunnel& out) {
  int level = 0;
  uint32_t counted = 0;
  const uint32_t count = static_cast<uint32_t>(rows.size());
  for (uint32_t row = 0; row < count && level < steps_; ++row) {
    if ((StepMaskOf(rows[row].payload) & FunnelStepBit(0)) == 0) continue;
    const int64_t start_micros = rows[row].micros;
    int length = 1;
    while (length < steps_ && row + length < count &&
           (StepMaskOf(rows[row + length].payload) & FunnelStepBit(length)) != 0 &&
           rows[row + length].micros - start_micros <= window_) {
      ++length;
    }
    if (length > level) {
      level = length;
      counted = row;
    }
  }
  out.level = level;
  for (int step = 0; step < level; ++step) out.rows[step] = counted + step;
}

// Each row with a step starts a window (itself and the rows after it within
// the window); its chain length is how many of the window's events can each
// be given a different step. The window slides over the rows as a multiset
// of masks; most windows hold only one-step masks, whose matching is their
// number of distinct steps. The first start of the longest chain is counted;
// its chain keeps, walking its window in order, each row that can still be
// given a step of its own (the most rows any assignment can cover: such sets
// form a matroid, where greedy is optimal).
template <typename Row>
void FunnelWalker::WalkUnordered(std::span<const Row> rows, PersonFunnel& out) {
  ClearWindow();
  int level = 0;
  uint32_t counted = 0;
  const uint32_t count = static_cast<uint32_t>(rows.size());
  uint32_t end = 0;  // rows before `end` have entered the window
  for (uint32_t row = 0; row < count && level < steps_; ++row) {
    const uint64_t mask = StepMaskOf(rows[row].payload);
    if (mask == 0) continue;
    const int64_t start_micros = rows[row].micros;
    for (; end < count && rows[end].micros - start_micros <= window_; ++end) {
      const uint64_t entering = StepMaskOf(rows[end].payload);
      if (entering != 0) AddToWindow(entering);
    }
    const int length = WindowMatching();
    if (length > level) {
      level = length;
      counted = row;
    }
    RemoveFromWindow(mask);
  }
  out.level = level;
  if (level == 0) return;
  owner_.fill(0);
  assigned_ = 0;
  int kept = 0;
  const int64_t start_micros = rows[counted].micros;
  for (uint32_t row = counted; row < count && kept < level; ++row) {
    if (rows[row].micros - start_micros > window_) break;
    const uint64_t mask = StepMaskOf(rows[row].payload);
    uint64_t visited = 0;
    if (mask != 0 && Augment(mask, visited)) out.rows[kept++] = row;
  }
  assert(kept == level);
}

// An exclusion (i, j) drops the person when one of its events falls strictly
// between the chain's step-i and step-j events, or, when the chain stopped
// before step j, after its step-i event and while the chain could still
// have reached step j (no later than its start + window).
template <typename Row>
void FunnelWalker::CheckExclusions(std::span<const Row> rows, PersonFunnel& out) const {
  const int64_t deadline = rows[out.rows[0]].micros + window_;
  for (const Row& row : rows) {
    uint64_t mask = ExclusionMaskOf(row.payload);
    while (mask != 0) {
      const auto [from_step, to_step] = exclusions_[std::countr_zero(mask)];
      mask &= mask - 1;
      if (out.level <= from_step) continue;
      const int64_t after = rows[out.rows[from_step]].micros;
      const bool between = out.level > to_step
                               ? row.micros > after && row.micros < rows[out.rows[to_step]].micros
                               : row.micros > after && row.micros <= deadline;
      if (between) {
        out.excluded = true;
        return;
      }
    }
  }
}

}  // namespace cdp::query
