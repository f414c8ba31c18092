#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "store/columnar/io/file_system.h"
#include "store/event_store.h"

namespace cdp::columnar {

// The commit point of the store's flushes: the last block number whose parts
// are all published, and the log offsets loaded through it. A flush writes
// its parts first and this file last, so a part numbered above `block` is the
// debris of a flush that never committed.
struct StoreCheckpoint {
  uint64_t block = 0;
  SourceOffsets offsets;
  friend bool operator==(const StoreCheckpoint&, const StoreCheckpoint&) = default;
};

// "checkpoint" under the store's root.
inline constexpr const char* kCheckpointFileName = "checkpoint";

// Reads the checkpoint of the store at `root`; a store without one is at
// block 0 with no offsets. A damaged file is an error (never guessed past:
// the loader would reload or skip events).
Result<StoreCheckpoint> ReadStoreCheckpoint(FileSystem& fs, const std::string& root);
// Replaces the checkpoint durably and atomically (write aside, sync, rename,
// sync the directory).
Status WriteStoreCheckpoint(FileSystem& fs, const std::string& root,
                            const StoreCheckpoint& checkpoint);

}  // namespace cdp::columnar
