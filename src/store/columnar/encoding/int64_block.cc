// Int64 blocks: timestamps (microseconds) and integers.
#include <algorithm>
#include <cassert>

#include "store/columnar/encoding/block_encoding.h"
#include "store/columnar/encoding/block_format.h"
#include "store/columnar/encoding/int64_values.h"

namespace cdp::columnar {

EncodedBlock EncodeInt64Block(std::span<const int64_t> values, std::span<const uint8_t> is_null,
                              const BlockEncodeOptions& options) {
  assert(values.size() <= kMaxBlockRows);
  const NullRows rows = CollectNullRows(is_null, values.size());
  std::vector<int64_t> dense;
  const std::span<const int64_t> present = NonNullValues(values, is_null, rows, dense);

  EncodedBlock block;
  BlockStats& stats = block.stats;
  stats.kind = BlockKind::kInt64;
  stats.row_count = static_cast<uint32_t>(rows.row_count);
  stats.null_count = static_cast<uint32_t>(rows.null_count);
  std::vector<ValuesCandidate> candidates;
  if (present.empty()) {
    candidates.push_back({static_cast<uint8_t>(Int64Encoding::kPlain), {}});
  } else {
    const auto [min, max] = std::minmax_element(present.begin(), present.end());
    stats.has_min_max = true;
    stats.int_min = *min;
    stats.int_max = *max;
    candidates = Int64Candidates(present, options);
  }
  block.bytes = FinishBlock(BlockKind::kInt64, rows, candidates, options);
  return block;
}

Status DecodeInt64Block(std::string_view bytes, DecodedInt64Block& block,
                        const BlockDecodeOptions& options) {
  OpenedBlock opened;
  CDP_RETURN_IF_ERROR(OpenBlock(bytes, BlockKind::kInt64, options, /*copy_payload=*/false,
                                block.scratch_, block.nulls_, opened));
  const size_t rows = opened.header.row_count;
  block.values_.Resize(rows);
  if (opened.value_count > 0) {
    CDP_RETURN_IF_ERROR(DecodeInt64Values(opened.header.encoding, opened.values, opened.values_end,
                                          opened.value_count, block.values_.data()));
  }
  SpreadToRows<int64_t>(block.values_.data(), rows, block.nulls_, 0);
  return Status::Ok();
}

Result<DecodedInt64Block> DecodeInt64Block(std::string_view bytes) {
  DecodedInt64Block block;
  CDP_RETURN_IF_ERROR(DecodeInt64Block(bytes, block));
  return block;
}

}  // namespace cdp::columnar
