#include "store/columnar/encoding/int64_values.h"

#include <bit>
#include <cassert>
#include <numeric>

#include "store/columnar/encoding/bit_packing.h"
#include "store/columnar/encoding/varint.h"

namespace cdp::columnar {
namespace {

uint64_t Magnitude(int64_t value) {
  return value < 0 ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
}

// Division by a constant known to divide the dividend exactly: a shift and
// a multiplication by the inverse of the odd part modulo 2^64, instead of a
// 64-bit division per value.
class ExactDivider {
 public:
  explicit ExactDivider(uint64_t divisor)
      : shift_(std::countr_zero(divisor)), odd_(divisor >> shift_), inverse_(odd_) {
    assert(divisor != 0);
    // Newton's iteration doubles the correct low bits: 3, 6, 12, 24, 48, 96.
    for (int i = 0; i < 5; ++i) inverse_ *= 2 - odd_ * inverse_;
  }
  // REQUIRES: the divisor divides `value`.
  uint64_t Divide(uint64_t value) const { return (value >> shift_) * inverse_; }
  // REQUIRES: the divisor divides `value`; divisor <= INT64_MAX.
  int64_t Divide(int64_t value) const {
    return static_cast<int64_t>(static_cast<uint64_t>(value >> shift_) * inverse_);
  }
  bool Divides(uint64_t value) const {
    if ((value & ((uint64_t{1} << shift_) - 1)) != 0) return false;
    return (value >> shift_) * inverse_ <= UINT64_MAX / odd_;
  }

 private:
  int shift_;
  uint64_t odd_;
  uint64_t inverse_;
};

// The greatest common divisor of `values` (at least 1), stopping early at 1.
uint64_t CommonScale(std::span<const uint64_t> values) {
  uint64_t scale = 0;
  ExactDivider divider(1);
  for (const uint64_t value : values) {
    if (value == 0 || (scale != 0 && divider.Divides(value))) continue;
    scale = std::gcd(scale, value);
    if (scale == 1) return 1;
    divider = ExactDivider(scale);
  }
  return scale == 0 ? 1 : scale;
}

void AddPacked(Int64Encoding encoding, const std::string& prefix, std::span<const uint64_t> packed,
               int minimal_width, const BlockEncodeOptions& options,
               std::vector<ValuesCandidate>& out) {
  for (const int width : CandidateWidths(minimal_width, options)) {
    ValuesCandidate candidate{static_cast<uint8_t>(encoding), prefix};
    candidate.values.push_back(static_cast<char>(width));
    AppendBitPacked(packed, width, candidate.values);
    out.push_back(std::move(candidate));
  }
}

}  // namespace

std::vector<ValuesCandidate> Int64Candidates(std::span<const int64_t> values,
                                             const BlockEncodeOptions& options) {
  assert(!values.empty());
  const size_t count = values.size();
  auto wanted = [&](Int64Encoding encoding) {
    return !options.int64_encoding.has_value() || *options.int64_encoding == encoding;
  };
  std::vector<ValuesCandidate> candidates;
  std::vector<uint64_t> scratch(count);

  if (wanted(Int64Encoding::kPlain)) {
    ValuesCandidate candidate{static_cast<uint8_t>(Int64Encoding::kPlain), {}};
    candidate.values.resize(count * 8);
    std::memcpy(candidate.values.data(), values.data(), count * 8);
    candidates.push_back(std::move(candidate));
  }

  if (wanted(Int64Encoding::kFrameOfReference)) {
    int64_t min = values[0];
    for (const int64_t value : values) min = std::min(min, value);
    for (size_t i = 0; i < count; ++i) {
      scratch[i] = static_cast<uint64_t>(values[i]) - static_cast<uint64_t>(min);
    }
    const uint64_t scale = CommonScale(scratch);
    const ExactDivider divider(scale);
    uint64_t max_offset = 0;
    for (uint64_t& offset : scratch) {
      offset = divider.Divide(offset);
      max_offset = std::max(max_offset, offset);
    }
    std::string prefix;
    PutVarint64(prefix, ZigZagEncode(min));
    PutVarint64(prefix, scale);
    AddPacked(Int64Encoding::kFrameOfReference, prefix, scratch, BitWidthOf(max_offset), options,
              candidates);
  }

  const bool delta_varint = wanted(Int64Encoding::kDeltaVarint);
  const bool delta_for = wanted(Int64Encoding::kDeltaFrameOfReference);
  if (delta_varint || delta_for) {
    // scratch[i - 1] = |values[i] - values[i - 1]| (the difference mod 2^64
    // read as signed), for the scale.
    for (size_t i = 1; i < count; ++i) {
      scratch[i - 1] = Magnitude(static_cast<int64_t>(static_cast<uint64_t>(values[i]) -
                                                      static_cast<uint64_t>(values[i - 1])));
    }
    uint64_t scale = CommonScale(std::span(scratch.data(), count - 1));
    if (scale > static_cast<uint64_t>(INT64_MAX)) scale = 1;  // only for deltas of 2^63
    const ExactDivider divider(scale);
    int64_t min_quotient = 0;
    int64_t max_quotient = 0;
    std::vector<int64_t> quotients(count - 1);
    for (size_t i = 1; i < count; ++i) {
      const auto delta = static_cast<int64_t>(static_cast<uint64_t>(values[i]) -
                                              static_cast<uint64_t>(values[i - 1]));
      const int64_t quotient = divider.Divide(delta);
      quotients[i - 1] = quotient;
      if (i == 1 || quotient < min_quotient) min_quotient = quotient;
      if (i == 1 || quotient > max_quotient) max_quotient = quotient;
    }
    std::string prefix;
    PutVarint64(prefix, ZigZagEncode(values[0]));
    PutVarint64(prefix, scale);
    if (delta_varint) {
      ValuesCandidate candidate{static_cast<uint8_t>(Int64Encoding::kDeltaVarint), prefix};
      for (const int64_t quotient : quotients)
        PutVarint64(candidate.values, ZigZagEncode(quotient));
      candidates.push_back(std::move(candidate));
    }
    if (delta_for) {
      PutVarint64(prefix, ZigZagEncode(min_quotient));
      for (size_t i = 0; i + 1 < count; ++i) {
        scratch[i] = static_cast<uint64_t>(quotients[i]) - static_cast<uint64_t>(min_quotient);
      }
      const uint64_t range =
          static_cast<uint64_t>(max_quotient) - static_cast<uint64_t>(min_quotient);
      AddPacked(Int64Encoding::kDeltaFrameOfReference, prefix, std::span(scratch.data(), count - 1),
                BitWidthOf(range), options, candidates);
    }
  }
  return candidates;
}

Status DecodeInt64Values(uint8_t encoding, const uint8_t* in, const uint8_t* end, size_t count,
                         int64_t* out) {
  assert(count > 0);
  ByteReader reader(in, end);
  switch (static_cast<Int64Encoding>(encoding)) {
    case Int64Encoding::kPlain:
      if (reader.remaining() != count * 8) return CorruptBlock("plain int64 size");
      std::memcpy(out, in, count * 8);
      return Status::Ok();

    case Int64Encoding::kFrameOfReference: {
      uint64_t min, scale;
      uint8_t width;
      if (!reader.ReadVarint64(min) || !reader.ReadVarint64(scale) || scale == 0 ||
          !reader.ReadByte(width) || width > kMaxBitWidth ||
          reader.remaining() != BitPackedBytes(count, width)) {
        return CorruptBlock("frame-of-reference int64 section");
      }
      const uint64_t base = static_cast<uint64_t>(ZigZagDecode(min));
      UnpackBits(reader.position(), reader.remaining(), count, width,
                 [out, base, scale](size_t i, uint64_t offset) {
                   out[i] = static_cast<int64_t>(base + offset * scale);
                 });
      return Status::Ok();
    }

    case Int64Encoding::kDeltaVarint: {
      uint64_t first, scale;
      if (!reader.ReadVarint64(first) || !reader.ReadVarint64(scale) || scale == 0) {
        return CorruptBlock("delta int64 section");
      }
      uint64_t value = static_cast<uint64_t>(ZigZagDecode(first));
      out[0] = static_cast<int64_t>(value);
      const uint8_t* p = reader.position();
      for (size_t i = 1; i < count; ++i) {
        uint64_t zigzag;
        p = DecodeVarint64(p, end, zigzag);
        if (p == nullptr) return CorruptBlock("truncated delta int64 section");
        value += static_cast<uint64_t>(ZigZagDecode(zigzag)) * scale;
        out[i] = static_cast<int64_t>(value);
      }
      if (p != end) return CorruptBlock("delta int64 section size");
      return Status::Ok();
    }

    case Int64Encoding::kDeltaFrameOfReference: {
      uint64_t first, scale, min;
      uint8_t width;
      if (!reader.ReadVarint64(first) || !reader.ReadVarint64(scale) || scale == 0 ||
          !reader.ReadVarint64(min) || !reader.ReadByte(width) || width > kMaxBitWidth ||
          reader.remaining() != BitPackedBytes(count - 1, width)) {
        return CorruptBlock("delta frame-of-reference int64 section");
      }
      uint64_t value = static_cast<uint64_t>(ZigZagDecode(first));
      const uint64_t base = static_cast<uint64_t>(ZigZagDecode(min));
      out[0] = static_cast<int64_t>(value);
      int64_t* rest = out + 1;
      UnpackBits(reader.position(), reader.remaining(), count - 1, width,
                 [rest, base, scale, &value](size_t i, uint64_t offset) {
                   value += (base + offset) * scale;
                   rest[i] = static_cast<int64_t>(value);
                 });
      return Status::Ok();
    }
  }
  return CorruptBlock("unknown int64 encoding");
}

}  // namespace cdp::columnar
