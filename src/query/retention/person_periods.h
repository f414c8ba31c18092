#pragma once

#include <bit>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "query/person_key.h"

namespace cdp::query {

// A set of period indices in [0, 128), as two 64-bit words.
struct PeriodSet {
  uint64_t words[2] = {0, 0};

  void Add(int period) { words[period >> 6] |= uint64_t{1} << (period & 63); }
  bool Has(int period) const { return ((words[period >> 6] >> (period & 63)) & 1) != 0; }
  bool empty() const { return (words[0] | words[1]) == 0; }
  // The smallest / largest member; -1 when empty.
  int Lowest() const {
    if (words[0] != 0) return std::countr_zero(words[0]);
    return words[1] != 0 ? 64 + std::countr_zero(words[1]) : -1;
  }
  int Highest() const {
    if (words[1] != 0) return 127 - std::countl_zero(words[1]);
    return words[0] != 0 ? 63 - std::countl_zero(words[0]) : -1;
  }
  // Keeps the members below `limit` (in [0, 128]).
  void KeepBelow(int limit) {
    for (int w = 0; w < 2; ++w) {
      const int bits = limit - 64 * w;
      if (bits <= 0)
        words[w] = 0;
      else if (bits < 64)
        words[w] &= (uint64_t{1} << bits) - 1;
    }
  }
  // Calls `visit(period)` for each member, ascending.
  template <typename Visit>
  void ForEach(Visit&& visit) const {
    for (int w = 0; w < 2; ++w) {
      for (uint64_t bits = words[w]; bits != 0; bits &= bits - 1) {
        visit(64 * w + std::countr_zero(bits));
      }
    }
  }
};

// What a person did, period by period: the periods holding one of their start
// events and those holding one of their return events.
struct PersonActivity {
  PeriodSet start;
  PeriodSet returned;
};

// Brings scan rows (person, period, start?, return?) together per person, as
// two period sets each, for retention.
//
// Why not PersonRows: retention needs no time order within a person, only
// which periods they were active in, so sorting every row would be wasted.
// Instead this is a radix-partitioned hash aggregation. Scan workers append
// each row as ONE 64-bit word to a per-(worker, partition) buffer, lock-free
// and sequential (the partition is the key's top kPartitionBits bits; the word
// is the key shifted left by those bits, which the partition already implies,
// with the row's period and flags in the freed low bits: no information is
// lost). Afterwards each partition (a few thousand persons for a million) is
// folded by one thread into a small open-addressing table that stays in cache,
// OR-ing the period bits of the person's rows.
//
// Thread safety: Add from scan workers, each with its own `worker` index;
// ForEachPerson once, after the scans.
class PersonPeriods {
 public:
  static constexpr int kPartitionBits = 9;
  static constexpr size_t kPartitions = size_t{1} << kPartitionBits;
  static constexpr int kMaxPeriod = 127;  // periods fit 7 bits

  explicit PersonPeriods(int workers) : buffers_(size_t(workers) * kPartitions) {}

  // One row as Add stores it: the person's key without its partition bits,
  // then the period and the two flags. Within a partition, equal words are
  // the same row.
  // REQUIRES: person != 0, period in [0, kMaxPeriod].
  static uint64_t Row(PersonKey person, int period, bool start, bool returned) {
    return (person << kPartitionBits) | (uint64_t(period) << 2) | (uint64_t(returned) << 1) |
           uint64_t(start);
  }

  // Adds a row of `person` (a Row of that person). A row may come many
  // times: callers may skip repeats but need not.
  // REQUIRES: worker in [0, workers).
  void Add(int worker, PersonKey person, uint64_t row) {
    buffers_[size_t(worker) * kPartitions + (person >> (64 - kPartitionBits))].push_back(row);
  }

  // Calls `visit(thread, persons)` with the activity of every person once,
  // partition by partition, from `parallelism` threads (`thread` in [0,
  // parallelism)). Persons come in no particular order. Consumes the rows.
  void ForEachPerson(
      int parallelism,
      const std::function<void(int thread, std::span<const PersonActivity> persons)>& visit);

 private:
  std::vector<std::vector<uint64_t>> buffers_;  // [worker][partition]
};

}  // namespace cdp::query
