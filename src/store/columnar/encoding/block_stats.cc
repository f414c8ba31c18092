#include "store/columnar/encoding/block_stats.h"

#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "store/columnar/encoding/varint.h"

namespace cdp::columnar {
namespace {

enum StatsFlag : uint8_t {
  kHasMinMax = 1,
  kHasNan = 2,
  kMaxUnbounded = 4,
  kHasValueHashes = 8,
};

Status CorruptStats(std::string_view what) {
  return Status::Internal("corrupt columnar block stats: " + std::string(what));
}

bool ReadString(ByteReader& reader, std::string& out) {
  uint64_t size;
  const uint8_t* bytes;
  if (!reader.ReadVarintAtMost(kMaxStatsStringBytes, size) || !reader.ReadBytes(size, bytes)) {
    return false;
  }
  out.assign(reinterpret_cast<const char*>(bytes), size);
  return true;
}

// Whether some row may hold a non-null value of the block.
bool HasValues(const BlockStats& stats) { return stats.null_count < stats.row_count; }

}  // namespace

std::string_view BlockKindName(BlockKind kind) {
  switch (kind) {
    case BlockKind::kInt64:
      return "int64";
    case BlockKind::kDouble:
      return "double";
    case BlockKind::kBool:
      return "bool";
    case BlockKind::kString:
      return "string";
  }
  return "unknown";
}

uint64_t HashStatsValue(std::string_view value) { return XXH3_64bits(value.data(), value.size()); }

std::string_view TruncateStatsMin(std::string_view min) {
  return min.substr(0, std::min(min.size(), kMaxStatsStringBytes));
}

std::string TruncateStatsMax(std::string_view max, bool& unbounded) {
  unbounded = false;
  if (max.size() <= kMaxStatsStringBytes) return std::string(max);
  std::string cut(max.substr(0, kMaxStatsStringBytes));
  while (!cut.empty() && static_cast<uint8_t>(cut.back()) == 0xff) cut.pop_back();
  if (cut.empty()) {
    unbounded = true;
    return cut;
  }
  cut.back() = static_cast<char>(static_cast<uint8_t>(cut.back()) + 1);
  return cut;
}

void AppendBlockStats(const BlockStats& stats, std::string& out) {
  uint8_t flags = 0;
  if (stats.has_min_max) flags |= kHasMinMax;
  if (stats.kind == BlockKind::kDouble && stats.has_nan) flags |= kHasNan;
  if (stats.kind == BlockKind::kString && stats.has_min_max && stats.string_max_unbounded) {
    flags |= kMaxUnbounded;
  }
  if (stats.kind == BlockKind::kString && stats.has_value_hashes) flags |= kHasValueHashes;
  out.push_back(static_cast<char>(stats.kind));
  out.push_back(static_cast<char>(flags));
  PutVarint64(out, stats.row_count);
  PutVarint64(out, stats.null_count);
  if (stats.has_min_max) {
    switch (stats.kind) {
      case BlockKind::kInt64:
      case BlockKind::kBool:
        PutVarint64(out, ZigZagEncode(stats.int_min));
        PutVarint64(out,
                    static_cast<uint64_t>(stats.int_max) - static_cast<uint64_t>(stats.int_min));
        break;
      case BlockKind::kDouble:
        PutFixed64(out, std::bit_cast<uint64_t>(stats.double_min));
        PutFixed64(out, std::bit_cast<uint64_t>(stats.double_max));
        break;
      case BlockKind::kString:
        PutVarint64(out, stats.string_min.size());
        out.append(stats.string_min);
        if (!stats.string_max_unbounded) {
          PutVarint64(out, stats.string_max.size());
          out.append(stats.string_max);
        }
        break;
    }
  }
  if (flags & kHasValueHashes) {
    PutVarint64(out, stats.value_hashes.size());
    for (const uint64_t hash : stats.value_hashes) PutFixed64(out, hash);
  }
}

Status ReadBlockStats(std::string_view& in, BlockStats& stats) {
  ByteReader reader(in);
  uint8_t kind, flags;
  uint64_t rows, nulls;
  if (!reader.ReadByte(kind) || !reader.ReadByte(flags) || !reader.ReadVarint64(rows) ||
      !reader.ReadVarint64(nulls)) {
    return CorruptStats("truncated");
  }
  if (kind < static_cast<uint8_t>(BlockKind::kInt64) ||
      kind > static_cast<uint8_t>(BlockKind::kString)) {
    return CorruptStats("unknown kind");
  }
  if (rows > UINT32_MAX || nulls > rows) return CorruptStats("bad row or null count");
  if ((flags & ~uint8_t{kHasMinMax | kHasNan | kMaxUnbounded | kHasValueHashes}) != 0) {
    return CorruptStats("unknown flags");
  }
  stats = BlockStats();
  stats.kind = static_cast<BlockKind>(kind);
  stats.row_count = static_cast<uint32_t>(rows);
  stats.null_count = static_cast<uint32_t>(nulls);
  stats.has_min_max = (flags & kHasMinMax) != 0;
  stats.has_nan = (flags & kHasNan) != 0;
  stats.string_max_unbounded = (flags & kMaxUnbounded) != 0;
  stats.has_value_hashes = (flags & kHasValueHashes) != 0;
  if ((stats.has_nan && stats.kind != BlockKind::kDouble) ||
      (stats.string_max_unbounded && (stats.kind != BlockKind::kString || !stats.has_min_max)) ||
      (stats.has_value_hashes && stats.kind != BlockKind::kString)) {
    return CorruptStats("flags do not fit the kind");
  }
  if ((stats.has_min_max || stats.has_nan || stats.has_value_hashes) && nulls == rows) {
    return CorruptStats("values in an all-null block");
  }
  if (stats.has_min_max) {
    switch (stats.kind) {
      case BlockKind::kInt64:
      case BlockKind::kBool: {
        uint64_t min, range;
        if (!reader.ReadVarint64(min) || !reader.ReadVarint64(range)) {
          return CorruptStats("truncated");
        }
        stats.int_min = ZigZagDecode(min);
        const uint64_t max = static_cast<uint64_t>(stats.int_min) + range;
        // The range must not wrap past INT64_MAX.
        if (range > static_cast<uint64_t>(INT64_MAX) - static_cast<uint64_t>(stats.int_min)) {
          return CorruptStats("max below min");
        }
        stats.int_max = static_cast<int64_t>(max);
        if (stats.kind == BlockKind::kBool && (stats.int_min < 0 || stats.int_max > 1)) {
          return CorruptStats("bool outside 0..1");
        }
        break;
      }
      case BlockKind::kDouble: {
        uint64_t min, max;
        if (!reader.ReadFixed64(min) || !reader.ReadFixed64(max)) return CorruptStats("truncated");
        stats.double_min = std::bit_cast<double>(min);
        stats.double_max = std::bit_cast<double>(max);
        if (std::isnan(stats.double_min) || std::isnan(stats.double_max) ||
            stats.double_min > stats.double_max) {
          return CorruptStats("bad double min/max");
        }
        break;
      }
      case BlockKind::kString:
        if (!ReadString(reader, stats.string_min) ||
            (!stats.string_max_unbounded && !ReadString(reader, stats.string_max))) {
          return CorruptStats("truncated or too long string");
        }
        if (!stats.string_max_unbounded && stats.string_max < stats.string_min) {
          return CorruptStats("max below min");
        }
        break;
    }
  }
  if (stats.has_value_hashes) {
    uint64_t count;
    if (!reader.ReadVarint64(count) || count == 0 || count > kMaxStatsValueHashes ||
        reader.remaining() < count * 8) {
      return CorruptStats("bad value hashes");
    }
    stats.value_hashes.resize(count);
    for (uint64_t& hash : stats.value_hashes) reader.ReadFixed64(hash);
    for (size_t i = 1; i < count; ++i) {
      if (stats.value_hashes[i - 1] >= stats.value_hashes[i]) {
        return CorruptStats("value hashes not increasing");
      }
    }
  }
  in.remove_prefix(
      static_cast<size_t>(reader.position() - reinterpret_cast<const uint8_t*>(in.data())));
  return Status::Ok();
}

bool MayOverlapString(const BlockStats& stats, std::string_view min, std::string_view max) {
  if (stats.kind != BlockKind::kString) return true;
  if (!HasValues(stats) || min > max) return false;
  if (!stats.has_min_max) return true;
  if (!stats.string_max_unbounded && min > stats.string_max) return false;
  // string_min is a prefix of the true min, so it is <= every value.
  return max >= stats.string_min;
}

bool MayContainString(const BlockStats& stats, std::string_view value) {
  if (stats.kind != BlockKind::kString) return true;
  if (!MayOverlapString(stats, value, value)) return false;
  if (!stats.has_value_hashes) return true;
  return std::binary_search(stats.value_hashes.begin(), stats.value_hashes.end(),
                            HashStatsValue(value));
}

bool MayOverlapInt64(const BlockStats& stats, int64_t min, int64_t max) {
  if (stats.kind != BlockKind::kInt64 && stats.kind != BlockKind::kBool) return true;
  if (!HasValues(stats) || min > max) return false;
  if (!stats.has_min_max) return true;
  return min <= stats.int_max && max >= stats.int_min;
}

bool MayContainInt64(const BlockStats& stats, int64_t value) {
  return MayOverlapInt64(stats, value, value);
}

bool MayContainBool(const BlockStats& stats, bool value) {
  return MayOverlapInt64(stats, value ? 1 : 0, value ? 1 : 0);
}

bool MayOverlapDouble(const BlockStats& stats, double min, double max) {
  if (stats.kind != BlockKind::kDouble) return true;
  if (!HasValues(stats)) return false;
  if (std::isnan(min) || std::isnan(max)) return true;
  if (!stats.has_min_max) return false;
  return min <= max && min <= stats.double_max && max >= stats.double_min;
}

bool MayContainDouble(const BlockStats& stats, double value) {
  return MayOverlapDouble(stats, value, value);
}

}  // namespace cdp::columnar
