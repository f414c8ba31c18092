#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <utility>

// Fixed-width bit packing, the layout of every bit-packed section of a block:
// value i occupies bits [i*w, (i+1)*w) of a little-endian bit stream, where
// stream bit k is bit (k % 8) of byte k / 8; the last byte is zero-padded.
// Width 8, 16, 32 and 64 are therefore plain little-endian u8/u16/u32/u64
// arrays. Internal to the encodings.

namespace cdp::columnar {

inline constexpr int kMaxBitWidth = 64;

inline size_t BitPackedBytes(size_t count, int width) {
  return (count * static_cast<size_t>(width) + 7) / 8;
}

// The fewest bits that hold `max_value` (0 for 0).
inline int BitWidthOf(uint64_t max_value) {
  int width = 0;
  while (width < 64 && (max_value >> width) != 0) ++width;
  return width;
}

// Appends `values`, each truncated to `width` bits (0..64), bit-packed.
void AppendBitPacked(std::span<const uint64_t> values, int width, std::string& out);
void AppendBitPacked(std::span<const uint32_t> values, int width, std::string& out);

namespace bit_packing_internal {

// Reads the `width`-bit value at stream bit `bit` one byte at a time, never
// touching a byte at or past `size`.
inline uint64_t ReadBitsSafe(const uint8_t* in, size_t size, size_t bit, int width) {
  uint64_t value = 0;
  int got = 0;
  size_t byte = bit / 8;
  int shift = static_cast<int>(bit % 8);
  while (got < width && byte < size) {
    value |= (static_cast<uint64_t>(in[byte]) >> shift) << got;
    got += 8 - shift;
    shift = 0;
    ++byte;
  }
  return width == 64 ? value : value & ((uint64_t{1} << width) - 1);
}

template <int W, size_t J, typename Sink>
inline void EmitPacked(const uint8_t* group, size_t index, Sink& sink) {
  constexpr size_t kBit = J * W;
  constexpr size_t kByte = kBit / 8;
  constexpr int kShift = static_cast<int>(kBit % 8);
  constexpr uint64_t kMask = W == 64 ? ~uint64_t{0} : (uint64_t{1} << W) - 1;
  uint64_t word;
  std::memcpy(&word, group + kByte, 8);
  uint64_t value = word >> kShift;
  if constexpr (kShift + W > 64) value |= static_cast<uint64_t>(group[kByte + 8]) << (64 - kShift);
  sink(index, value & kMask);
}

template <int W, typename Sink>
void UnpackFixedWidth(const uint8_t* in, size_t size, size_t count, Sink& sink) {
  if constexpr (W == 0) {
    for (size_t i = 0; i < count; ++i) sink(i, uint64_t{0});
  } else {
    // Groups of 8 values span exactly W bytes; a group is read with 8-byte
    // loads (plus one byte when a value straddles 9 bytes), all of which end
    // before group + W + 8, so the fast loop stops that far from the end.
    size_t group = 0;
    const size_t groups = count / 8;
    for (; group < groups && (group + 1) * W + 8 <= size; ++group) {
      const uint8_t* base = in + group * W;
      [&]<size_t... J>(std::index_sequence<J...>) {
        (EmitPacked<W, J>(base, group * 8 + J, sink), ...);
      }
      (std::make_index_sequence<8>{});
    }
    for (size_t i = group * 8; i < count; ++i) {
      sink(i, ReadBitsSafe(in, size, i * W, W));
    }
  }
}

}  // namespace bit_packing_internal

// Calls sink(i, value) for i = 0..count-1, in order, with the i-th `width`-bit
// value of `in`. Reads no byte at or past in + size.
// REQUIRES: 0 <= width <= 64 and size >= BitPackedBytes(count, width).
template <typename Sink>
void UnpackBits(const uint8_t* in, size_t size, size_t count, int width, Sink&& sink) {
  [&]<int... W>(std::integer_sequence<int, W...>) {
    (void)((width == W ? (bit_packing_internal::UnpackFixedWidth<W>(in, size, count, sink), true)
                       : false) ||
           ...);
  }
  (std::make_integer_sequence<int, kMaxBitWidth + 1>{});
}

}  // namespace cdp::columnar
