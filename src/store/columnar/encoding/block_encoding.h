#pragma once

// Column block encodings of the embedded event store.
//
// A block holds the values of one column for up to ~16k rows of a part.
// Encode*Block turns them into a self-describing, checksummed byte string and
// computes the block's BlockStats (stored by the part footer, not in the
// block); Decode*Block reads the bytes back into the forms a scan consumes.
// The encoder tries the encodings that apply and keeps the smallest after
// compression; a decoder treats the bytes as untrusted (a damaged file): any
// inconsistency is a Status::Internal error, never a crash or a read outside
// the bytes it was given.
//
// ============================ BYTE LAYOUT (v1) ============================
//
// Integers: "u8/u32/u64" are fixed-width little-endian; "varint" is unsigned
// LEB128 (at most 10 bytes, at most 64 bits); "zigzag" is a signed s written
// as the varint (s << 1) ^ (s >> 63). Arithmetic marked "mod 2^64" wraps.
//
// Block:
//   u32     checksum      low 32 bits of XXH3_64bits (seed 0) of all the bytes
//                         after this field
//   u8      kind          1 int64, 2 double, 3 bool, 4 string (BlockKind)
//   u8      encoding      of the kind's values, tables below
//   u8      codec         0 none; 1 lz4 (one raw LZ4 block, no frame);
//                         2 zstd (one zstd frame declaring its content size)
//   varint  row_count     <= kMaxBlockRows (0 is a valid, empty block)
//   varint  null_count    <= row_count
//   varint  payload_size  bytes of the uncompressed payload,
//                         <= kMaxBlockPayloadBytes
//   ...     codec 0: the payload, exactly payload_size bytes; otherwise the
//           compressed payload, which must decompress to exactly payload_size
//           bytes. Nothing follows. (Readers refuse, before allocating, a
//           payload_size the stored bytes cannot produce: lz4 above 255x
//           them, zstd above 32768x or unequal to the frame's content size.)
//
// Payload (after decompression):
//   null bitmap  ceil(row_count / 8) bytes, present only when
//                0 < null_count < row_count. Bit (r % 8) of byte (r / 8) is 1
//                when row r is null; exactly null_count bits are 1; the unused
//                high bits of the last byte are 0. (No bitmap: no row is null,
//                or, when null_count = row_count, every row is.)
//   values       the n = row_count - null_count non-null values, in row order,
//                in the block's encoding. Empty when n = 0, whatever the
//                encoding. Must end exactly at the end of the payload.
//
// Bit packing (width w, 0..64): value i is bits [i*w, (i+1)*w) of a
// little-endian bit stream whose bit k is bit (k % 8) of byte (k / 8);
// ceil(count * w / 8) bytes; the padding bits of the last byte are written 0
// and ignored. w = 8/16/32/64 is a plain u8/u16/u32/u64 array.
//
// Int64 values (kind 1; also the integers inside double encoding 1):
//   0 plain        n x u64 (two's complement)
//   1 FOR          zigzag min | varint scale (>= 1) | u8 w (<= 64) |
//                  n values bit-packed at w: value = min + u * scale (mod 2^64)
//   2 delta varint zigzag first | varint scale (>= 1) | n-1 x zigzag q:
//                  value[i] = value[i-1] + q * scale (mod 2^64)
//   3 delta FOR    zigzag first | varint scale (>= 1) | zigzag base | u8 w |
//                  n-1 values bit-packed at w:
//                  value[i] = value[i-1] + (base + u) * scale (mod 2^64)
//   ("scale" is the greatest common divisor the encoder found: 1000 for
//   microsecond timestamps that are whole milliseconds.)
//
// Double values (kind 2):
//   0 plain        n x u64, the IEEE-754 bits (NaN payloads, -0.0 exact)
//   1 decimal      u8 e (0..kMaxDecimalDigits) | u8 int64 encoding |
//                  that int64 encoding's section for n integers c:
//                  value = double(c) / 10^e, an IEEE-754 double division
//                  rounded to nearest (e = 0: double(c)). Chosen only when
//                  every value comes back bit-exactly (19.99 is c = 1999 with
//                  e = 2; never for NaN, infinities or -0.0).
//
// Bool values (kind 3):
//   0 bit-packed   n values at w = 1; 1 is true.
//
// String values (kind 4; arbitrary bytes, not necessarily UTF-8):
//   0 plain        n x varint length | the n values' bytes, concatenated
//   1 plain UUID   u8 case (0 or 1) | n x 16 bytes
//   2 dictionary   varint d (1..n) | d x varint length | the d entries'
//                  bytes, concatenated | codes: value = entry[code]
//   3 dict. UUID   varint d (1..n) | u8 case | d x 16 bytes | codes
//   codes: u8 format | n values bit-packed at w = format & 0x3f (<= 32).
//     Format bit 0x40 clear: the values are the codes. Set: they are
//     increments, code[0] = v[0], code[i] = code[i-1] + v[i] (the codes of a
//     column the part is sorted by never decrease). Every code is < d;
//     format bit 0x80 is 0.
//   Dictionary entries are strictly increasing in byte-wise (unsigned)
//   order, so they are distinct and code order is value order. A UUID is the
//   36-character text 8-4-4-4-12 of hex digits with '-' at offsets 8, 13, 18
//   and 23, stored as its 16 bytes in text order; case 0 writes a-f, case 1
//   A-F. (UUID encodings are chosen only when every value is such a text in
//   one case; 16 bytes sort like their text.)
//
// Block stats (AppendBlockStats; stored by the part footer):
//   u8 kind | u8 flags: bit 0 has_min_max, 1 has_nan, 2 string_max_unbounded,
//   3 has_value_hashes (others 0) | varint row_count | varint null_count
//   (<= row_count) | when has_min_max, by kind:
//     int64, bool: zigzag min | varint (max - min mod 2^64)
//     double:      u64 min bits | u64 max bits (neither NaN)
//     string:      varint length | min bytes | when not unbounded:
//                  varint length | max bytes (each <= kMaxStatsStringBytes)
//   | when has_value_hashes (strings only): varint count
//   (1..kMaxStatsValueHashes) | count x u64, strictly increasing.
//
// ==========================================================================
//
// Decoded forms: values are materialized for every row (null rows hold 0,
// 0.0, false or code 0) with a NullBitmap beside them, whose layout (bit
// r % 64 of 64-bit word r / 64) is that of cdp::NullMask in store/scan.h.
//
// Thread safety: the functions are thread-safe; a decoded block is a value
// that one thread fills and any number may then read.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "store/columnar/encoding/block_stats.h"

namespace cdp::columnar {

// Decoders refuse headers beyond these (they bound what a damaged header can
// make a reader allocate); writers cut blocks well below them.
inline constexpr size_t kMaxBlockRows = size_t{1} << 20;
inline constexpr size_t kMaxBlockPayloadBytes = size_t{256} << 20;
// The largest e of double encoding 1 (decimal).
inline constexpr int kMaxDecimalDigits = 9;

enum class BlockCodec : uint8_t { kNone = 0, kLz4 = 1, kZstd = 2 };
enum class Int64Encoding : uint8_t {
  kPlain = 0,
  kFrameOfReference = 1,
  kDeltaVarint = 2,
  kDeltaFrameOfReference = 3,
};
enum class DoubleEncoding : uint8_t { kPlain = 0, kDecimal = 1 };
enum class BoolEncoding : uint8_t { kBitPacked = 0 };
enum class StringEncoding : uint8_t {
  kPlain = 0,
  kPlainUuid = 1,
  kDictionary = 2,
  kDictionaryUuid = 3,
};

std::string_view BlockCodecName(BlockCodec codec);  // "none", "lz4", "zstd"

// How to encode. The defaults choose everything by size; the other fields
// exist to exercise each path (tests) or to trade size for speed.
struct BlockEncodeOptions {
  // Force an encoding of the block's kind. One that cannot represent the
  // values (a UUID encoding for non-UUID strings, decimal for 0.1 + 0.2) is
  // ignored and the choice is automatic. The int64 encoding also applies to
  // the integers of the decimal double encoding.
  std::optional<Int64Encoding> int64_encoding;
  std::optional<DoubleEncoding> double_encoding;
  std::optional<StringEncoding> string_encoding;
  // Force bit-packed sections to the minimal width (false) or to the next of
  // 8/16/32/64 (true); by default both are tried when they differ.
  std::optional<bool> byte_aligned_widths;
  // Dictionary codes that never decrease: store them as increments (true,
  // when they do), never (false), or try both (default).
  std::optional<bool> monotone_codes;
  // The zstd level at which candidate encodings are compared (the chosen
  // one is then compressed at zstd_level): lower is faster to encode.
  int ranking_zstd_level = 1;
  // Force the codec; by default zstd is kept when it is at least
  // min_zstd_saving smaller than the best of lz4 and none, and lz4 when it
  // is at least min_lz4_saving smaller than none (both decode faster).
  std::optional<BlockCodec> codec;
  int zstd_level = 3;
  double min_zstd_saving = 0.10;
  double min_lz4_saving = 0.05;
};

struct BlockDecodeOptions {
  // Tests turn this off to exercise the decoders' own checks on damaged bytes.
  bool verify_checksum = true;
};

struct EncodedBlock {
  std::string bytes;
  BlockStats stats;
};

// Each encodes one block. `is_null` is empty (no row is null) or has one
// entry per row, nonzero for null; a null row's value is ignored.
// REQUIRES: values.size() <= kMaxBlockRows; is_null is empty or
// is_null.size() == values.size(); for strings, the bytes of the non-null
// values plus 10 per value at most kMaxBlockPayloadBytes.
EncodedBlock EncodeInt64Block(std::span<const int64_t> values, std::span<const uint8_t> is_null,
                              const BlockEncodeOptions& options = {});
EncodedBlock EncodeDoubleBlock(std::span<const double> values, std::span<const uint8_t> is_null,
                               const BlockEncodeOptions& options = {});
// A value is true when nonzero.
EncodedBlock EncodeBoolBlock(std::span<const uint8_t> values, std::span<const uint8_t> is_null,
                             const BlockEncodeOptions& options = {});
EncodedBlock EncodeStringBlock(std::span<const std::string_view> values,
                               std::span<const uint8_t> is_null,
                               const BlockEncodeOptions& options = {});

// The fixed part of a block, for inspection tools and tests. Checks the
// header's own consistency (limits, known tags), not the checksum.
struct BlockHeader {
  BlockKind kind = BlockKind::kInt64;
  uint8_t encoding = 0;  // the kind's encoding enum value
  BlockCodec codec = BlockCodec::kNone;
  uint32_t row_count = 0;
  uint32_t null_count = 0;
  uint32_t payload_size = 0;
  uint32_t header_size = 0;  // where the (compressed) payload starts
};
Result<BlockHeader> ReadBlockHeader(std::string_view bytes);

// An array that keeps its allocation across Resize calls that do not grow it
// and leaves new elements uninitialized (no zeroing pass per block). Moving
// keeps the elements at their address.
template <typename T>
class GrowOnlyBuffer {
 public:
  GrowOnlyBuffer() = default;
  GrowOnlyBuffer(GrowOnlyBuffer&& other) noexcept { *this = std::move(other); }
  GrowOnlyBuffer& operator=(GrowOnlyBuffer&& other) noexcept {
    data_ = std::move(other.data_);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
    return *this;
  }

  // Elements are unspecified afterwards (kept only when capacity sufficed).
  void Resize(size_t size) {
    if (size > capacity_) {
      data_ = std::make_unique_for_overwrite<T[]>(size);
      capacity_ = size;
    }
    size_ = size;
  }
  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  size_t size() const { return size_; }
  std::span<const T> span() const { return {data_.get(), size_}; }

 private:
  std::unique_ptr<T[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// Which rows of a decoded block are null: bit (row % 64) of words()[row / 64]
// (cdp::NullMask's layout). Empty when no row is null.
class NullBitmap {
 public:
  bool empty() const { return words_.empty(); }
  bool IsNull(size_t row) const {
    return !words_.empty() && ((words_[row >> 6] >> (row & 63)) & 1) != 0;
  }
  const std::vector<uint64_t>& words() const { return words_; }
  std::vector<uint64_t>& mutable_words() { return words_; }

 private:
  std::vector<uint64_t> words_;
};

// Decoded blocks. Decode into the same object block after block to reuse its
// buffers. Spans returned stay valid until the next decode into the object
// or its destruction; moving the object keeps them valid.
class DecodedInt64Block {
 public:
  size_t row_count() const { return values_.size(); }
  std::span<const int64_t> values() const { return values_.span(); }  // 0 for null rows
  const NullBitmap& nulls() const { return nulls_; }
  bool IsNull(size_t row) const { return nulls_.IsNull(row); }

 private:
  friend Status DecodeInt64Block(std::string_view, DecodedInt64Block&, const BlockDecodeOptions&);
  GrowOnlyBuffer<int64_t> values_;
  NullBitmap nulls_;
  GrowOnlyBuffer<char> scratch_;  // the decompressed payload
};

class DecodedDoubleBlock {
 public:
  size_t row_count() const { return values_.size(); }
  std::span<const double> values() const { return values_.span(); }  // 0.0 for null rows
  const NullBitmap& nulls() const { return nulls_; }
  bool IsNull(size_t row) const { return nulls_.IsNull(row); }

 private:
  friend Status DecodeDoubleBlock(std::string_view, DecodedDoubleBlock&, const BlockDecodeOptions&);
  GrowOnlyBuffer<double> values_;
  GrowOnlyBuffer<int64_t> integers_;  // decimal encoding
  NullBitmap nulls_;
  GrowOnlyBuffer<char> scratch_;
};

class DecodedBoolBlock {
 public:
  size_t row_count() const { return values_.size(); }
  std::span<const uint8_t> values() const { return values_.span(); }  // 0/1; 0 for null rows
  const NullBitmap& nulls() const { return nulls_; }
  bool IsNull(size_t row) const { return nulls_.IsNull(row); }

 private:
  friend Status DecodeBoolBlock(std::string_view, DecodedBoolBlock&, const BlockDecodeOptions&);
  GrowOnlyBuffer<uint8_t> values_;
  NullBitmap nulls_;
  GrowOnlyBuffer<char> scratch_;
};

// A string block as a dictionary and one code per row. The dictionary's
// views point into buffers the object owns (no allocation per value). With
// a dictionary encoding the entries are distinct and sorted byte-wise, so a
// histogram of codes counts by value and a predicate can be evaluated once
// per entry; with a plain encoding the dictionary lists the non-null values
// in row order (duplicates possible) and codes number the non-null rows.
// A null row has code 0, which is out of range when every row is null.
// Not copyable (the views would dangle); movable.
class DecodedStringBlock {
 public:
  DecodedStringBlock() = default;
  DecodedStringBlock(DecodedStringBlock&&) = default;
  DecodedStringBlock& operator=(DecodedStringBlock&&) = default;
  DecodedStringBlock(const DecodedStringBlock&) = delete;
  DecodedStringBlock& operator=(const DecodedStringBlock&) = delete;

  size_t row_count() const { return codes_.size(); }
  std::span<const std::string_view> dictionary() const { return dictionary_.span(); }
  std::span<const uint32_t> codes() const { return codes_.span(); }
  // True for the dictionary encodings: entries distinct and ascending.
  bool dictionary_is_sorted_unique() const { return sorted_unique_; }
  StringEncoding encoding() const { return encoding_; }
  const NullBitmap& nulls() const { return nulls_; }
  bool IsNull(size_t row) const { return nulls_.IsNull(row); }
  // REQUIRES: !IsNull(row).
  std::string_view value(size_t row) const { return dictionary_.data()[codes_.data()[row]]; }

 private:
  friend Status DecodeStringBlock(std::string_view, DecodedStringBlock&, const BlockDecodeOptions&);
  GrowOnlyBuffer<std::string_view> dictionary_;
  GrowOnlyBuffer<uint32_t> codes_;
  NullBitmap nulls_;
  GrowOnlyBuffer<char> payload_;  // plain/dictionary entries point here
  GrowOnlyBuffer<char> text_;     // UUID entries point here
  bool sorted_unique_ = false;
  StringEncoding encoding_ = StringEncoding::kPlain;
};

// Each decodes a block its Encode*Block wrote (a block of another kind is an
// error). On error `block` is left in an unspecified but valid state.
Status DecodeInt64Block(std::string_view bytes, DecodedInt64Block& block,
                        const BlockDecodeOptions& options = {});
Status DecodeDoubleBlock(std::string_view bytes, DecodedDoubleBlock& block,
                         const BlockDecodeOptions& options = {});
Status DecodeBoolBlock(std::string_view bytes, DecodedBoolBlock& block,
                       const BlockDecodeOptions& options = {});
Status DecodeStringBlock(std::string_view bytes, DecodedStringBlock& block,
                         const BlockDecodeOptions& options = {});

// Conveniences that decode into a new object.
Result<DecodedInt64Block> DecodeInt64Block(std::string_view bytes);
Result<DecodedDoubleBlock> DecodeDoubleBlock(std::string_view bytes);
Result<DecodedBoolBlock> DecodeBoolBlock(std::string_view bytes);
Result<DecodedStringBlock> DecodeStringBlock(std::string_view bytes);

}  // namespace cdp::columnar
