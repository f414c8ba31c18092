#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/columnar/encoding/block_encoding.h"

// The frame shared by every kind of block: header, null bitmap, choice of
// encoding and codec. Internal to the encodings; layout in block_encoding.h.

namespace cdp::columnar {

// One way to encode a block's values section.
struct ValuesCandidate {
  uint8_t encoding = 0;
  std::string values;
};

// The rows of a block to encode: which are null, in the payload's form.
struct NullRows {
  size_t row_count = 0;
  size_t null_count = 0;
  std::string bitmap;  // the payload's null bitmap; empty unless 0 < nulls < rows
};
// REQUIRES: is_null empty or of size row_count.
NullRows CollectNullRows(std::span<const uint8_t> is_null, size_t row_count);

// The non-null values of a block, in row order: `values` itself when no row is
// null, else a copy of its non-null values kept in `dense`.
template <typename T>
std::span<const T> NonNullValues(std::span<const T> values, std::span<const uint8_t> is_null,
                                 const NullRows& rows, std::vector<T>& dense) {
  if (rows.null_count == 0) return values;
  dense.reserve(values.size() - rows.null_count);
  for (size_t i = 0; i < values.size(); ++i) {
    if (is_null[i] == 0) dense.push_back(values[i]);
  }
  return dense;
}

// The block holding `rows` and, of `candidates` (at least one; the caller
// lists only those that represent the values), the one that is smallest
// after compression, compressed with the codec the options pick.
std::string FinishBlock(BlockKind kind, const NullRows& rows,
                        std::vector<ValuesCandidate>& candidates,
                        const BlockEncodeOptions& options);

// Byte-aligned variants of bit widths to try: {w} or {w, next of 8/16/32/64},
// as BlockEncodeOptions::byte_aligned_widths asks.
std::vector<int> CandidateWidths(int minimal_width, const BlockEncodeOptions& options);

// A block opened for decoding: its header and its values section (inside
// the caller's bytes or the scratch buffer).
struct OpenedBlock {
  BlockHeader header;
  size_t value_count = 0;  // row_count - null_count
  const uint8_t* values = nullptr;
  const uint8_t* values_end = nullptr;
};

// Checks the checksum (unless disabled) and the header, decompresses the
// payload into `scratch` (or copies it there when `copy_payload`; otherwise
// an uncompressed payload is used in place) and reads the null bitmap into
// `nulls`.
Status OpenBlock(std::string_view bytes, BlockKind kind, const BlockDecodeOptions& options,
                 bool copy_payload, GrowOnlyBuffer<char>& scratch, NullBitmap& nulls,
                 OpenedBlock& opened);

Status CorruptBlock(std::string_view what);

// Moves the value_count values at the front of `values` to their rows and
// sets null rows to `fill`, in place.
template <typename T>
void SpreadToRows(T* values, size_t row_count, const NullBitmap& nulls, T fill) {
  if (nulls.empty()) return;
  const uint64_t* words = nulls.words().data();
  size_t next = row_count;  // one past the next dense value to move, from the back
  for (const uint64_t word : nulls.words()) next -= static_cast<size_t>(std::popcount(word));
  for (size_t row = row_count; row-- > 0;) {
    const bool is_null = ((words[row >> 6] >> (row & 63)) & 1) != 0;
    const T value = values[next - (next != 0)];
    values[row] = is_null ? fill : value;
    next -= (!is_null && next != 0);
  }
}

}  // namespace cdp::columnar
