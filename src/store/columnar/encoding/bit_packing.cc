#include "store/columnar/encoding/bit_packing.h"

#include <cassert>

#include "store/columnar/encoding/varint.h"

namespace cdp::columnar {
namespace {

template <typename T>
void AppendPacked(std::span<const T> values, int width, std::string& out) {
  assert(width >= 0 && width <= kMaxBitWidth);
  const size_t start = out.size();
  out.resize(start + BitPackedBytes(values.size(), width));
  if (width == 0) return;
  char* dst = out.data() + start;
  const uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
  unsigned __int128 pending = 0;
  int pending_bits = 0;
  for (const T value : values) {
    pending |= static_cast<unsigned __int128>(static_cast<uint64_t>(value) & mask) << pending_bits;
    pending_bits += width;
    if (pending_bits >= 64) {
      const uint64_t word = static_cast<uint64_t>(pending);
      std::memcpy(dst, &word, 8);
      dst += 8;
      pending >>= 64;
      pending_bits -= 64;
    }
  }
  for (; pending_bits > 0; pending_bits -= 8) {
    *dst++ = static_cast<char>(static_cast<uint8_t>(pending));
    pending >>= 8;
  }
  assert(dst == out.data() + out.size());
}

}  // namespace

void AppendBitPacked(std::span<const uint64_t> values, int width, std::string& out) {
  AppendPacked(values, width, out);
}
void AppendBitPacked(std::span<const uint32_t> values, int width, std::string& out) {
  AppendPacked(values, width, out);
}

}  // namespace cdp::columnar
