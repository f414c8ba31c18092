#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cdp::local_log {

// How one record is framed in a segment file (all integers little-endian):
//
//   u32 body_length | u32 crc32(body) | body
//   body = u64 offset | u32 key_length | key | payload
//
// The CRC (zlib's CRC-32) covers the whole body, so a torn or corrupted
// record is recognised and never read back as data.
inline constexpr size_t kFrameHeaderBytes = 8;
inline constexpr size_t kBodyHeaderBytes = 12;
// Larger frames are refused on append and treated as corruption on read.
inline constexpr size_t kMaxRecordBytes = 64 << 20;

// Appends the framed record to `out`.
void AppendFramedRecord(std::string& out, uint64_t offset, std::string_view key,
                        std::string_view payload);
size_t FramedRecordSize(std::string_view key, std::string_view payload);

struct DecodedRecord {
  uint64_t offset = 0;
  std::string_view key;
  std::string_view payload;
  size_t frame_bytes = 0;  // how far to advance to the next record
};

enum class DecodeResult {
  kRecord,      // a complete, intact record
  kIncomplete,  // the bytes end inside a record (a torn tail, or read more)
  kCorrupt,     // bad length or checksum
};

// Decodes the record at the start of `bytes`.
DecodeResult DecodeFramedRecord(std::string_view bytes, DecodedRecord& record);

}  // namespace cdp::local_log
