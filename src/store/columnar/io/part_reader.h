#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "store/columnar/io/file_system.h"

namespace cdp::columnar {

// One block of a column, as the footer lists it. `stats` points into the part.
struct PartBlock {
  uint64_t offset = 0;
  uint64_t size = 0;
  uint64_t row_count = 0;
  uint64_t checksum = 0;
  std::string_view stats;
};

// One column of a part. `name` points into the part.
struct PartColumn {
  std::string_view name;
  uint8_t kind = 0;
  uint64_t row_count = 0;  // the sum of its blocks'
  std::vector<PartBlock> blocks;
};

// When PartReader::ReadBlock checks a block's checksum.
enum class BlockVerification {
  // On the first read of each block; later reads trust the result (the part
  // is immutable and mapped: its bytes cannot change under the reader). The
  // default: a hot scan pays for the checksum once per block per open.
  kFirstRead,
  // On every read (paranoid; costs one XXH3 pass, ~10+ GB/s, per read).
  kEveryRead,
  // Never on read: the caller trusts the bytes (e.g. it just ran
  // VerifyAllBlocks). Damaged bytes then reach the decoders, which must
  // still not crash on them.
  kNever,
};

// Reads a part file (layout: part_format.h) through a read-only mapping of
// the whole file: blocks are returned in place, without a copy.
//
// Open checks the header, trailer and footer and every block's place (steps
// 1-5 of the layout) and fails on the first problem; it reads no block. A
// block's checksum is checked when it is read, per BlockVerification. A part
// that fails a check is reported as kInternal with a cause starting
// "corrupt part <path>:".
//
// Lifetime: every string_view it returns (names, stats, metadata, block
// bytes) points into the mapping and is valid while the reader, or a copy of
// mapped_file(), lives. Block bytes start at an address that is a multiple of
// 8 (the mapping is page-aligned and block offsets are multiples of 8).
// Thread safety: every const method may be called from several threads at
// once.
class PartReader {
 public:
  struct Options {
    BlockVerification verification = BlockVerification::kFirstRead;
  };

  static Result<std::unique_ptr<PartReader>> Open(FileSystem& fs, const std::string& path,
                                                  Options options);
  static Result<std::unique_ptr<PartReader>> Open(FileSystem& fs, const std::string& path) {
    return Open(fs, path, Options());
  }
  // Over a file mapped already (or bytes a test or fuzzer made).
  static Result<std::unique_ptr<PartReader>> Open(std::shared_ptr<const MappedFile> file,
                                                  Options options);

  PartReader(const PartReader&) = delete;
  PartReader& operator=(const PartReader&) = delete;

  const std::string& path() const { return file_->path(); }
  uint64_t file_size() const { return file_->data().size(); }
  const std::shared_ptr<const MappedFile>& mapped_file() const { return file_; }

  // In the order they were written.
  const std::vector<PartColumn>& columns() const { return columns_; }
  // The index in columns() of the column named `name`.
  std::optional<size_t> FindColumn(std::string_view name) const;

  // The bytes of block `block` of column `column`, checked per Options; a
  // checksum mismatch is kInternal ("corrupt part ...: block ... of column
  // ... fails its checksum"), every time it is read.
  // REQUIRES: column < columns().size(), block < columns()[column].blocks.size().
  Result<std::string_view> ReadBlock(size_t column, size_t block) const;
  // Checks every block's checksum now, whatever the Options (a scrub); the
  // first mismatch is returned. Marks the blocks as checked.
  Status VerifyAllBlocks() const;

  // The part-level metadata, sorted by key.
  const std::vector<std::pair<std::string_view, std::string_view>>& metadata() const {
    return metadata_;
  }
  std::optional<std::string_view> FindMetadata(std::string_view key) const;

 private:
  PartReader(std::shared_ptr<const MappedFile> file, Options options);
  Status ParseFooter(std::string_view footer, uint64_t footer_offset);
  // Computes the block's checksum; on a match, records it in verified_.
  Status CheckBlock(size_t column, size_t block) const;

  const std::shared_ptr<const MappedFile> file_;
  const Options options_;
  std::vector<PartColumn> columns_;
  std::vector<size_t> sorted_columns_;  // indexes into columns_, by name
  std::vector<size_t> first_block_id_;  // per column: its first block's id
  std::vector<std::pair<std::string_view, std::string_view>> metadata_;
  // Per block id (first_block_id_ + index): 1 once its checksum matched.
  std::unique_ptr<std::atomic<uint8_t>[]> verified_;
};

}  // namespace cdp::columnar
