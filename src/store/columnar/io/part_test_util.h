#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "store/columnar/io/file_system.h"
#include "store/columnar/io/part_reader.h"
#include "store/columnar/io/part_writer.h"

// Parts of random contents for the tests: write one, check that a part reads
// back exactly what was written.
namespace cdp::columnar::test {

struct BlockSpec {
  std::string data;
  std::string stats;
  uint64_t rows = 0;
};

struct ColumnSpec {
  std::string name;
  uint8_t kind = 0;
  std::vector<BlockSpec> blocks;
};

struct PartSpec {
  std::vector<ColumnSpec> columns;
  std::map<std::string, std::string> metadata;
};

inline std::string RandomBytes(std::mt19937_64& random, size_t size) {
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(random());
  return bytes;
}

// Up to `max_columns` columns of up to `max_blocks` blocks of up to
// `max_block_bytes` random bytes (sizes 0 included), random stats and kinds,
// and a few metadata entries.
inline PartSpec RandomPart(std::mt19937_64& random, int max_columns, int max_blocks,
                           int max_block_bytes) {
  auto below = [&random](int bound) { return static_cast<int>(random() % (bound + 1)); };
  PartSpec part;
  const int columns = below(max_columns);
  for (int c = 0; c < columns; ++c) {
    ColumnSpec column{"column_" + std::to_string(c) + "/" + RandomBytes(random, below(3)),
                      static_cast<uint8_t>(random()),
                      {}};
    const int blocks = below(max_blocks);
    for (int b = 0; b < blocks; ++b) {
      column.blocks.push_back({RandomBytes(random, below(max_block_bytes)),
                               RandomBytes(random, below(16)), random() % 10000});
    }
    part.columns.push_back(std::move(column));
  }
  const int metadata = below(4);
  for (int m = 0; m < metadata; ++m) {
    part.metadata[RandomBytes(random, below(8))] = RandomBytes(random, below(24));
  }
  return part;
}

// A small fixed part: three columns (one without blocks), metadata.
inline PartSpec SmallPart() {
  PartSpec part;
  part.columns.push_back({"timestamp", 1, {{"0123456789abc", "min-max", 13}, {"de", "", 2}}});
  part.columns.push_back({"event", 0, {{"pageview,signup", "s", 2}, {"", "", 0}}});
  part.columns.push_back({"empty", 3, {}});
  part.metadata["max_time"] = "99";
  part.metadata["rows"] = "15";
  return part;
}

// Writes `part` at `path` with a PartWriter: the first failing step's Status.
inline Status WritePart(FileSystem& fs, const std::string& path, const PartSpec& part) {
  CDP_ASSIGN_OR_RETURN(auto writer, PartWriter::Create(fs, path));
  for (const ColumnSpec& column : part.columns) {
    CDP_RETURN_IF_ERROR(writer->StartColumn(column.name, column.kind));
    for (const BlockSpec& block : column.blocks) {
      CDP_RETURN_IF_ERROR(writer->AppendBlock(block.data, block.stats, block.rows));
    }
  }
  for (const auto& [key, value] : part.metadata) writer->SetMetadata(key, value);
  return writer->Finish();
}

// Whether the part `reader` holds is exactly `part`, every block checked.
inline ::testing::AssertionResult HoldsPart(const PartReader& reader, const PartSpec& part) {
  if (reader.columns().size() != part.columns.size()) {
    return ::testing::AssertionFailure()
           << reader.columns().size() << " columns, expected " << part.columns.size();
  }
  for (size_t c = 0; c < part.columns.size(); ++c) {
    const PartColumn& column = reader.columns()[c];
    const ColumnSpec& expected = part.columns[c];
    if (column.name != expected.name || column.kind != expected.kind ||
        column.blocks.size() != expected.blocks.size()) {
      return ::testing::AssertionFailure() << "column " << c << " differs";
    }
    if (reader.FindColumn(expected.name) != c) {
      return ::testing::AssertionFailure() << "FindColumn misses column " << c;
    }
    uint64_t rows = 0;
    for (size_t b = 0; b < expected.blocks.size(); ++b) {
      auto bytes = reader.ReadBlock(c, b);
      if (!bytes.ok()) return ::testing::AssertionFailure() << bytes.status().ToString();
      if (*bytes != expected.blocks[b].data || column.blocks[b].stats != expected.blocks[b].stats ||
          column.blocks[b].row_count != expected.blocks[b].rows) {
        return ::testing::AssertionFailure() << "block " << b << " of column " << c << " differs";
      }
      if (reinterpret_cast<uintptr_t>(bytes->data()) % 8 != 0) {
        return ::testing::AssertionFailure()
               << "block " << b << " of column " << c << " is not 8-byte aligned";
      }
      rows += expected.blocks[b].rows;
    }
    if (column.row_count != rows) return ::testing::AssertionFailure() << "row count of " << c;
  }
  if (reader.metadata().size() != part.metadata.size()) {
    return ::testing::AssertionFailure() << "metadata size differs";
  }
  size_t m = 0;
  for (const auto& [key, value] : part.metadata) {
    if (reader.metadata()[m].first != key || reader.metadata()[m].second != value ||
        reader.FindMetadata(key) != value) {
      return ::testing::AssertionFailure() << "metadata entry " << m << " differs";
    }
    ++m;
  }
  return ::testing::AssertionSuccess();
}

inline ::testing::AssertionResult ReadsBack(FileSystem& fs, const std::string& path,
                                            const PartSpec& part) {
  auto reader = PartReader::Open(fs, path);
  if (!reader.ok()) return ::testing::AssertionFailure() << reader.status().ToString();
  return HoldsPart(**reader, part);
}

}  // namespace cdp::columnar::test
