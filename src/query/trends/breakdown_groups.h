#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/string_map.h"
#include "store/scan.h"

namespace cdp::query {

// Numbers the values of a breakdown column one scan worker meets, so that
// accumulators are arrays indexed by group rather than maps keyed by string.
//
// Open (the default), every new value gets the next id, in the order met.
// Closed (Close), the given values keep their ids and every other value maps
// to one "other" id after them.
//
// A string column is mapped through its block's dictionary: each code is
// looked up once per block, then rows cost an array read, whatever the
// strings' length. Other kinds (rare: a breakdown by a number or a boolean)
// go through their text, BreakdownText, per row.
//
// One per scan worker; not thread-safe.
class BreakdownGroups {
 public:
  // Close with `values`: they get ids 0..n-1, everything else n.
  void Close(const std::vector<std::optional<std::string>>& values);

  // Ids in use: the values met (open), or the values plus "other" (closed).
  size_t size() const { return values_.size() + (closed_ ? 1 : 0); }
  // The value of an id; REQUIRES: id < values().size().
  const std::vector<std::optional<std::string>>& values() const { return values_; }

  // Appends to `ids` the group of each row of `selection`.
  void Map(const ColumnData& column, std::span<const uint32_t> selection,
           std::vector<uint32_t>& ids);

 private:
  static constexpr uint32_t kUnmapped = UINT32_MAX;
  uint32_t IdOf(const std::optional<std::string_view>& value);

  bool closed_ = false;
  std::vector<std::optional<std::string>> values_;
  StringMap<uint32_t> ids_;
  uint32_t null_id_ = kUnmapped;
  std::vector<uint32_t> code_ids_;  // per dictionary code of the block being mapped
};

}  // namespace cdp::query
