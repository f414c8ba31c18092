#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cdp::columnar {

// The logical kind of a block's values. Times are kInt64 (microseconds),
// numbers kDouble, booleans kBool. The numbers are written to disk.
enum class BlockKind : uint8_t { kInt64 = 1, kDouble = 2, kBool = 3, kString = 4 };

std::string_view BlockKindName(BlockKind kind);  // "int64", "double", "bool", "string"

// String min/max are cut to at most this many bytes.
inline constexpr size_t kMaxStatsStringBytes = 64;
// Strings blocks with at most this many distinct values list their hashes.
inline constexpr size_t kMaxStatsValueHashes = 32;

// What a scan needs to know about a block without reading it: the encoder
// computes it beside the block's bytes; the part footer stores it
// (AppendBlockStats / ReadBlockStats). Null values take no part in min, max
// or hashes. A value type: copy freely.
struct BlockStats {
  BlockKind kind = BlockKind::kInt64;
  uint32_t row_count = 0;
  uint32_t null_count = 0;

  // Whether the min/max fields of the kind are meaningful: false when every
  // row is null (kDouble: when every non-null value is NaN).
  bool has_min_max = false;
  // kInt64, and kBool (0 = false, 1 = true).
  int64_t int_min = 0;
  int64_t int_max = 0;
  // kDouble: over the non-NaN values (-0.0 and 0.0 compare equal, so either
  // may be the min or max of a block holding both).
  double double_min = 0;
  double double_max = 0;
  bool has_nan = false;  // kDouble: some non-null value is NaN
  // kString: byte-wise (unsigned) order. string_min <= every value;
  // string_max >= every value unless string_max_unbounded. Each is at most
  // kMaxStatsStringBytes long: a longer min is cut to its prefix; a longer
  // max is cut and its last byte that is not 0xff incremented (the bytes
  // after it dropped); a max of only 0xff bytes becomes unbounded.
  std::string string_min;
  std::string string_max;
  bool string_max_unbounded = false;
  // kString with at most kMaxStatsValueHashes distinct non-null values:
  // HashStatsValue of each, sorted ascending, without duplicates.
  bool has_value_hashes = false;
  std::vector<uint64_t> value_hashes;

  friend bool operator==(const BlockStats&, const BlockStats&) = default;
};

// XXH3_64bits of `value` (seed 0): the hash of value_hashes.
uint64_t HashStatsValue(std::string_view value);

// Appends `stats` in a compact form (layout in block_encoding.h).
void AppendBlockStats(const BlockStats& stats, std::string& out);
// Reads stats that AppendBlockStats wrote at the front of `in` and advances
// `in` past them. The bytes are untrusted: any inconsistency is
// Status::Internal and leaves `in` and `stats` unspecified.
Status ReadBlockStats(std::string_view& in, BlockStats& stats);

// Block skipping. Each answers false only when no row of the block can
// satisfy the condition; null rows never satisfy one. A kind mismatch (a
// string asked of an int64 block) answers true: the caller decides.
// Bounds are inclusive.
bool MayContainString(const BlockStats& stats, std::string_view value);
bool MayOverlapString(const BlockStats& stats, std::string_view min, std::string_view max);
bool MayContainInt64(const BlockStats& stats, int64_t value);
bool MayOverlapInt64(const BlockStats& stats, int64_t min, int64_t max);
// A NaN bound answers true when the block has non-null values (how NaN
// compares is the caller's rule; the stats cannot tell).
bool MayContainDouble(const BlockStats& stats, double value);
bool MayOverlapDouble(const BlockStats& stats, double min, double max);
bool MayContainBool(const BlockStats& stats, bool value);

// The bounds stored for a block's true min and max. TruncateStatsMin cuts to
// kMaxStatsStringBytes (a prefix is <= the string). TruncateStatsMax returns
// `max` itself when short enough, else a string of at most
// kMaxStatsStringBytes that is greater than `max`, or sets `unbounded` when
// none exists (`max` starts with kMaxStatsStringBytes bytes 0xff).
std::string_view TruncateStatsMin(std::string_view min);
std::string TruncateStatsMax(std::string_view max, bool& unbounded);

}  // namespace cdp::columnar
