#include "log/local/file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace cdp::local_log {

Status ErrnoStatus(std::string_view operation, const std::string& path) {
  return Status::Internal("cannot " + std::string(operation) + " " + path + ": " +
                          std::strerror(errno));
}

Status WriteAt(int fd, const std::string& path, const char* data, size_t size, uint64_t position) {
  while (size > 0) {
    const ssize_t n = ::pwrite(fd, data, size, static_cast<off_t>(position));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus("write", path);
    data += n;
    size -= static_cast<size_t>(n);
    position += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

Result<size_t> ReadAt(int fd, const std::string& path, char* data, size_t size, uint64_t position) {
  size_t total = 0;
  while (total < size) {
    const ssize_t n = ::pread(fd, data + total, size - total, static_cast<off_t>(position + total));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus("read", path);
    if (n == 0) break;
    total += static_cast<size_t>(n);
  }
  return total;
}

Status SyncFile(int fd, const std::string& path) {
  if (::fdatasync(fd) != 0) return ErrnoStatus("sync", path);
  return Status::Ok();
}

Status SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open directory", dir);
  const bool ok = ::fsync(fd) == 0;
  Status status = ok ? Status::Ok() : ErrnoStatus("sync directory", dir);
  ::close(fd);
  return status;
}

Status WriteFileAtomically(const std::string& path, std::string_view content) {
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("create", temp);
  Status status = WriteAt(fd, temp, content.data(), content.size(), 0);
  if (status.ok()) status = SyncFile(fd, temp);
  ::close(fd);
  if (status.ok() && ::rename(temp.c_str(), path.c_str()) != 0)
    status = ErrnoStatus("rename", temp);
  if (!status.ok()) {
    ::unlink(temp.c_str());
    return status;
  }
  return SyncDirectory(std::filesystem::path(path).parent_path().string());
}

}  // namespace cdp::local_log
