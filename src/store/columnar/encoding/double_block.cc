// Double blocks: numbers. Decimal values (integers, prices in cents, ...)
// become int64 sections; anything else is stored as its IEEE-754 bits.
#include <array>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstring>

#include "store/columnar/encoding/block_encoding.h"
#include "store/columnar/encoding/block_format.h"
#include "store/columnar/encoding/int64_values.h"

namespace cdp::columnar {
namespace {

constexpr std::array<double, kMaxDecimalDigits + 1> kPowersOfTen = {1e0, 1e1, 1e2, 1e3, 1e4,
                                                                    1e5, 1e6, 1e7, 1e8, 1e9};

// The decoder's formula; the encoder checks every value against it.
inline double FromDecimal(int64_t integer, int digits) {
  return static_cast<double>(integer) / kPowersOfTen[static_cast<size_t>(digits)];
}

// Whether every value is integer / 10^digits exactly, filling `integers`.
bool ToDecimal(std::span<const double> values, int digits, std::vector<int64_t>& integers) {
  const double scale = kPowersOfTen[static_cast<size_t>(digits)];
  integers.resize(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const double scaled = values[i] * scale;
    // NaN fails both comparisons; the bound keeps llround defined.
    if (!(scaled > -9.2e18 && scaled < 9.2e18)) return false;
    const int64_t integer = std::llround(scaled);
    if (std::bit_cast<uint64_t>(FromDecimal(integer, digits)) !=
        std::bit_cast<uint64_t>(values[i])) {
      return false;
    }
    integers[i] = integer;
  }
  return true;
}

}  // namespace

EncodedBlock EncodeDoubleBlock(std::span<const double> values, std::span<const uint8_t> is_null,
                               const BlockEncodeOptions& options) {
  assert(values.size() <= kMaxBlockRows);
  const NullRows rows = CollectNullRows(is_null, values.size());
  std::vector<double> dense;
  const std::span<const double> present = NonNullValues(values, is_null, rows, dense);

  EncodedBlock block;
  BlockStats& stats = block.stats;
  stats.kind = BlockKind::kDouble;
  stats.row_count = static_cast<uint32_t>(rows.row_count);
  stats.null_count = static_cast<uint32_t>(rows.null_count);
  for (const double value : present) {
    if (std::isnan(value)) {
      stats.has_nan = true;
    } else if (!stats.has_min_max) {
      stats.has_min_max = true;
      stats.double_min = stats.double_max = value;
    } else {
      stats.double_min = std::min(stats.double_min, value);
      stats.double_max = std::max(stats.double_max, value);
    }
  }

  std::vector<ValuesCandidate> candidates;
  if (present.empty()) {
    candidates.push_back({static_cast<uint8_t>(DoubleEncoding::kPlain), {}});
  } else {
    const auto wanted = [&](DoubleEncoding encoding) {
      return !options.double_encoding.has_value() || *options.double_encoding == encoding;
    };
    if (wanted(DoubleEncoding::kDecimal) && !stats.has_nan) {
      std::vector<int64_t> integers;
      for (int digits = 0; digits <= kMaxDecimalDigits; ++digits) {
        if (!ToDecimal(present, digits, integers)) continue;
        for (ValuesCandidate& section : Int64Candidates(integers, options)) {
          ValuesCandidate candidate{static_cast<uint8_t>(DoubleEncoding::kDecimal), {}};
          candidate.values.reserve(2 + section.values.size());
          candidate.values.push_back(static_cast<char>(digits));
          candidate.values.push_back(static_cast<char>(section.encoding));
          candidate.values.append(section.values);
          candidates.push_back(std::move(candidate));
        }
        break;
      }
    }
    if (candidates.empty() || wanted(DoubleEncoding::kPlain)) {
      ValuesCandidate candidate{static_cast<uint8_t>(DoubleEncoding::kPlain), {}};
      candidate.values.resize(present.size() * 8);
      std::memcpy(candidate.values.data(), present.data(), present.size() * 8);
      candidates.push_back(std::move(candidate));
    }
  }
  block.bytes = FinishBlock(BlockKind::kDouble, rows, candidates, options);
  return block;
}

Status DecodeDoubleBlock(std::string_view bytes, DecodedDoubleBlock& block,
                         const BlockDecodeOptions& options) {
  OpenedBlock opened;
  CDP_RETURN_IF_ERROR(OpenBlock(bytes, BlockKind::kDouble, options, /*copy_payload=*/false,
                                block.scratch_, block.nulls_, opened));
  const size_t rows = opened.header.row_count;
  const size_t count = opened.value_count;
  block.values_.Resize(rows);
  double* out = block.values_.data();
  if (count > 0) {
    const uint8_t* in = opened.values;
    const uint8_t* end = opened.values_end;
    switch (static_cast<DoubleEncoding>(opened.header.encoding)) {
      case DoubleEncoding::kPlain:
        if (static_cast<size_t>(end - in) != count * 8) return CorruptBlock("plain double size");
        std::memcpy(out, in, count * 8);
        break;
      case DoubleEncoding::kDecimal: {
        if (end - in < 2 || in[0] > kMaxDecimalDigits) return CorruptBlock("decimal header");
        const int digits = in[0];
        block.integers_.Resize(count);
        int64_t* integers = block.integers_.data();
        CDP_RETURN_IF_ERROR(DecodeInt64Values(in[1], in + 2, end, count, integers));
        if (digits == 0) {
          for (size_t i = 0; i < count; ++i) out[i] = static_cast<double>(integers[i]);
        } else {
          const double scale = kPowersOfTen[static_cast<size_t>(digits)];
          for (size_t i = 0; i < count; ++i) out[i] = static_cast<double>(integers[i]) / scale;
        }
        break;
      }
      default:
        return CorruptBlock("unknown double encoding");
    }
  }
  SpreadToRows<double>(out, rows, block.nulls_, 0.0);
  return Status::Ok();
}

Result<DecodedDoubleBlock> DecodeDoubleBlock(std::string_view bytes) {
  DecodedDoubleBlock block;
  CDP_RETURN_IF_ERROR(DecodeDoubleBlock(bytes, block));
  return block;
}

}  // namespace cdp::columnar
