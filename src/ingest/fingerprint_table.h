#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace cdp::ingest {

// A hash map from 128-bit fingerprints to 64-bit stamps (DedupIndex keeps the
// arrival second), stored flat: one array of 24-byte slots, no allocation per
// entry. Open addressing with linear probing from slot `fingerprint[0] & mask`
// (the fingerprint is already a uniform hash, so its low bits are used as
// they are), a power-of-two capacity that doubles when the table would pass
// 3/4 full, and backward-shift deletion: no tombstones, so lookups never slow
// down as entries come and go. EraseStampsUpTo halves the capacity (more than
// once if need be) when fewer than 1/8 of the slots stay in use.
//
// Growth rehashes every entry at once; the caller bounds that pause by
// keeping tables small (DedupIndex spreads its entries over many shards).
//
// Thread safety: none; the caller serializes all calls (DedupIndex holds the
// shard's mutex).
class FingerprintTable {
 public:
  // A 128-bit hash of a key, e.g. XXH3-128 as {low64, high64}. {0, 0} is
  // reserved: it marks an empty slot.
  using Fingerprint = std::array<uint64_t, 2>;

  FingerprintTable();
  FingerprintTable(const FingerprintTable&) = delete;
  FingerprintTable& operator=(const FingerprintTable&) = delete;

  struct Insertion {
    // The stamp stored for the fingerprint. Valid until the next call that
    // inserts or erases.
    int64_t* stamp;
    // True: the fingerprint was absent and now holds the given stamp.
    bool inserted;
  };
  // Finds `fingerprint`, or inserts it with `stamp`.
  // REQUIRES: fingerprint != Fingerprint{}.
  Insertion FindOrInsert(const Fingerprint& fingerprint, int64_t stamp);
  // The stamp stored for `fingerprint`, or null. Valid as for FindOrInsert.
  const int64_t* Find(const Fingerprint& fingerprint) const;
  // Returns false when `fingerprint` was absent.
  bool Erase(const Fingerprint& fingerprint);
  // Erases every entry whose stamp is <= `stamp`; returns how many. One pass
  // over the slots, then a smaller array if few entries are left.
  size_t EraseStampsUpTo(int64_t stamp);

  size_t size() const { return size_; }
  // Slots allocated: a power of two, at least 16.
  size_t capacity() const { return mask_ + 1; }
  // Bytes held by the slot array.
  size_t memory_bytes() const { return capacity() * sizeof(Slot); }

 private:
  struct Slot {
    Fingerprint fingerprint;  // {0, 0}: empty
    int64_t stamp;
  };

  // Word by word: std::array's == calls memcmp.
  static bool Holds(const Slot& slot, const Fingerprint& fingerprint) {
    return slot.fingerprint[0] == fingerprint[0] && slot.fingerprint[1] == fingerprint[1];
  }
  static bool IsEmpty(const Slot& slot) { return Holds(slot, Fingerprint{}); }
  size_t HomeOf(const Fingerprint& fingerprint) const { return fingerprint[0] & mask_; }
  // The slot holding `fingerprint`, or the empty slot that ends its probe chain.
  size_t Probe(const Fingerprint& fingerprint) const;
  // Empties slot `index` and moves later entries of the chain back into the
  // gap, so that every entry stays reachable from its home slot.
  void EraseAt(size_t index);
  // Moves every entry into a new array of `capacity` slots.
  void Rehash(size_t capacity);

  std::unique_ptr<Slot[]> slots_;
  size_t mask_ = 0;  // capacity - 1
  size_t size_ = 0;
};

}  // namespace cdp::ingest
