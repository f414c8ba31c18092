#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/columnar/column_table.h"
#include "store/columnar/encoding/block_encoding.h"
#include "store/columnar/io/file_system.h"
#include "store/columnar/io/part_reader.h"
#include "store/columnar/part_name.h"
#include "store/scan.h"

namespace cdp::columnar {

// Per-thread buffers one column's blocks are decoded into, reused block
// after block.
struct DecodedColumn {
  DecodedStringBlock strings;
  DecodedInt64Block times;
  // A time column stored relative to the timestamp column: that block, and
  // the sums.
  DecodedInt64Block timestamps;
  std::vector<int64_t> absolute;
  DecodedDoubleBlock numbers;
  DecodedBoolBlock booleans;
};

// One immutable part of events (docs/storage-format.md): a part file of the
// container format (io/part_format.h) whose columns are the event columns
// (kind tag = ColumnKind, with bit 0x80 for a time column stored relative to
// timestamp), all cut into blocks at the same rows, with the part's row count
// and time range in its metadata.
// Thread safety: immutable once open; share it (std::shared_ptr<const Part>).
class Part {
 public:
  // Writes the rows of `table` in `order` as the part file `path`, in blocks
  // of `block_rows` rows; complete and durable at `path` when Ok, absent
  // otherwise (see PartWriter). REQUIRES: `table` is sealed, not empty, and
  // has a "timestamp" time column; `order` is a permutation of its rows.
  static Status Write(FileSystem& fs, const std::string& path, const ColumnTable& table,
                      std::span<const uint32_t> order, size_t block_rows);

  // Opens a part file written by Write; checks its footer and that its
  // columns agree on the block boundaries.
  static Result<std::shared_ptr<const Part>> Open(FileSystem& fs, const std::string& path,
                                                  const PartName& name);

  const PartName& name() const { return name_; }
  const std::string& path() const { return reader_->path(); }
  uint64_t rows() const { return rows_; }
  uint64_t bytes() const { return reader_->file_size(); }
  int64_t min_timestamp() const { return min_timestamp_; }  // microseconds
  int64_t max_timestamp() const { return max_timestamp_; }

  size_t column_count() const { return columns_.size(); }
  std::string_view column_name(size_t column) const { return reader_->columns()[column].name; }
  ColumnKind column_kind(size_t column) const { return columns_[column].kind; }
  std::optional<size_t> FindColumn(std::string_view name) const {
    return reader_->FindColumn(name);
  }

  // Every column is cut at the same rows: block b holds rows
  // [BlockStart(b), BlockStart(b) + BlockRows(b)).
  size_t block_count() const { return block_starts_.size(); }
  uint64_t BlockStart(size_t block) const { return block_starts_[block]; }
  uint32_t BlockRows(size_t block) const;
  const BlockStats& Stats(size_t column, size_t block) const {
    return columns_[column].stats[block];
  }

  // Decodes a block of a column into `into` and points `out` at it.
  Status Decode(size_t column, size_t block, DecodedColumn& into, ColumnData& out) const;
  // Appends every row of the part to `table` (for merges).
  Status AppendTo(ColumnTable& table) const;

 private:
  struct ColumnInfo {
    ColumnKind kind = ColumnKind::kString;
    bool relative_to_timestamp = false;
    std::vector<BlockStats> stats;  // per block
  };
  Part(PartName name, std::unique_ptr<PartReader> reader) noexcept;
  // Adds the block's timestamps to the differences in `into.times`.
  Status AddTimestamps(size_t block, DecodedColumn& into) const;

  PartName name_;
  std::unique_ptr<PartReader> reader_;
  uint64_t rows_ = 0;
  int64_t min_timestamp_ = 0;
  int64_t max_timestamp_ = 0;
  std::vector<ColumnInfo> columns_;
  std::vector<uint64_t> block_starts_;
  size_t timestamp_column_ = 0;
};

}  // namespace cdp::columnar
