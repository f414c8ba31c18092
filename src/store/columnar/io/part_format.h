#pragma once

// The part file format, version 1.
//
// A part holds the rows of some columns, each column a sequence of blocks.
// The container treats a block as opaque bytes (the column encodings give
// them meaning) with an opaque stats string and a row count, and the part as
// a set of opaque metadata values by key. A part is written once, to a
// temporary name, and renamed into place (see part_writer.h); it is never
// modified afterwards.
//
// Notation. u8, u32, u64: unsigned integers of 1, 4, 8 bytes, little-endian.
// varint: an unsigned integer in LEB128 (7 bits per byte, least significant
// group first, high bit set on every byte but the last), at most 10 bytes,
// value < 2^64; writers use the shortest form, readers accept any form that
// fits those limits. bytes: a varint length n, then n bytes. checksum: XXH3
// 64-bit (XXH3_64bits, seed 0) of the bytes it covers.
//
// File layout (file_size bytes in all):
//
//   [0, 8)                      header: the magic, 8 ASCII bytes "CDP-PART"
//   [8, footer_offset)          blocks, each starting at an offset that is a
//                               multiple of 8; bytes in no block are padding
//                               (writers write zeros before a block to align
//                               it): no meaning, no checksum, readers ignore
//                               them
//   [footer_offset,
//    footer_offset+footer_size) footer
//   [file_size-40, file_size)   trailer
//
// Trailer, 40 bytes:
//
//   offset  type  field
//   0       u64   footer_offset
//   8       u64   footer_size
//   16      u64   footer_checksum    checksum of the footer bytes
//   24      u32   format_version     1
//   28      u32   trailer_checksum   low 32 bits of the checksum of trailer
//                                    bytes [0, 28)
//   32      8     magic              "CDP-PART"
//
// Footer:
//
//   footer   := varint column_count, column * column_count,
//               varint metadata_count, metadata * metadata_count
//   column   := bytes name, u8 kind, varint block_count, block * block_count
//   block    := varint offset, varint size, varint row_count, u64 checksum,
//               bytes stats
//   metadata := bytes key, bytes value
//
//   - name: non-empty, unique within the part; columns are listed in the
//     order they were written. kind: an opaque tag for the column encodings.
//   - block offset: of the block's first byte in the file; size in bytes
//     (0 allowed); row_count: rows in the block (opaque to the container: a
//     column's rows are the sum of its blocks'); checksum: of the block's
//     bytes; stats: opaque (e.g. the block's min and max), may be empty.
//   - metadata keys: unique, in strictly ascending byte order (memcmp, then
//     shorter first); values opaque, may be empty.
//   - The footer is exactly footer_size bytes: nothing may follow the last
//     metadata entry.
//
// The writer of version 1 places each column's blocks contiguously, columns
// in the order of the footer, and the footer right after the last block; a
// reader must not rely on that (only the offsets say where blocks are).
//
// Reading a part (what PartReader checks; a reader must treat every byte as
// untrusted):
//   1. file_size >= 48 (header + trailer; the smallest part, with no column
//      and no metadata, is 50 bytes); the header is the magic.
//   2. The trailer's magic, then its trailer_checksum, then format_version == 1
//      (another version: refuse, do not guess).
//   3. footer_offset >= 8 and footer_offset + footer_size + 40 == file_size
//      (computed without overflow).
//   4. The footer's checksum, then its parse: every varint and length within
//      the footer; names unique and non-empty; metadata keys ascending.
//   5. Every block: offset a multiple of 8, offset >= 8,
//      offset + size <= footer_offset (without overflow), no two blocks of
//      non-zero size overlapping; each column's row count fits in a u64.
//   6. A block's checksum when its bytes are read (before they are decoded).
// A part that fails any check is corrupt; no byte of it should be trusted.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace cdp::columnar {

inline constexpr std::string_view kPartMagic = "CDP-PART";
inline constexpr size_t kPartHeaderSize = 8;
inline constexpr size_t kPartTrailerSize = 40;
inline constexpr uint32_t kPartFormatVersion = 1;
inline constexpr uint64_t kPartBlockAlignment = 8;
// The smallest part: header, an empty footer (two zero varints), trailer.
inline constexpr size_t kMinPartSize = kPartHeaderSize + 2 + kPartTrailerSize;
// Writers write a part as "<dir>/tmp_<name>", then rename it "<dir>/<name>":
// a part's own name never starts with the prefix.
inline constexpr std::string_view kTemporaryPartPrefix = "tmp_";

// XXH3-64, seed 0: the checksum of blocks and footers.
uint64_t PartChecksum(std::string_view bytes);

struct PartTrailer {
  uint64_t footer_offset = 0;
  uint64_t footer_size = 0;
  uint64_t footer_checksum = 0;
  uint32_t format_version = kPartFormatVersion;
};

// The 40 trailer bytes, with their checksum and the magic.
std::string EncodePartTrailer(const PartTrailer& trailer);
// Checks the magic, the trailer checksum and the version (steps 2 of the
// layout), not the footer's place. Errors name `path`.
// REQUIRES: bytes.size() == kPartTrailerSize.
Result<PartTrailer> DecodePartTrailer(std::string_view bytes, std::string_view path);

// Encoding helpers shared by the writer and the tests.
void PutFixed32(std::string& out, uint32_t value);
void PutFixed64(std::string& out, uint64_t value);
void PutVarint64(std::string& out, uint64_t value);
void PutLengthPrefixed(std::string& out, std::string_view bytes);
uint32_t DecodeFixed32(const char* bytes);
uint64_t DecodeFixed64(const char* bytes);

}  // namespace cdp::columnar
