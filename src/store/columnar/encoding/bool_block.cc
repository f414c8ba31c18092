// Bool blocks: one bit per non-null value.
#include <cassert>

#include "store/columnar/encoding/bit_packing.h"
#include "store/columnar/encoding/block_encoding.h"
#include "store/columnar/encoding/block_format.h"

namespace cdp::columnar {

EncodedBlock EncodeBoolBlock(std::span<const uint8_t> values, std::span<const uint8_t> is_null,
                             const BlockEncodeOptions& options) {
  assert(values.size() <= kMaxBlockRows);
  const NullRows rows = CollectNullRows(is_null, values.size());
  EncodedBlock block;
  BlockStats& stats = block.stats;
  stats.kind = BlockKind::kBool;
  stats.row_count = static_cast<uint32_t>(rows.row_count);
  stats.null_count = static_cast<uint32_t>(rows.null_count);

  std::vector<uint64_t> bits;
  bits.reserve(values.size() - rows.null_count);
  bool seen[2] = {false, false};
  for (size_t i = 0; i < values.size(); ++i) {
    if (!is_null.empty() && is_null[i] != 0) continue;
    const bool value = values[i] != 0;
    seen[value] = true;
    bits.push_back(value);
  }
  if (!bits.empty()) {
    stats.has_min_max = true;
    stats.int_min = seen[0] ? 0 : 1;
    stats.int_max = seen[1] ? 1 : 0;
  }
  std::vector<ValuesCandidate> candidates(1);
  candidates[0].encoding = static_cast<uint8_t>(BoolEncoding::kBitPacked);
  AppendBitPacked(bits, 1, candidates[0].values);
  block.bytes = FinishBlock(BlockKind::kBool, rows, candidates, options);
  return block;
}

Status DecodeBoolBlock(std::string_view bytes, DecodedBoolBlock& block,
                       const BlockDecodeOptions& options) {
  OpenedBlock opened;
  CDP_RETURN_IF_ERROR(OpenBlock(bytes, BlockKind::kBool, options, /*copy_payload=*/false,
                                block.scratch_, block.nulls_, opened));
  const size_t rows = opened.header.row_count;
  const size_t count = opened.value_count;
  block.values_.Resize(rows);
  uint8_t* out = block.values_.data();
  if (count > 0) {
    const size_t size = static_cast<size_t>(opened.values_end - opened.values);
    if (size != (count + 7) / 8) return CorruptBlock("bool section size");
    const uint8_t* in = opened.values;
    for (size_t i = 0; i < count; ++i) out[i] = (in[i >> 3] >> (i & 7)) & 1;
  }
  SpreadToRows<uint8_t>(out, rows, block.nulls_, 0);
  return Status::Ok();
}

Result<DecodedBoolBlock> DecodeBoolBlock(std::string_view bytes) {
  DecodedBoolBlock block;
  CDP_RETURN_IF_ERROR(DecodeBoolBlock(bytes, block));
  return block;
}

}  // namespace cdp::columnar
