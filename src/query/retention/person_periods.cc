#include "query/retention/person_periods.h"

#include <algorithm>

#include "query/person_rows.h"

namespace cdp::query {

namespace {

// One partition's persons, keyed by the packed word's person bits (the key's
// low 64 - kPartitionBits bits, never all ones), with linear probing. The key
// bits are hash bits already, so the slot is just their low bits.
class ActivityTable {
 public:
  void Reset(size_t expected_persons) {
    size_t capacity = 16;
    while (capacity < 2 * expected_persons) capacity *= 2;
    slots_.assign(capacity, Slot{});
    size_ = 0;
  }

  void Add(uint64_t word) {
    const uint64_t person = word >> PersonPeriods::kPartitionBits;
    const int period = static_cast<int>((word >> 2) & PersonPeriods::kMaxPeriod);
    Slot& slot = Find(person);
    // Without branches: whether a row starts or returns is unpredictable.
    const uint64_t bit = uint64_t{1} << (period & 63);
    slot.activity.start.words[period >> 6] |= bit & (uint64_t{0} - (word & 1));
    slot.activity.returned.words[period >> 6] |= bit & (uint64_t{0} - ((word >> 1) & 1));
  }

  // The persons, copied into `out` (cleared first).
  void Collect(std::vector<PersonActivity>& out) const {
    out.clear();
    out.reserve(size_);
    for (const Slot& slot : slots_) {
      if (slot.person != kEmpty) out.push_back(slot.activity);
    }
  }

 private:
  static constexpr uint64_t kEmpty = ~uint64_t{0};
  struct Slot {
    uint64_t person = kEmpty;
    PersonActivity activity;
  };

  Slot& Find(uint64_t person) {
    size_t mask = slots_.size() - 1;
    for (size_t i = person & mask;; i = (i + 1) & mask) {
      if (slots_[i].person == person) return slots_[i];
      if (slots_[i].person == kEmpty) {
        if (2 * (size_ + 1) > slots_.size()) {
          Grow();
          return Find(person);
        }
        ++size_;
        slots_[i].person = person;
        return slots_[i];
      }
    }
  }

  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (const Slot& slot : old) {
      if (slot.person == kEmpty) continue;
      size_t i = slot.person & mask;
      while (slots_[i].person != kEmpty) i = (i + 1) & mask;
      slots_[i] = slot;
    }
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace

void PersonPeriods::ForEachPerson(
    int parallelism,
    const std::function<void(int thread, std::span<const PersonActivity> persons)>& visit) {
  const size_t workers = buffers_.size() / kPartitions;
  const int threads = std::max(1, parallelism);
  std::vector<ActivityTable> tables(threads);
  std::vector<std::vector<PersonActivity>> persons(threads);
  ParallelFor(threads, kPartitions, [&](int thread, size_t partition) {
    size_t rows = 0;
    for (size_t worker = 0; worker < workers; ++worker) {
      rows += buffers_[worker * kPartitions + partition].size();
    }
    if (rows == 0) return;
    ActivityTable& table = tables[thread];
    // Most persons have several rows: start small (a table that fits in
    // cache), it grows when they do not.
    table.Reset(rows / 8);
    for (size_t worker = 0; worker < workers; ++worker) {
      std::vector<uint64_t>& buffer = buffers_[worker * kPartitions + partition];
      for (const uint64_t word : buffer) table.Add(word);
      std::vector<uint64_t>().swap(buffer);
    }
    table.Collect(persons[thread]);
    visit(thread, persons[thread]);
  });
}

}  // namespace cdp::query
