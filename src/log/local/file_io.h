#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

// Small POSIX file helpers for the local event log: every failure becomes a
// Status naming the operation, the file and the errno text.
namespace cdp::local_log {

Status ErrnoStatus(std::string_view operation, const std::string& path);
// Writes all of `data` at `position` (retrying short writes and EINTR).
Status WriteAt(int fd, const std::string& path, const char* data, size_t size, uint64_t position);
// Reads up to `size` bytes at `position`; fewer only at the end of the file.
Result<size_t> ReadAt(int fd, const std::string& path, char* data, size_t size, uint64_t position);
Status SyncFile(int fd, const std::string& path);
// Makes a file's creation, rename or removal in `dir` durable.
Status SyncDirectory(const std::string& dir);
// Replaces `path` atomically with `content` (write aside, sync, rename, sync dir).
Status WriteFileAtomically(const std::string& path, std::string_view content);

}  // namespace cdp::local_log
