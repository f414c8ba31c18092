#include "log/event_log.h"

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

}  // namespace cdp
