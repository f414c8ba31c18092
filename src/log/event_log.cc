#include "log/event_log.h"

#include <fmt/format.h>

namespace cdp {

int PartitionOfKey(std::string_view key, int partition_count) {
  // FNV-1a: stable across runs, machines and library versions, unlike std::hash.
  uint64_t hash = 14695981039346656037ull;
  for (char c : key) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return static_cast<int>(hash % static_cast<uint64_t>(partition_count));
}

Result<std::vector<uint64_t>> ResumeConsumer(EventLog& log, std::string_view consumer,
                                             const std::vector<std::pair<int, uint64_t>>& consumed,
                                             std::string_view sink) {
  std::vector<uint64_t> next_offsets(log.partition_count(), 0);
  for (const auto& [partition, offset] : consumed) {
    if (partition < 0 || partition >= log.partition_count()) {
      return Status::Internal(
          fmt::format("{} has consumed partition {} of a log with {} partitions", sink, partition,
                      log.partition_count()));
    }
    next_offsets[partition] = offset;
  }
  for (int partition = 0; partition < log.partition_count(); ++partition) {
    CDP_RETURN_IF_ERROR(log.Commit(consumer, partition, next_offsets[partition]));
  }
  return next_offsets;
}

}  // namespace cdp
