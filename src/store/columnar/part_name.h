#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cdp::columnar {

// Where a part sits and what it covers. Every flush numbers its parts with
// one new block number; a merge's part covers the block range of the parts
// it replaced, with a level one above the highest of theirs. So within a
// partition, a part whose range lies inside another's (of a higher level) is
// superseded by it: after a crash between publishing a merged part and
// removing its inputs, start-up removes the inputs (ClickHouse's rule).
struct PartName {
  uint64_t min_block = 0;
  uint64_t max_block = 0;
  uint32_t level = 0;

  // "<min>_<max>_<level>.part", numbers in decimal.
  std::string FileName() const;
  // True when `other` is superseded by this part.
  bool Covers(const PartName& other) const {
    return level > other.level && min_block <= other.min_block && other.max_block <= max_block;
  }
  friend bool operator==(const PartName&, const PartName&) = default;
};

// The PartName of a part file name; nullopt for any other name.
std::optional<PartName> ParsePartFileName(std::string_view file_name);

// A partition's directory under the store's root: "<workspace>/<YYYYMMDD>",
// the workspace id as is when it is a safe file name ([A-Za-z0-9_-], 1-128
// bytes), else "~" and its hex. `day` counts days since 1970-01-01 (UTC).
std::string PartitionPath(std::string_view workspace_id, int64_t day);
// The workspace id of a directory name PartitionPath made; nullopt otherwise.
std::optional<std::string> WorkspaceOfDirectory(std::string_view directory);
// The day of a "YYYYMMDD" directory name; nullopt otherwise.
std::optional<int64_t> DayOfDirectory(std::string_view directory);

// The UTC day of a time in microseconds since the epoch (floor).
inline int64_t DayOfMicros(int64_t micros) {
  constexpr int64_t kMicrosPerDay = int64_t{86'400} * 1'000'000;
  return micros >= 0 ? micros / kMicrosPerDay : -((-micros + kMicrosPerDay - 1) / kMicrosPerDay);
}

}  // namespace cdp::columnar
