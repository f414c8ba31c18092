#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "store/columnar/io/file_system.h"

namespace cdp::columnar {

// The FileSystem of the machine, through POSIX calls. Every error is a Status
// whose cause reads "cannot <operation> <path>: <strerror(errno)>"; ENOENT is
// kNotFound, everything else kInternal. Stateless: one instance may serve the
// whole process, from any thread.
class PosixFileSystem final : public FileSystem {
 public:
  PosixFileSystem() = default;

  Status CreateDirectories(const std::string& path) override;
  Result<std::vector<std::string>> ListDirectory(const std::string& dir) override;
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override;
  Result<std::shared_ptr<const MappedFile>> Map(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status RemoveFile(const std::string& path) override;
  Status RemoveDirectoryTree(const std::string& path) override;
  Status SyncDirectory(const std::string& dir) override;
  Result<uint64_t> FileSize(const std::string& path) override;
  Result<uint64_t> FreeSpace(const std::string& path) override;
};

}  // namespace cdp::columnar
