#include "ingest/fingerprint_table.h"

#include <cassert>

namespace cdp::ingest {

namespace {

constexpr size_t kMinCapacity = 16;

// The table grows before it passes 3/4 full: with uniform hashes, linear
// probing then looks at ~1.8 (3/8 full) to ~8.5 (3/4 full) slots to insert a
// new fingerprint: one cache miss, the rest of the run read in order.
bool OverMaxLoad(size_t size, size_t capacity) { return size * 4 > capacity * 3; }

// The smallest capacity at most 3/8 full with `size` entries: half the
// maximum load, so that a table shrunk by EraseStampsUpTo has room to grow
// before it doubles again.
size_t CapacityFor(size_t size) {
  size_t capacity = kMinCapacity;
  while (capacity * 3 < size * 8) capacity *= 2;
  return capacity;
}

}  // namespace

FingerprintTable::FingerprintTable()
    : slots_(std::make_unique<Slot[]>(kMinCapacity)), mask_(kMinCapacity - 1) {}

size_t FingerprintTable::Probe(const Fingerprint& fingerprint) const {
  size_t index = HomeOf(fingerprint);
  while (true) {
    const Slot& slot = slots_[index];
    if (Holds(slot, fingerprint) || IsEmpty(slot)) return index;
    index = (index + 1) & mask_;
  }
}

FingerprintTable::Insertion FingerprintTable::FindOrInsert(const Fingerprint& fingerprint,
                                                           int64_t stamp) {
  assert(fingerprint != Fingerprint{});
  size_t index = Probe(fingerprint);
  if (!IsEmpty(slots_[index])) return {&slots_[index].stamp, false};
  if (OverMaxLoad(size_ + 1, capacity())) {
    Rehash(capacity() * 2);
    index = Probe(fingerprint);
  }
  slots_[index] = Slot{fingerprint, stamp};
  ++size_;
  return {&slots_[index].stamp, true};
}

const int64_t* FingerprintTable::Find(const Fingerprint& fingerprint) const {
  const Slot& slot = slots_[Probe(fingerprint)];
  return IsEmpty(slot) ? nullptr : &slot.stamp;
}

bool FingerprintTable::Erase(const Fingerprint& fingerprint) {
  const size_t index = Probe(fingerprint);
  if (IsEmpty(slots_[index])) return false;
  EraseAt(index);
  return true;
}

void FingerprintTable::EraseAt(size_t index) {
  size_t hole = index;
  for (size_t next = (index + 1) & mask_; !IsEmpty(slots_[next]); next = (next + 1) & mask_) {
    // The entry at `next` may move into the hole unless that would put it
    // before its home slot: the hole must lie within [home, next).
    const size_t home = HomeOf(slots_[next].fingerprint);
    if (((next - hole) & mask_) <= ((next - home) & mask_)) {
      slots_[hole] = slots_[next];
      hole = next;
    }
  }
  slots_[hole] = Slot{};
  --size_;
}

size_t FingerprintTable::EraseStampsUpTo(int64_t stamp) {
  const size_t size_before = size_;
  // EraseAt fills slot `index` from later in the chain, so it is looked at
  // again. Entries only move backwards: those moved here from the start of
  // the array (a chain that wraps around) were looked at already and kept,
  // and no entry not looked at yet can move before `index`.
  for (size_t index = 0; index <= mask_;) {
    const Slot& slot = slots_[index];
    if (!IsEmpty(slot) && slot.stamp <= stamp) {
      EraseAt(index);
    } else {
      ++index;
    }
  }
  if (capacity() > kMinCapacity && size_ * 8 < capacity()) Rehash(CapacityFor(size_));
  return size_before - size_;
}

void FingerprintTable::Rehash(size_t capacity) {
  assert(capacity >= kMinCapacity && (capacity & (capacity - 1)) == 0);
  assert(!OverMaxLoad(size_, capacity));
  const std::unique_ptr<Slot[]> old = std::move(slots_);
  const size_t old_capacity = mask_ + 1;
  slots_ = std::make_unique<Slot[]>(capacity);
  mask_ = capacity - 1;
  // Read in order; when the capacity doubles, an entry's home is its old home
  // or that plus the old capacity, so the writes go in order too.
  for (size_t i = 0; i < old_capacity; ++i) {
    if (IsEmpty(old[i])) continue;
    size_t index = HomeOf(old[i].fingerprint);
    while (!IsEmpty(slots_[index])) index = (index + 1) & mask_;
    slots_[index] = old[i];
  }
}

}  // namespace cdp::ingest
