#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

// Little-endian fixed-width integers, LEB128 varints and zigzag, with a
// bounds-checked reader for untrusted bytes. Internal to the encodings.

namespace cdp::columnar {

static_assert(std::endian::native == std::endian::little,
              "the block encodings load little-endian words directly");

inline constexpr size_t kMaxVarint64Bytes = 10;

inline uint64_t ZigZagEncode(int64_t value) {
  return (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
}
inline int64_t ZigZagDecode(uint64_t value) {
  return static_cast<int64_t>((value >> 1) ^ (0 - (value & 1)));
}

inline void PutVarint64(std::string& out, uint64_t value) {
  char buffer[kMaxVarint64Bytes];
  size_t size = 0;
  while (value >= 0x80) {
    buffer[size++] = static_cast<char>(value | 0x80);
    value >>= 7;
  }
  buffer[size++] = static_cast<char>(value);
  out.append(buffer, size);
}
inline size_t Varint64Size(uint64_t value) {
  return value == 0 ? 1 : (std::bit_width(value) + 6) / 7;
}
inline void PutFixed32(std::string& out, uint32_t value) {
  char buffer[4];
  std::memcpy(buffer, &value, 4);
  out.append(buffer, 4);
}
inline void PutFixed64(std::string& out, uint64_t value) {
  char buffer[8];
  std::memcpy(buffer, &value, 8);
  out.append(buffer, 8);
}
inline uint64_t LoadFixed64(const uint8_t* p) {
  uint64_t value;
  std::memcpy(&value, p, 8);
  return value;
}
inline uint32_t LoadFixed32(const uint8_t* p) {
  uint32_t value;
  std::memcpy(&value, p, 4);
  return value;
}

// Decodes one varint from [p, end). Returns the byte after it, or null when
// the bytes end inside the varint or it does not fit 64 bits.
inline const uint8_t* DecodeVarint64(const uint8_t* p, const uint8_t* end, uint64_t& value) {
  if (p < end && *p < 0x80) {
    value = *p;
    return p + 1;
  }
  uint64_t result = 0;
  for (int shift = 0; shift < 64 && p < end; shift += 7) {
    const uint64_t byte = *p++;
    if (shift == 63 && byte > 1) return nullptr;
    result |= (byte & 0x7f) << shift;
    if (byte < 0x80) {
      value = result;
      return p;
    }
  }
  return nullptr;
}

// Reads from a byte range it never leaves; every Read returns false instead of
// reading past the end (and then leaves the position unspecified).
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes)
      : p_(reinterpret_cast<const uint8_t*>(bytes.data())), end_(p_ + bytes.size()) {}
  ByteReader(const uint8_t* begin, const uint8_t* end) : p_(begin), end_(end) {}

  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  const uint8_t* position() const { return p_; }
  const uint8_t* end() const { return end_; }

  bool ReadByte(uint8_t& value) {
    if (p_ == end_) return false;
    value = *p_++;
    return true;
  }
  bool ReadVarint64(uint64_t& value) {
    p_ = DecodeVarint64(p_, end_, value);
    if (p_ == nullptr) {
      p_ = end_;
      return false;
    }
    return true;
  }
  // A varint that must be at most `max`.
  bool ReadVarintAtMost(uint64_t max, uint64_t& value) {
    return ReadVarint64(value) && value <= max;
  }
  bool ReadFixed32(uint32_t& value) {
    if (remaining() < 4) return false;
    value = LoadFixed32(p_);
    p_ += 4;
    return true;
  }
  bool ReadFixed64(uint64_t& value) {
    if (remaining() < 8) return false;
    value = LoadFixed64(p_);
    p_ += 8;
    return true;
  }
  // Points `bytes` at the next `size` bytes and skips them.
  bool ReadBytes(size_t size, const uint8_t*& bytes) {
    if (remaining() < size) return false;
    bytes = p_;
    p_ += size;
    return true;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace cdp::columnar
