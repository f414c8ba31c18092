#include "store/columnar/io/posix_file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>

namespace cdp::columnar {
namespace {

Status ErrnoError(std::string_view operation, std::string_view path) {
  return FileSystemError(operation, path, errno);
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Append(std::string_view data) override {
    const char* next = data.data();
    size_t left = data.size();
    while (left > 0) {
      const ssize_t n = ::write(fd_, next, left);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ErrnoError("write", path_);
      next += n;
      left -= static_cast<size_t>(n);
    }
    return Status::Ok();
  }

  Status Sync() override {
    if (::fdatasync(fd_) != 0) return ErrnoError("sync", path_);
    return Status::Ok();
  }

  Status Close() override {
    if (fd_ < 0) return Status::Ok();
    const int result = ::close(fd_);
    fd_ = -1;  // closed even when close(2) fails: retrying could close another file
    if (result != 0) return ErrnoError("close", path_);
    return Status::Ok();
  }

  const std::string& path() const override { return path_; }

 private:
  const std::string path_;
  int fd_;
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }

  Result<uint64_t> Size() const override {
    struct stat info;
    if (::fstat(fd_, &info) != 0) return ErrnoError("stat", path_);
    return static_cast<uint64_t>(info.st_size);
  }

  Result<size_t> ReadAt(uint64_t offset, size_t size, char* buffer) const override {
    size_t total = 0;
    while (total < size) {
      const ssize_t n =
          ::pread(fd_, buffer + total, size - total, static_cast<off_t>(offset + total));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ErrnoError("read", path_);
      if (n == 0) break;
      total += static_cast<size_t>(n);
    }
    return total;
  }

  const std::string& path() const override { return path_; }

 private:
  const std::string path_;
  const int fd_;
};

class PosixMappedFile final : public MappedFile {
 public:
  // `address` is null for an empty file (nothing to map).
  PosixMappedFile(std::string path, void* address, size_t size)
      : path_(std::move(path)), address_(address), size_(size) {}
  ~PosixMappedFile() override {
    if (address_ != nullptr) ::munmap(address_, size_);
  }

  std::string_view data() const override { return {static_cast<const char*>(address_), size_}; }
  const std::string& path() const override { return path_; }

 private:
  const std::string path_;
  void* const address_;
  const size_t size_;
};

}  // namespace

Status PosixFileSystem::CreateDirectories(const std::string& path) {
  if (path.empty()) return FileSystemError("create directory", path, ENOENT);
  // Every prefix ending before a "/", then the whole path.
  for (size_t end = path.find('/', 1);; end = path.find('/', end + 1)) {
    const std::string prefix = path.substr(0, end);
    if (!prefix.empty() && prefix.back() != '/' && ::mkdir(prefix.c_str(), 0755) != 0) {
      if (errno != EEXIST) return ErrnoError("create directory", prefix);
      struct stat info;
      if (::stat(prefix.c_str(), &info) != 0) return ErrnoError("stat", prefix);
      if (!S_ISDIR(info.st_mode)) return FileSystemError("create directory", prefix, ENOTDIR);
    }
    if (end == std::string::npos) return Status::Ok();
  }
}

Result<std::vector<std::string>> PosixFileSystem::ListDirectory(const std::string& dir) {
  DIR* stream = ::opendir(dir.c_str());
  if (stream == nullptr) return ErrnoError("open directory", dir);
  std::vector<std::string> names;
  while (true) {
    errno = 0;
    const dirent* entry = ::readdir(stream);
    if (entry == nullptr) break;
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  const int read_error = errno;
  ::closedir(stream);
  if (read_error != 0) return FileSystemError("list directory", dir, read_error);
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::unique_ptr<WritableFile>> PosixFileSystem::NewWritableFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("create", path);
  return std::unique_ptr<WritableFile>(std::make_unique<PosixWritableFile>(path, fd));
}

Result<std::unique_ptr<RandomAccessFile>> PosixFileSystem::NewRandomAccessFile(
    const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open", path);
  return std::unique_ptr<RandomAccessFile>(std::make_unique<PosixRandomAccessFile>(path, fd));
}

Result<std::shared_ptr<const MappedFile>> PosixFileSystem::Map(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open", path);
  struct stat info;
  if (::fstat(fd, &info) != 0) {
    Status status = ErrnoError("stat", path);
    ::close(fd);
    return status;
  }
  const size_t size = static_cast<size_t>(info.st_size);
  void* address = nullptr;
  if (size > 0) {
    address = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    if (address == MAP_FAILED) {
      Status status = ErrnoError("map", path);
      ::close(fd);
      return status;
    }
  }
  ::close(fd);  // the mapping keeps the file
  return std::shared_ptr<const MappedFile>(std::make_shared<PosixMappedFile>(path, address, size));
}

Status PosixFileSystem::Rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return ErrnoError("rename", from + " to " + to);
  return Status::Ok();
}

Status PosixFileSystem::RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return ErrnoError("remove", path);
  return Status::Ok();
}

Status PosixFileSystem::RemoveDirectoryTree(const std::string& path) {
  std::error_code error;
  std::filesystem::remove_all(path, error);
  if (error) return FileSystemError("remove directory tree", path, error.value());
  return Status::Ok();
}

Status PosixFileSystem::SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open directory", dir);
  Status status = ::fsync(fd) == 0 ? Status::Ok() : ErrnoError("sync directory", dir);
  ::close(fd);
  return status;
}

Result<uint64_t> PosixFileSystem::FileSize(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) return ErrnoError("stat", path);
  return static_cast<uint64_t>(info.st_size);
}

Result<uint64_t> PosixFileSystem::FreeSpace(const std::string& path) {
  struct statvfs info;
  if (::statvfs(path.c_str(), &info) != 0) return ErrnoError("stat file system of", path);
  return static_cast<uint64_t>(info.f_bavail) * static_cast<uint64_t>(info.f_frsize);
}

}  // namespace cdp::columnar
