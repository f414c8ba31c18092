#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "store/columnar/io/file_system.h"

namespace cdp::columnar {

// A FileSystem for tests (LevelDB's SpecialEnv and FaultInjectionTestEnv):
// forwards to a base file system, and on request fails operations the way a
// failing or full disk does, or "loses power".
//
// Faults (each armed until ClearFaults or SimulateCrash). An injected failure
// is a kInternal Status whose cause ends in "(injected)":
//  - FailAppend(i, k): the i-th Append (0-based, counted across all files
//    since construction, failed ones included) writes its first k bytes to
//    the base file, then fails with EIO. k = 0 is a plain failed write,
//    k > 0 a short write.
//  - LimitAppendedBytes(budget, errno): appends may write `budget` more bytes
//    in total; the one that crosses the budget writes what fits, then fails
//    with `errno`, and so does every later one. ENOSPC is a full disk (and
//    FreeSpace reports the budget left), EIO a disk failing past a point.
//  - FailSyncs / FailRenames / FailRemoves / FailDirectorySyncs /
//    FailFileCreation: the operation fails with EIO and changes nothing.
//  - HaltAfter(n): the next n mutating operations (creating, appending,
//    syncing, closing, renaming or removing files, creating or syncing
//    directories) run; from then on every operation, reads included, fails
//    with EIO, as if the machine had stopped. Used with SimulateCrash to cut
//    a sequence of writes at every point. (Files opened for reading before
//    the halt still read.)
//
// Crash (SimulateCrash): the state the disk could be in after a power loss,
// taking the pessimistic choice where POSIX allows several:
//  - data: every file written through this file system keeps only the bytes
//    covered by its last successful Sync (0 if never synced; a file truncated
//    by NewWritableFile keeps nothing of its old contents). Files not written
//    through it keep all their bytes.
//  - names (CrashMode::kUndoUnsyncedNames): each file creation, rename and
//    removal not yet made durable by SyncDirectory is undone, newest first: a
//    created file disappears, a renamed file gets its old name back (and a
//    file it replaced reappears with its durable bytes), a removed file
//    reappears with its durable bytes. A change is durable once the directory
//    of every path it touched was synced after it. With
//    CrashMode::kKeepNames, every name change survives (only data is lost):
//    together the two modes bracket what a journaling file system may do.
//  - Not modelled: directories created with CreateDirectories and trees
//    removed with RemoveDirectoryTree count as durable at once; a crash
//    never leaves a partial prefix of the unsynced data, nor garbage; a
//    failed Sync makes nothing durable, but a later successful one does here,
//    while Linux may have dropped the dirty pages meanwhile (never retry a
//    failed Sync).
// After SimulateCrash the file system works again ("reboot"): faults and the
// halt are cleared, files opened for writing before fail every operation but
// Close, and everything on disk counts as durable.
//
// Thread safety: every method may be called from any thread; operations are
// serialized by one mutex (test speed is not a goal).
// REQUIRES: `base` outlives this object and every file opened through it.
class FaultInjectingFileSystem final : public FileSystem {
 public:
  enum class CrashMode { kKeepNames, kUndoUnsyncedNames };

  explicit FaultInjectingFileSystem(FileSystem& base);
  ~FaultInjectingFileSystem() override;

  // --- Faults ---
  void FailAppend(uint64_t append_index, size_t bytes_written_first = 0);
  void LimitAppendedBytes(uint64_t budget, int error_number);
  void FailSyncs(bool fail);
  void FailRenames(bool fail);
  void FailRemoves(bool fail);
  void FailDirectorySyncs(bool fail);
  void FailFileCreation(bool fail);
  void HaltAfter(uint64_t operations);
  void ClearFaults();

  // --- Power loss ---
  // Rewrites the base files to the state described above. An error comes
  // from the base file system.
  Status SimulateCrash(CrashMode mode);

  // --- Counters, since construction ---
  uint64_t appends() const;         // Append calls, failed ones included
  uint64_t bytes_appended() const;  // bytes that reached the base files
  uint64_t operations() const;      // mutating operations that ran
  bool halted() const;

  // --- FileSystem ---
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

 private:
  class File;
  friend class File;

  // How much of a file written through this file system would survive.
  struct FileState {
    uint64_t size = 0;
    uint64_t synced_size = 0;
  };
  // A creation, rename or removal not yet made durable.
  struct NameChange {
    enum class Kind { kCreate, kRename, kRemove };
    Kind kind;
    std::string path;                     // created, removed, or renamed to
    std::string from;                     // kRename
    std::optional<std::string> replaced;  // kRename over a file, kRemove: its durable bytes
    std::set<std::string> unsynced_dirs;  // durable once empty
  };

  void ClearFaultsLocked();
  // Counts a mutating operation; an injected EIO once halted.
  Status BeginOperation(std::string_view operation, std::string_view path);
  Status CheckNotHalted(std::string_view operation, std::string_view path);
  // The bytes of `path` that would survive a crash now.
  Result<std::string> DurableContents(const std::string& path);
  Status WriteBaseFile(const std::string& path, const std::string& contents);
  Status UndoNameChange(const NameChange& change);
  void ForgetUnder(const std::string& dir);

  // Called by File, under mutex_.
  Status AppendTo(File& file, std::string_view data);
  Status SyncFile(File& file);
  Status CloseFile(File& file);

  FileSystem& base_;
  mutable std::mutex mutex_;
  // Every member below is GUARDED_BY(mutex_).

  // Faults.
  std::optional<uint64_t> fail_append_index_;
  size_t fail_append_written_ = 0;
  std::optional<uint64_t> append_byte_limit_;  // in bytes_appended_ terms
  int append_limit_errno_ = 0;
  bool fail_syncs_ = false;
  bool fail_renames_ = false;
  bool fail_removes_ = false;
  bool fail_directory_syncs_ = false;
  bool fail_file_creation_ = false;
  std::optional<uint64_t> halt_at_operation_;
  bool halted_ = false;

  // Counters.
  uint64_t appends_ = 0;
  uint64_t bytes_appended_ = 0;
  uint64_t operations_ = 0;

  // Crash model. Files opened before the last crash carry an older epoch.
  uint64_t epoch_ = 0;
  std::map<std::string, std::shared_ptr<FileState>> files_;  // by current path
  std::vector<NameChange> unsynced_names_;                   // oldest first
};

}  // namespace cdp::columnar
