#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/columnar/io/file_system.h"

namespace cdp::columnar {

// Writes one part file (layout: part_format.h), so that it appears at its
// final path complete and durable, or not at all.
//
// The part is written to "<dir>/tmp_<name>" and, by Finish, synced, renamed
// to "<dir>/<name>" and the directory synced. Columns are written one after
// the other: StartColumn, then the column's blocks in order with AppendBlock;
// a column's blocks are contiguous in the file, so a scan of a few columns
// reads a few ranges. (Columns cannot be interleaved: a caller that builds
// blocks row-wise keeps them until the part is complete, or writes the part
// column by column, as a vertical merge does.)
//
// Failure: any failed call leaves the writer failed. It has removed its
// temporary file (best effort: if that fails too, the Status's cause says so,
// and RemoveTemporaryParts removes it at the next start), the final name does
// not exist, and every later call returns the same Status. A Finish that fails
// after the rename (the directory sync failed) removes the final name again;
// should the machine crash before that removal is durable, the part may
// reappear after restart, complete and intact (its data was synced). Callers
// must therefore accept finding a part they were told failed: name parts
// deterministically (by their contents' source range) so a retry conflicts
// with it (Create returns kConflict) rather than duplicating it.
//
// Thread safety: one thread at a time. Two writers must not write the same
// final path at once.
class PartWriter {
 public:
  // Starts the part that Finish makes appear at `path`. kConflict if `path`
  // exists (parts are immutable; nothing is written then). REQUIRES: the
  // directory of `path` exists; the name does not start with "tmp_".
  // `fs` must outlive the writer.
  static Result<std::unique_ptr<PartWriter>> Create(FileSystem& fs, const std::string& path);

  // Abandons the part if neither Finish nor Abandon ran (dropping the Status
  // of the cleanup: call Abandon to see it).
  ~PartWriter();
  PartWriter(const PartWriter&) = delete;
  PartWriter& operator=(const PartWriter&) = delete;

  // Starts the next column. `name` must be non-empty and not used by an
  // earlier column of the part; `kind` is opaque (the column encoding's tag).
  Status StartColumn(std::string_view name, uint8_t kind);
  // Appends a block to the column started last: its encoded bytes, its
  // opaque stats, and its row count. REQUIRES: a column was started.
  Status AppendBlock(std::string_view data, std::string_view stats, uint64_t row_count);
  // Sets a part-level metadata value (row count, time range, source range...:
  // opaque here); a later call with the same key replaces the value. Written
  // by Finish.
  void SetMetadata(std::string_view key, std::string_view value);

  // Writes the footer and trailer, syncs, renames, syncs the directory. Ok:
  // the part is durable at path(). REQUIRES: not finished or abandoned.
  Status Finish();
  // Gives up the part: closes and removes the temporary file. Ok after a
  // failure (already cleaned up). REQUIRES: not finished.
  Status Abandon();

  const std::string& path() const { return path_; }
  const std::string& temporary_path() const { return temporary_path_; }
  // Bytes written to the temporary file so far (header, blocks, padding).
  uint64_t bytes_written() const { return offset_; }

 private:
  struct Block {
    uint64_t offset;
    uint64_t size;
    uint64_t row_count;
    uint64_t checksum;
    std::string stats;
  };
  struct Column {
    std::string name;
    uint8_t kind;
    std::vector<Block> blocks;
  };
  enum class State { kWriting, kFinished, kFailed, kAbandoned };
  // How far Finish got when it failed: what the cleanup removes.
  enum class Stage { kBeforeRename, kRenameFailed, kRenamed };

  PartWriter(FileSystem& fs, std::string path, std::string temporary_path,
             std::unique_ptr<WritableFile> file);
  // Appends `bytes` at offset_.
  Status Write(std::string_view bytes);
  std::string EncodeFooter() const;
  // Enters kFailed: closes and removes what was written, keeps `status`
  // (with the cleanup's errors added to its cause) and returns it.
  Status Fail(Status status, Stage stage = Stage::kBeforeRename);

  FileSystem& fs_;
  const std::string path_;
  const std::string temporary_path_;
  std::unique_ptr<WritableFile> file_;
  uint64_t offset_ = 0;
  std::vector<Column> columns_;
  std::set<std::string, std::less<>> column_names_;
  std::map<std::string, std::string, std::less<>> metadata_;
  State state_ = State::kWriting;
  Status failure_;
};

// Removes the temporary files of writers that did not finish ("tmp_*", the
// debris of a crash) from `dir`, and syncs `dir` if it removed any. Returns
// how many it removed. Call it when opening a directory of parts, before any
// PartWriter starts there (it would remove a running writer's file).
Result<size_t> RemoveTemporaryParts(FileSystem& fs, const std::string& dir);

}  // namespace cdp::columnar
