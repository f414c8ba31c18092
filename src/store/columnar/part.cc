#include "store/columnar/part.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cstdint>

#include "core/parse_integer.h"
#include "store/columnar/io/part_writer.h"

namespace cdp::columnar {

namespace {

// Part-level metadata keys.
constexpr std::string_view kFormatKey = "format";
constexpr std::string_view kFormat = "cdp-events/1";
constexpr std::string_view kRowsKey = "rows";
constexpr std::string_view kMinTimestampKey = "min_timestamp";
constexpr std::string_view kMaxTimestampKey = "max_timestamp";

// A time column's kind byte with this bit set holds each row's difference
// from the row's timestamp (mod 2^64): sent_at, received_at and
// original_timestamp sit within seconds of it, so the differences take a
// fraction of the bytes. Its block stats are still of the absolute times.
constexpr uint8_t kRelativeToTimestamp = 0x80;

// The container's block checksum is checked on first read; the encodings'
// own one would check the same bytes again.
constexpr BlockDecodeOptions kDecodeOptions{.verify_checksum = false};

Status Corrupt(std::string_view path, std::string_view what) {
  return Status::Internal(fmt::format("corrupt part {}: {}", path, what));
}

// One block of a column, gathered in part order.
struct BlockScratch {
  std::vector<uint8_t> is_null;
  std::vector<std::string_view> strings;
  std::vector<int64_t> times;
  std::vector<double> numbers;
  std::vector<uint8_t> booleans;
  std::vector<int64_t> base;  // the timestamps of the rows, for relative times
  std::string stats;
};

template <typename T>
void Gather(const std::vector<T>& values, std::span<const uint32_t> rows, std::vector<T>& out) {
  out.resize(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) out[i] = values[rows[i]];
}

EncodedBlock EncodeBlock(const TableColumn& column, std::span<const uint32_t> rows,
                         BlockScratch& scratch) {
  Gather(column.is_null, rows, scratch.is_null);
  switch (column.kind) {
    case ColumnKind::kString:
      Gather(column.strings, rows, scratch.strings);
      return EncodeStringBlock(scratch.strings, scratch.is_null);
    case ColumnKind::kTime:
      Gather(column.times, rows, scratch.times);
      return EncodeInt64Block(scratch.times, scratch.is_null);
    case ColumnKind::kNumber:
      Gather(column.numbers, rows, scratch.numbers);
      return EncodeDoubleBlock(scratch.numbers, scratch.is_null);
    case ColumnKind::kBoolean:
      Gather(column.booleans, rows, scratch.booleans);
      return EncodeBoolBlock(scratch.booleans, scratch.is_null);
  }
  assert(false);
  return {};
}

// A time column's block as differences from the rows' timestamps, with the
// stats of the absolute times (block skipping compares those).
EncodedBlock EncodeRelativeTimeBlock(const TableColumn& column, const TableColumn& timestamp,
                                     std::span<const uint32_t> rows, BlockScratch& scratch) {
  Gather(column.is_null, rows, scratch.is_null);
  Gather(column.times, rows, scratch.times);
  Gather(timestamp.times, rows, scratch.base);
  int64_t min = INT64_MAX;
  int64_t max = INT64_MIN;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (scratch.is_null[i]) continue;
    min = std::min(min, scratch.times[i]);
    max = std::max(max, scratch.times[i]);
    scratch.times[i] = static_cast<int64_t>(static_cast<uint64_t>(scratch.times[i]) -
                                            static_cast<uint64_t>(scratch.base[i]));
  }
  EncodedBlock block = EncodeInt64Block(scratch.times, scratch.is_null);
  block.stats.has_min_max = min <= max;
  block.stats.int_min = block.stats.has_min_max ? min : 0;
  block.stats.int_max = block.stats.has_min_max ? max : 0;
  return block;
}

}  // namespace

Status Part::Write(FileSystem& fs, const std::string& path, const ColumnTable& table,
                   std::span<const uint32_t> order, size_t block_rows) {
  assert(table.rows() > 0 && order.size() == table.rows() && block_rows > 0);
  const TableColumn* timestamp = table.Find("timestamp");
  assert(timestamp != nullptr && timestamp->kind == ColumnKind::kTime);
  const auto [min_time, max_time] =
      std::minmax_element(timestamp->times.begin(), timestamp->times.end());

  CDP_ASSIGN_OR_RETURN(std::unique_ptr<PartWriter> writer, PartWriter::Create(fs, path));
  BlockScratch scratch;
  for (const TableColumn& column : table.columns()) {
    // A time column other than timestamp is stored relative to it when that
    // makes its first block smaller; the first block is encoded both ways
    // once, and the smaller kept.
    const auto first = order.subspan(0, std::min(block_rows, order.size()));
    EncodedBlock block = EncodeBlock(column, first, scratch);
    bool relative = false;
    if (column.kind == ColumnKind::kTime && &column != timestamp) {
      EncodedBlock difference = EncodeRelativeTimeBlock(column, *timestamp, first, scratch);
      relative = difference.bytes.size() < block.bytes.size();
      if (relative) block = std::move(difference);
    }
    const uint8_t kind = static_cast<uint8_t>(column.kind) | (relative ? kRelativeToTimestamp : 0);
    CDP_RETURN_IF_ERROR(writer->StartColumn(column.name, kind));
    for (size_t start = 0; start < order.size(); start += block_rows) {
      const auto rows = order.subspan(start, std::min(block_rows, order.size() - start));
      if (start > 0) {
        block = relative ? EncodeRelativeTimeBlock(column, *timestamp, rows, scratch)
                         : EncodeBlock(column, rows, scratch);
      }
      scratch.stats.clear();
      AppendBlockStats(block.stats, scratch.stats);
      CDP_RETURN_IF_ERROR(writer->AppendBlock(block.bytes, scratch.stats, rows.size()));
    }
  }
  writer->SetMetadata(kFormatKey, kFormat);
  writer->SetMetadata(kRowsKey, std::to_string(table.rows()));
  writer->SetMetadata(kMinTimestampKey, std::to_string(*min_time));
  writer->SetMetadata(kMaxTimestampKey, std::to_string(*max_time));
  return writer->Finish();
}

Part::Part(PartName name, std::unique_ptr<PartReader> reader) noexcept
    : name_(name), reader_(std::move(reader)) {}

Result<std::shared_ptr<const Part>> Part::Open(FileSystem& fs, const std::string& path,
                                               const PartName& name) {
  CDP_ASSIGN_OR_RETURN(std::unique_ptr<PartReader> reader, PartReader::Open(fs, path));
  std::shared_ptr<Part> part(new Part(name, std::move(reader)));
  const PartReader& file = *part->reader_;

  if (file.FindMetadata(kFormatKey) != kFormat) return Corrupt(path, "not an events part");
  const auto number = [&](std::string_view key, auto& out) {
    const auto text = file.FindMetadata(key);
    return text.has_value() && ParseInteger(*text, out);
  };
  if (!number(kRowsKey, part->rows_) || !number(kMinTimestampKey, part->min_timestamp_) ||
      !number(kMaxTimestampKey, part->max_timestamp_) || part->rows_ == 0 ||
      part->min_timestamp_ > part->max_timestamp_) {
    return Corrupt(path, "bad metadata");
  }

  for (const PartColumn& column : file.columns()) {
    const uint8_t kind = column.kind & ~kRelativeToTimestamp;
    const bool relative = (column.kind & kRelativeToTimestamp) != 0;
    if (kind > static_cast<uint8_t>(ColumnKind::kBoolean) ||
        (relative &&
         (kind != static_cast<uint8_t>(ColumnKind::kTime) || column.name == "timestamp"))) {
      return Corrupt(path, fmt::format("column {} has an unknown kind", column.name));
    }
    if (column.row_count != part->rows_) {
      return Corrupt(path, fmt::format("column {} has another row count", column.name));
    }
    ColumnInfo& info = part->columns_.emplace_back();
    info.kind = static_cast<ColumnKind>(kind);
    info.relative_to_timestamp = relative;
    info.stats.resize(column.blocks.size());
    std::vector<uint64_t> starts;
    uint64_t start = 0;
    for (size_t block = 0; block < column.blocks.size(); ++block) {
      std::string_view stats = column.blocks[block].stats;
      CDP_RETURN_IF_ERROR(ReadBlockStats(stats, info.stats[block]));
      if (!stats.empty() || info.stats[block].row_count != column.blocks[block].row_count) {
        return Corrupt(path, fmt::format("column {} has bad block stats", column.name));
      }
      starts.push_back(start);
      start += column.blocks[block].row_count;
    }
    if (part->columns_.size() == 1) {
      part->block_starts_ = std::move(starts);
    } else if (starts != part->block_starts_) {
      return Corrupt(path, fmt::format("column {} is cut at other rows", column.name));
    }
  }
  const auto timestamp = file.FindColumn("timestamp");
  if (!timestamp.has_value() || part->columns_[*timestamp].kind != ColumnKind::kTime) {
    return Corrupt(path, "no timestamp column");
  }
  part->timestamp_column_ = *timestamp;
  return std::shared_ptr<const Part>(std::move(part));
}

uint32_t Part::BlockRows(size_t block) const {
  const uint64_t end = block + 1 < block_starts_.size() ? block_starts_[block + 1] : rows_;
  return static_cast<uint32_t>(end - block_starts_[block]);
}

Status Part::Decode(size_t column, size_t block, DecodedColumn& into, ColumnData& out) const {
  CDP_ASSIGN_OR_RETURN(const std::string_view bytes, reader_->ReadBlock(column, block));
  size_t rows = 0;
  switch (columns_[column].kind) {
    case ColumnKind::kString:
      CDP_RETURN_IF_ERROR(DecodeStringBlock(bytes, into.strings, kDecodeOptions));
      rows = into.strings.row_count();
      out = StringColumn{into.strings.dictionary(), into.strings.codes(),
                         NullMask(into.strings.nulls().words())};
      break;
    case ColumnKind::kTime:
      CDP_RETURN_IF_ERROR(DecodeInt64Block(bytes, into.times, kDecodeOptions));
      rows = into.times.row_count();
      if (columns_[column].relative_to_timestamp) {
        CDP_RETURN_IF_ERROR(AddTimestamps(block, into));
        out = TimeColumn{into.absolute, NullMask(into.times.nulls().words())};
      } else {
        out = TimeColumn{into.times.values(), NullMask(into.times.nulls().words())};
      }
      break;
    case ColumnKind::kNumber:
      CDP_RETURN_IF_ERROR(DecodeDoubleBlock(bytes, into.numbers, kDecodeOptions));
      rows = into.numbers.row_count();
      out = NumberColumn{into.numbers.values(), NullMask(into.numbers.nulls().words())};
      break;
    case ColumnKind::kBoolean:
      CDP_RETURN_IF_ERROR(DecodeBoolBlock(bytes, into.booleans, kDecodeOptions));
      rows = into.booleans.row_count();
      out = BooleanColumn{into.booleans.values(), NullMask(into.booleans.nulls().words())};
      break;
  }
  if (rows != BlockRows(block)) {
    return Corrupt(path(), fmt::format("block {} of column {} has {} rows, not {}", block,
                                       column_name(column), rows, BlockRows(block)));
  }
  return Status::Ok();
}

Status Part::AddTimestamps(size_t block, DecodedColumn& into) const {
  CDP_ASSIGN_OR_RETURN(const std::string_view bytes, reader_->ReadBlock(timestamp_column_, block));
  CDP_RETURN_IF_ERROR(DecodeInt64Block(bytes, into.timestamps, kDecodeOptions));
  const std::span<const int64_t> differences = into.times.values();
  const std::span<const int64_t> timestamps = into.timestamps.values();
  if (differences.size() != timestamps.size()) {
    return Corrupt(path(), fmt::format("block {} of timestamp has another row count", block));
  }
  into.absolute.resize(differences.size());
  for (size_t row = 0; row < differences.size(); ++row) {
    into.absolute[row] = static_cast<int64_t>(static_cast<uint64_t>(differences[row]) +
                                              static_cast<uint64_t>(timestamps[row]));
  }
  return Status::Ok();
}

Status Part::AppendTo(ColumnTable& table) const {
  const size_t first = table.AddRows(rows_);
  DecodedColumn decoded;
  std::vector<std::string_view> strings;
  for (size_t column = 0; column < columns_.size(); ++column) {
    const std::string_view name = column_name(column);
    for (size_t block = 0; block < block_count(); ++block) {
      ColumnData data;
      CDP_RETURN_IF_ERROR(Decode(column, block, decoded, data));
      const size_t row = first + block_starts_[block];
      if (const auto* text = std::get_if<StringColumn>(&data)) {
        strings.resize(text->codes.size());
        for (size_t i = 0; i < strings.size(); ++i) {
          strings[i] =
              text->nulls.IsNull(i) ? std::string_view() : text->dictionary[text->codes[i]];
        }
        table.BulkStrings(name, row, strings, text->nulls);
      } else if (const auto* times = std::get_if<TimeColumn>(&data)) {
        table.BulkTimes(name, row, times->micros, times->nulls);
      } else if (const auto* numbers = std::get_if<NumberColumn>(&data)) {
        table.BulkNumbers(name, row, numbers->values, numbers->nulls);
      } else if (const auto* booleans = std::get_if<BooleanColumn>(&data)) {
        table.BulkBooleans(name, row, booleans->values, booleans->nulls);
      }
    }
  }
  return Status::Ok();
}

}  // namespace cdp::columnar
