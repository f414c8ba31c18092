#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

// The file system as the columnar store sees it (LevelDB's Env, reduced to
// files): every operation the part writer, the part reader and the directory
// recovery need, and nothing else, so that tests can wrap it
// (FaultInjectingFileSystem) to fail writes, fill the disk or lose power.
//
// Errors: a Status naming the operation, the path and the cause (the errno
// text for PosixFileSystem). A missing file or directory is
// ErrorCode::kNotFound; anything else is ErrorCode::kInternal. The cause is for
// the log; the message never shows a path.
//
// Paths are plain strings, "/"-separated; a file's directory is everything
// before its last "/".
namespace cdp::columnar {

// A file being written from its start, by appending. Unbuffered: each Append
// reaches the operating system (write(2)) before it returns, so a failing
// Append has written an unknown prefix of its data.
// Thread safety: one thread at a time.
// Lifetime: destroying an unclosed file closes it and drops the close error;
// call Close() to see it.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  WritableFile(const WritableFile&) = delete;
  WritableFile& operator=(const WritableFile&) = delete;

  // REQUIRES: not closed.
  virtual Status Append(std::string_view data) = 0;
  // Makes everything appended so far durable (fdatasync: the data and the
  // file size, not the directory entry; see FileSystem::SyncDirectory).
  // REQUIRES: not closed.
  virtual Status Sync() = 0;
  // Releases the file. Does not sync. Calling it again returns Ok.
  virtual Status Close() = 0;
  virtual const std::string& path() const = 0;

 protected:
  WritableFile() = default;
};

// A file read at any offset. Thread safety: every method may be called from
// several threads at once.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  RandomAccessFile(const RandomAccessFile&) = delete;
  RandomAccessFile& operator=(const RandomAccessFile&) = delete;

  virtual Result<uint64_t> Size() const = 0;
  // Reads up to `size` bytes at `offset` into `buffer`; fewer only at the end
  // of the file (0 at or past it). REQUIRES: `buffer` holds `size` bytes.
  virtual Result<size_t> ReadAt(uint64_t offset, size_t size, char* buffer) const = 0;
  virtual const std::string& path() const = 0;

 protected:
  RandomAccessFile() = default;
};

// A whole file mapped read-only into memory: a scan reads a part's blocks in
// place, without a copy. data() is valid, and its bytes unchanged, for the
// lifetime of the object; data().data() is page-aligned (or null for an empty
// file).
// REQUIRES: nobody truncates or rewrites the file while it is mapped (the
// process would get SIGBUS or see the new bytes). Parts are immutable once
// renamed to their final name, and removing (unlinking) a mapped file is safe:
// the mapping keeps the bytes until it goes away.
// Thread safety: immutable; share it freely (std::shared_ptr<const MappedFile>).
class MappedFile {
 public:
  virtual ~MappedFile() = default;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  virtual std::string_view data() const = 0;
  virtual const std::string& path() const = 0;

 protected:
  MappedFile() = default;
};

// A MappedFile over a copy of `bytes` held in memory, at an 8-byte aligned
// address, named `path`: for tests and fuzzers that build or damage files
// without a file system.
std::shared_ptr<const MappedFile> NewMemoryMappedFile(std::string path, std::string_view bytes);

// Thread safety: every method may be called from several threads at once; the
// file system gives no ordering between them beyond what POSIX gives.
class FileSystem {
 public:
  virtual ~FileSystem() = default;
  FileSystem(const FileSystem&) = delete;
  FileSystem& operator=(const FileSystem&) = delete;

  // Creates `path` and any missing parents (mkdir -p). Ok if it exists as a
  // directory. Not durable until the parent directories are synced.
  virtual Status CreateDirectories(const std::string& path) = 0;
  // The names (not paths) of the entries in `dir`, without "." and "..",
  // sorted by bytes.
  virtual Result<std::vector<std::string>> ListDirectory(const std::string& dir) = 0;

  // Creates `path`, or truncates it if it exists, for writing from offset 0.
  // The new directory entry is durable only after SyncDirectory.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;
  // Maps the whole of `path` read-only (see MappedFile).
  virtual Result<std::shared_ptr<const MappedFile>> Map(const std::string& path) = 0;

  // rename(2): atomically replaces `to` if it exists. Durable only after
  // SyncDirectory of both directories (the same one, for the part writer).
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // Removes a file (not a directory). kNotFound if it does not exist.
  virtual Status RemoveFile(const std::string& path) = 0;
  // Removes a directory and everything under it (rm -rf). Ok if `path` does
  // not exist.
  virtual Status RemoveDirectoryTree(const std::string& path) = 0;
  // Makes the creations, renames and removals of entries in `dir` durable
  // (fsync of the directory).
  virtual Status SyncDirectory(const std::string& dir) = 0;

  virtual Result<uint64_t> FileSize(const std::string& path) = 0;
  // Bytes an unprivileged writer may still use on the file system of `path`.
  virtual Result<uint64_t> FreeSpace(const std::string& path) = 0;

 protected:
  FileSystem() = default;
};

// The Status of a failed file operation: "cannot <operation> <path>: <strerror>"
// as the cause; kNotFound for ENOENT, kInternal otherwise. For implementations.
Status FileSystemError(std::string_view operation, std::string_view path, int error_number);

// "dir" of "dir/name"; "." for a path without "/"; "/" for "/name".
std::string DirectoryOf(std::string_view path);
// "name" of "dir/name"; the whole path without "/".
std::string_view BaseNameOf(std::string_view path);
// "dir/name" (no doubled "/" when `dir` ends in one).
std::string JoinPath(std::string_view dir, std::string_view name);

}  // namespace cdp::columnar
