#include "model/person_map.h"

#include <xxhash.h>

#include <bit>
#include <charconv>

namespace cdp {

namespace {

// The slot a key starts probing at: the key is already a hash, but identity
// maps of tests use small keys, so mix them.
size_t HomeSlot(PersonKey key, size_t mask) {
  return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> 17) & mask;
}

// The overlay is folded into the base once it holds this share of the base's
// entries (plus a floor, so that small maps do not rebuild at every change).
constexpr size_t kOverlayFloor = 4096;
constexpr size_t kOverlayShare = 8;

}  // namespace

PersonKey PersonKeyOf(std::string_view distinct_id) {
  if (distinct_id.empty()) return 0;
  const PersonKey key = XXH3_64bits(distinct_id.data(), distinct_id.size());
  return key == 0 ? 1 : key;  // 0 means "no person"
}

std::string_view ResolutionIdOf(std::string_view anonymous_id, std::string_view user_id) {
  return user_id.empty() ? anonymous_id : user_id;
}

std::string ProfileIdOf(PersonKey person) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "prs_";
  for (int shift = 60; shift >= 0; shift -= 4) id += kHex[(person >> shift) & 0xF];
  return id;
}

std::optional<PersonKey> ParseProfileId(std::string_view text) {
  constexpr std::string_view kPrefix = "prs_";
  if (text.size() != kPrefix.size() + 16 || !text.starts_with(kPrefix)) return std::nullopt;
  PersonKey key = 0;
  for (const char c : text.substr(kPrefix.size())) {
    int digit = 0;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else {
      return std::nullopt;
    }
    key = (key << 4) | static_cast<PersonKey>(digit);
  }
  if (key == 0) return std::nullopt;
  return key;
}

PersonMap::Table::Table(size_t expected) {
  const size_t capacity = std::bit_ceil(std::max<size_t>(16, expected * 2));
  slots_.assign(capacity, Slot{});
  mask_ = capacity - 1;
}

const PersonKey* PersonMap::Table::Find(PersonKey key) const {
  if (size_ == 0) return nullptr;
  for (size_t i = HomeSlot(key, mask_);; i = (i + 1) & mask_) {
    const Slot& slot = slots_[i];
    if (slot.key == key) return &slot.value;
    if (slot.key == 0) return nullptr;
  }
}

void PersonMap::Table::Put(PersonKey key, PersonKey value) {
  if ((size_ + 1) * 2 > slots_.size()) Grow();
  for (size_t i = HomeSlot(key, mask_);; i = (i + 1) & mask_) {
    Slot& slot = slots_[i];
    if (slot.key == key) {
      slot.value = value;
      return;
    }
    if (slot.key == 0) {
      slot = {key, value};
      ++size_;
      return;
    }
  }
}

void PersonMap::Table::Grow() {
  Table bigger(slots_.size());
  ForEach([&](PersonKey key, PersonKey value) { bigger.Put(key, value); });
  *this = std::move(bigger);
}

PersonMap::PersonMap()
    : base_(std::make_shared<const Table>(0)), overlay_(std::make_shared<const Table>(0)) {}

PersonMap::PersonMap(std::shared_ptr<const Table> base, std::shared_ptr<const Table> overlay,
                     uint64_t version)
    : base_(std::move(base)), overlay_(std::move(overlay)), version_(version) {}

std::shared_ptr<const PersonMap> PersonMap::With(std::span<const Change> changes) const {
  auto overlay = std::make_shared<Table>(overlay_->size() + changes.size());
  overlay_->ForEach([&](PersonKey key, PersonKey value) { overlay->Put(key, value); });
  for (const auto& [key, value] : changes) {
    if (key != 0) overlay->Put(key, value);
  }
  if (overlay->size() < kOverlayFloor + base_->size() / kOverlayShare) {
    return std::shared_ptr<const PersonMap>(new PersonMap(base_, std::move(overlay), version_ + 1));
  }
  // Fold: the overlay wins; "its own person" entries leave the map.
  auto base = std::make_shared<Table>(base_->size() + overlay->size());
  base_->ForEach([&](PersonKey key, PersonKey value) {
    if (overlay->Find(key) == nullptr) base->Put(key, value);
  });
  overlay->ForEach([&](PersonKey key, PersonKey value) {
    if (key != value) base->Put(key, value);
  });
  return std::shared_ptr<const PersonMap>(
      new PersonMap(std::move(base), std::make_shared<const Table>(0), version_ + 1));
}

size_t PersonMap::merged_ids() const {
  size_t count = 0;
  base_->ForEach([&](PersonKey key, PersonKey value) {
    const PersonKey* newer = overlay_->Find(key);
    if ((newer == nullptr ? value : *newer) != key) ++count;
  });
  overlay_->ForEach([&](PersonKey key, PersonKey value) {
    if (base_->Find(key) == nullptr && key != value) ++count;
  });
  return count;
}

}  // namespace cdp
