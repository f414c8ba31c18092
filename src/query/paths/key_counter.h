#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace cdp::query {

// Counts per 64-bit key (a transition's pair of step name codes, or one
// code) in an open-addressing table with linear probing. The walk over
// persons adds to a few of these per session, millions of times, where
// std::unordered_map would spend its time allocating nodes.
// REQUIRES: no key is kEmptyKey. Thread safety: one per thread.
class KeyCounter {
 public:
  static constexpr uint64_t kEmptyKey = ~uint64_t{0};

  KeyCounter() : slots_(kInitialSlots, Slot{kEmptyKey, 0}) {}

  void Add(uint64_t key, uint64_t count = 1) {
    assert(key != kEmptyKey);
    if ((used_ + 1) * 4 > slots_.size() * 3) Grow();
    Slot& slot = Find(key);
    if (slot.key == kEmptyKey) {
      slot.key = key;
      ++used_;
    }
    slot.count += count;
  }

  void Merge(const KeyCounter& other) {
    for (const Slot& slot : other.slots_) {
      if (slot.key != kEmptyKey) Add(slot.key, slot.count);
    }
  }

  size_t size() const { return used_; }

  // The (key, count) pairs, in no particular order.
  std::vector<std::pair<uint64_t, uint64_t>> Entries() const {
    std::vector<std::pair<uint64_t, uint64_t>> entries;
    entries.reserve(used_);
    for (const Slot& slot : slots_) {
      if (slot.key != kEmptyKey) entries.emplace_back(slot.key, slot.count);
    }
    return entries;
  }

 private:
  struct Slot {
    uint64_t key;
    uint64_t count;
  };
  static constexpr size_t kInitialSlots = 64;  // a power of two

  Slot& Find(uint64_t key) {
    // Fibonacci hashing: the product's high bits mix every bit of the key.
    const size_t mask = slots_.size() - 1;
    size_t index = size_t((key * 0x9E3779B97F4A7C15ull) >> 32) & mask;
    while (slots_[index].key != kEmptyKey && slots_[index].key != key) index = (index + 1) & mask;
    return slots_[index];
  }

  void Grow() {
    std::vector<Slot> old(slots_.size() * 2, Slot{kEmptyKey, 0});
    old.swap(slots_);
    for (const Slot& slot : old) {
      if (slot.key != kEmptyKey) Find(slot.key) = slot;
    }
  }

  std::vector<Slot> slots_;
  size_t used_ = 0;
};

}  // namespace cdp::query
