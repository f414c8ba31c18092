#include "store/columnar/io/part_reader.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <numeric>

#include "store/columnar/io/part_format.h"

namespace cdp::columnar {
namespace {

Status Corrupt(const std::string& path, std::string_view what) {
  return Status::Internal("corrupt part " + path + ": " + std::string(what));
}

// Reads the footer's encodings; every read checks the bytes left.
class FooterCursor {
 public:
  explicit FooterCursor(std::string_view bytes) : rest_(bytes) {}

  bool ReadVarint(uint64_t& value) {
    value = 0;
    for (int shift = 0; shift <= 63; shift += 7) {
      if (rest_.empty()) return false;
      const auto byte = static_cast<uint8_t>(rest_.front());
      rest_.remove_prefix(1);
      if (shift == 63 && byte > 1) return false;  // past 2^64, or an 11th byte
      value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return true;
    }
    return false;
  }

  bool ReadByte(uint8_t& value) {
    if (rest_.empty()) return false;
    value = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return true;
  }

  bool ReadFixed64(uint64_t& value) {
    if (rest_.size() < 8) return false;
    value = DecodeFixed64(rest_.data());
    rest_.remove_prefix(8);
    return true;
  }

  bool ReadLengthPrefixed(std::string_view& bytes) {
    uint64_t length = 0;
    if (!ReadVarint(length) || length > rest_.size()) return false;
    bytes = rest_.substr(0, static_cast<size_t>(length));
    rest_.remove_prefix(static_cast<size_t>(length));
    return true;
  }

  size_t remaining() const { return rest_.size(); }

 private:
  std::string_view rest_;
};

// The fewest footer bytes an entry takes: a column (name length, a 1-byte
// name, kind, block count), a block (offset, size, rows, checksum, stats
// length), a metadata entry (key length, value length).
constexpr size_t kMinColumnBytes = 4;
constexpr size_t kMinBlockBytes = 3 + 8 + 1;
constexpr size_t kMinMetadataBytes = 2;

std::string Describe(const PartColumn& column, uint64_t block) {
  return "block " + std::to_string(block) + " of column " + std::string(column.name);
}

}  // namespace

PartReader::PartReader(std::shared_ptr<const MappedFile> file, Options options)
    : file_(std::move(file)), options_(options) {}

Result<std::unique_ptr<PartReader>> PartReader::Open(FileSystem& fs, const std::string& path,
                                                     Options options) {
  CDP_ASSIGN_OR_RETURN(std::shared_ptr<const MappedFile> file, fs.Map(path));
  return Open(std::move(file), options);
}

Result<std::unique_ptr<PartReader>> PartReader::Open(std::shared_ptr<const MappedFile> file,
                                                     Options options) {
  const std::string_view data = file->data();
  const std::string& path = file->path();
  if (reinterpret_cast<uintptr_t>(data.data()) % kPartBlockAlignment != 0) {
    return Status::Internal("cannot read part " + path + ": its mapping is not 8-byte aligned");
  }
  if (data.size() < kPartHeaderSize + kPartTrailerSize) {
    return Corrupt(path, std::to_string(data.size()) + " bytes, too short for a part");
  }
  if (data.substr(0, kPartHeaderSize) != kPartMagic) return Corrupt(path, "no magic at the start");
  const uint64_t trailer_offset = data.size() - kPartTrailerSize;
  CDP_ASSIGN_OR_RETURN(const PartTrailer trailer,
                       DecodePartTrailer(data.substr(trailer_offset), path));
  if (trailer.footer_offset < kPartHeaderSize || trailer.footer_offset > trailer_offset ||
      trailer.footer_size != trailer_offset - trailer.footer_offset) {
    return Corrupt(path, "footer at " + std::to_string(trailer.footer_offset) + " of " +
                             std::to_string(trailer.footer_size) +
                             " bytes does not end where the trailer starts, at " +
                             std::to_string(trailer_offset));
  }
  const std::string_view footer = data.substr(trailer.footer_offset, trailer.footer_size);
  if (PartChecksum(footer) != trailer.footer_checksum) {
    return Corrupt(path, "footer checksum mismatch");
  }
  // The constructor is private: no std::make_unique.
  std::unique_ptr<PartReader> reader(new PartReader(std::move(file), options));
  CDP_RETURN_IF_ERROR(reader->ParseFooter(footer, trailer.footer_offset));
  return reader;
}

Status PartReader::ParseFooter(std::string_view footer, uint64_t footer_offset) {
  FooterCursor in(footer);
  uint64_t column_count = 0;
  if (!in.ReadVarint(column_count) || column_count > in.remaining() / kMinColumnBytes) {
    return Corrupt(path(), "footer: bad column count");
  }
  columns_.reserve(column_count);
  first_block_id_.reserve(column_count);
  std::vector<std::pair<uint64_t, uint64_t>> extents;  // (offset, size) of non-empty blocks
  size_t block_ids = 0;
  for (uint64_t c = 0; c < column_count; ++c) {
    PartColumn column;
    uint64_t block_count = 0;
    if (!in.ReadLengthPrefixed(column.name) || column.name.empty() || !in.ReadByte(column.kind) ||
        !in.ReadVarint(block_count) || block_count > in.remaining() / kMinBlockBytes) {
      return Corrupt(path(), "footer: bad column " + std::to_string(c));
    }
    column.blocks.reserve(block_count);
    for (uint64_t b = 0; b < block_count; ++b) {
      PartBlock block;
      if (!in.ReadVarint(block.offset) || !in.ReadVarint(block.size) ||
          !in.ReadVarint(block.row_count) || !in.ReadFixed64(block.checksum) ||
          !in.ReadLengthPrefixed(block.stats)) {
        return Corrupt(path(), "footer: bad " + Describe(column, b));
      }
      if (block.offset % kPartBlockAlignment != 0 || block.offset < kPartHeaderSize ||
          block.offset > footer_offset || block.size > footer_offset - block.offset) {
        return Corrupt(path(), Describe(column, b) + " at " + std::to_string(block.offset) +
                                   " of " + std::to_string(block.size) +
                                   " bytes is not an aligned range before the footer");
      }
      if (block.row_count > std::numeric_limits<uint64_t>::max() - column.row_count) {
        return Corrupt(path(), "column " + std::string(column.name) + ": row count overflows");
      }
      column.row_count += block.row_count;
      if (block.size > 0) extents.emplace_back(block.offset, block.size);
      column.blocks.push_back(block);
    }
    first_block_id_.push_back(block_ids);
    block_ids += column.blocks.size();
    columns_.push_back(std::move(column));
  }

  uint64_t metadata_count = 0;
  if (!in.ReadVarint(metadata_count) || metadata_count > in.remaining() / kMinMetadataBytes) {
    return Corrupt(path(), "footer: bad metadata count");
  }
  metadata_.reserve(metadata_count);
  for (uint64_t m = 0; m < metadata_count; ++m) {
    std::string_view key;
    std::string_view value;
    if (!in.ReadLengthPrefixed(key) || !in.ReadLengthPrefixed(value)) {
      return Corrupt(path(), "footer: bad metadata entry " + std::to_string(m));
    }
    if (!metadata_.empty() && !(metadata_.back().first < key)) {
      return Corrupt(path(), "footer: metadata keys not in ascending order");
    }
    metadata_.emplace_back(key, value);
  }
  if (in.remaining() != 0) {
    return Corrupt(path(), "footer: " + std::to_string(in.remaining()) + " bytes after its end");
  }

  sorted_columns_.resize(columns_.size());
  std::iota(sorted_columns_.begin(), sorted_columns_.end(), size_t{0});
  std::sort(sorted_columns_.begin(), sorted_columns_.end(),
            [this](size_t a, size_t b) { return columns_[a].name < columns_[b].name; });
  for (size_t i = 1; i < sorted_columns_.size(); ++i) {
    if (columns_[sorted_columns_[i - 1]].name == columns_[sorted_columns_[i]].name) {
      return Corrupt(path(), "column " + std::string(columns_[sorted_columns_[i]].name) + " twice");
    }
  }
  std::sort(extents.begin(), extents.end());
  for (size_t i = 1; i < extents.size(); ++i) {
    if (extents[i].first < extents[i - 1].first + extents[i - 1].second) {
      return Corrupt(path(), "blocks overlap at " + std::to_string(extents[i].first));
    }
  }
  verified_ = std::make_unique<std::atomic<uint8_t>[]>(block_ids);
  return Status::Ok();
}

std::optional<size_t> PartReader::FindColumn(std::string_view name) const {
  const auto found = std::lower_bound(
      sorted_columns_.begin(), sorted_columns_.end(), name,
      [this](size_t index, std::string_view wanted) { return columns_[index].name < wanted; });
  if (found == sorted_columns_.end() || columns_[*found].name != name) return std::nullopt;
  return *found;
}

std::optional<std::string_view> PartReader::FindMetadata(std::string_view key) const {
  const auto found = std::lower_bound(
      metadata_.begin(), metadata_.end(), key,
      [](const auto& entry, std::string_view wanted) { return entry.first < wanted; });
  if (found == metadata_.end() || found->first != key) return std::nullopt;
  return found->second;
}

Status PartReader::CheckBlock(size_t column, size_t block) const {
  const PartBlock& entry = columns_[column].blocks[block];
  const std::string_view bytes = file_->data().substr(entry.offset, entry.size);
  if (PartChecksum(bytes) != entry.checksum) {
    return Corrupt(path(), Describe(columns_[column], block) + " fails its checksum");
  }
  verified_[first_block_id_[column] + block].store(1, std::memory_order_release);
  return Status::Ok();
}

Result<std::string_view> PartReader::ReadBlock(size_t column, size_t block) const {
  assert(column < columns_.size() && block < columns_[column].blocks.size());
  const bool checked =
      options_.verification == BlockVerification::kNever ||
      (options_.verification == BlockVerification::kFirstRead &&
       verified_[first_block_id_[column] + block].load(std::memory_order_acquire) != 0);
  if (!checked) CDP_RETURN_IF_ERROR(CheckBlock(column, block));
  const PartBlock& entry = columns_[column].blocks[block];
  return file_->data().substr(entry.offset, entry.size);
}

Status PartReader::VerifyAllBlocks() const {
  for (size_t column = 0; column < columns_.size(); ++column) {
    for (size_t block = 0; block < columns_[column].blocks.size(); ++block) {
      CDP_RETURN_IF_ERROR(CheckBlock(column, block));
    }
  }
  return Status::Ok();
}

}  // namespace cdp::columnar
