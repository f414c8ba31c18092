#include "store/columnar/encoding/block_format.h"

#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>
#include <string>

#include "store/columnar/encoding/block_compression.h"
#include "store/columnar/encoding/varint.h"

namespace cdp::columnar {
namespace {

constexpr size_t kChecksumBytes = 4;

uint32_t BlockChecksum(const char* data, size_t size) {
  return static_cast<uint32_t>(XXH3_64bits(data, size));
}

struct Choice {
  size_t candidate = 0;
  BlockCodec codec = BlockCodec::kNone;
  std::string compressed;  // empty for kNone
  size_t size = 0;
};

// The codec for one payload: forced, or by the saving rules of the options.
Choice ChooseCodec(const std::string& payload, const BlockEncodeOptions& options,
                   std::string* zstd_done) {
  Choice choice;
  choice.size = payload.size();
  if (payload.empty()) return choice;
  if (options.codec.has_value()) {
    if (*options.codec != BlockCodec::kNone) {
      choice.codec = *options.codec;
      CompressPayload(choice.codec, payload, options.zstd_level, choice.compressed);
      choice.size = choice.compressed.size();
    }
    return choice;
  }
  std::string lz4;
  CompressPayload(BlockCodec::kLz4, payload, options.zstd_level, lz4);
  std::string zstd;
  if (zstd_done != nullptr) {
    zstd = std::move(*zstd_done);
  } else {
    CompressPayload(BlockCodec::kZstd, payload, options.zstd_level, zstd);
  }
  const double none_size = static_cast<double>(payload.size());
  if (static_cast<double>(lz4.size()) <= none_size * (1 - options.min_lz4_saving)) {
    choice.codec = BlockCodec::kLz4;
    choice.compressed = std::move(lz4);
    choice.size = choice.compressed.size();
  }
  if (static_cast<double>(zstd.size()) <=
      static_cast<double>(choice.size) * (1 - options.min_zstd_saving)) {
    choice.codec = BlockCodec::kZstd;
    choice.compressed = std::move(zstd);
    choice.size = choice.compressed.size();
  }
  return choice;
}

}  // namespace

std::string_view BlockCodecName(BlockCodec codec) {
  switch (codec) {
    case BlockCodec::kNone:
      return "none";
    case BlockCodec::kLz4:
      return "lz4";
    case BlockCodec::kZstd:
      return "zstd";
  }
  return "unknown";
}

Status CorruptBlock(std::string_view what) {
  return Status::Internal("corrupt columnar block: " + std::string(what));
}

NullRows CollectNullRows(std::span<const uint8_t> is_null, size_t row_count) {
  assert(is_null.empty() || is_null.size() == row_count);
  NullRows rows;
  rows.row_count = row_count;
  for (const uint8_t flag : is_null) rows.null_count += flag != 0;
  if (rows.null_count == 0 || rows.null_count == row_count) return rows;
  rows.bitmap.assign((row_count + 7) / 8, '\0');
  for (size_t row = 0; row < row_count; ++row) {
    if (is_null[row] != 0) rows.bitmap[row / 8] |= static_cast<char>(1 << (row % 8));
  }
  return rows;
}

std::vector<int> CandidateWidths(int minimal_width, const BlockEncodeOptions& options) {
  int aligned = minimal_width;
  if (minimal_width > 0)
    aligned = std::max(8, static_cast<int>(std::bit_ceil(static_cast<unsigned>(minimal_width))));
  if (options.byte_aligned_widths.has_value()) {
    return {*options.byte_aligned_widths ? aligned : minimal_width};
  }
  if (aligned == minimal_width) return {minimal_width};
  return {minimal_width, aligned};
}

std::string FinishBlock(BlockKind kind, const NullRows& rows,
                        std::vector<ValuesCandidate>& candidates,
                        const BlockEncodeOptions& options) {
  assert(!candidates.empty());
  // Candidates far larger than the smallest are not worth compressing: the
  // compressors rarely recover a factor of 3 that the encodings did not.
  size_t smallest_raw = SIZE_MAX;
  for (const ValuesCandidate& candidate : candidates) {
    smallest_raw = std::min(smallest_raw, candidate.values.size());
  }
  std::vector<std::string> payloads;
  std::vector<size_t> indexes;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (candidates.size() > 1 && candidates[i].values.size() > 3 * smallest_raw + 64) continue;
    std::string payload;
    payload.reserve(rows.bitmap.size() + candidates[i].values.size());
    payload.append(rows.bitmap);
    payload.append(candidates[i].values);
    assert(payload.size() <= kMaxBlockPayloadBytes);
    payloads.push_back(std::move(payload));
    indexes.push_back(i);
  }

  Choice best;
  if (payloads.size() == 1) {
    best = ChooseCodec(payloads[0], options, nullptr);
  } else {
    // Rank by the size each would have with zstd (or forced codec), then
    // pick the codec of the winner.
    size_t best_size = SIZE_MAX;
    size_t best_index = 0;
    std::string best_zstd;
    for (size_t i = 0; i < payloads.size(); ++i) {
      if (options.codec.has_value()) {
        Choice choice = ChooseCodec(payloads[i], options, nullptr);
        if (choice.size < best_size) {
          best_size = choice.size;
          best_index = i;
          best = std::move(choice);
        }
        continue;
      }
      std::string zstd;
      CompressPayload(BlockCodec::kZstd, payloads[i], options.ranking_zstd_level, zstd);
      const size_t size = std::min(zstd.size(), payloads[i].size());
      if (size < best_size) {
        best_size = size;
        best_index = i;
        best_zstd = std::move(zstd);
      }
    }
    const bool reuse = options.ranking_zstd_level == options.zstd_level;
    if (!options.codec.has_value()) {
      best = ChooseCodec(payloads[best_index], options, reuse ? &best_zstd : nullptr);
    }
    best.candidate = best_index;
  }
  const std::string& payload = payloads[best.candidate];
  const uint8_t encoding = candidates[indexes[best.candidate]].encoding;

  std::string block;
  block.reserve(kChecksumBytes + 3 + 3 * kMaxVarint64Bytes + best.size);
  block.append(kChecksumBytes, '\0');
  block.push_back(static_cast<char>(kind));
  block.push_back(static_cast<char>(encoding));
  block.push_back(static_cast<char>(best.codec));
  PutVarint64(block, rows.row_count);
  PutVarint64(block, rows.null_count);
  PutVarint64(block, payload.size());
  block.append(best.codec == BlockCodec::kNone ? payload : best.compressed);
  const uint32_t checksum =
      BlockChecksum(block.data() + kChecksumBytes, block.size() - kChecksumBytes);
  std::memcpy(block.data(), &checksum, kChecksumBytes);
  return block;
}

Result<BlockHeader> ReadBlockHeader(std::string_view bytes) {
  ByteReader reader(bytes);
  uint32_t checksum;
  uint8_t kind, encoding, codec;
  uint64_t rows, nulls, payload_size;
  if (!reader.ReadFixed32(checksum) || !reader.ReadByte(kind) || !reader.ReadByte(encoding) ||
      !reader.ReadByte(codec) || !reader.ReadVarint64(rows) || !reader.ReadVarint64(nulls) ||
      !reader.ReadVarint64(payload_size)) {
    return CorruptBlock("truncated header");
  }
  if (kind < static_cast<uint8_t>(BlockKind::kInt64) ||
      kind > static_cast<uint8_t>(BlockKind::kString)) {
    return CorruptBlock("unknown kind");
  }
  static constexpr uint8_t kEncodingCount[] = {0, 4, 2, 1, 4};
  if (encoding >= kEncodingCount[kind]) return CorruptBlock("unknown encoding");
  if (codec > static_cast<uint8_t>(BlockCodec::kZstd)) return CorruptBlock("unknown codec");
  if (rows > kMaxBlockRows || nulls > rows) return CorruptBlock("bad row or null count");
  if (payload_size > kMaxBlockPayloadBytes) return CorruptBlock("payload too large");
  BlockHeader header;
  header.kind = static_cast<BlockKind>(kind);
  header.encoding = encoding;
  header.codec = static_cast<BlockCodec>(codec);
  header.row_count = static_cast<uint32_t>(rows);
  header.null_count = static_cast<uint32_t>(nulls);
  header.payload_size = static_cast<uint32_t>(payload_size);
  header.header_size =
      static_cast<uint32_t>(reader.position() - reinterpret_cast<const uint8_t*>(bytes.data()));
  return header;
}

Status OpenBlock(std::string_view bytes, BlockKind kind, const BlockDecodeOptions& options,
                 bool copy_payload, GrowOnlyBuffer<char>& scratch, NullBitmap& nulls,
                 OpenedBlock& opened) {
  CDP_ASSIGN_OR_RETURN(opened.header, ReadBlockHeader(bytes));
  const BlockHeader& header = opened.header;
  if (options.verify_checksum &&
      LoadFixed32(reinterpret_cast<const uint8_t*>(bytes.data())) !=
          BlockChecksum(bytes.data() + kChecksumBytes, bytes.size() - kChecksumBytes)) {
    return CorruptBlock("checksum mismatch");
  }
  if (header.kind != kind) {
    return CorruptBlock("a " + std::string(BlockKindName(header.kind)) + " block read as " +
                        std::string(BlockKindName(kind)));
  }
  const std::string_view stored = bytes.substr(header.header_size);
  const uint8_t* payload;
  if (header.codec == BlockCodec::kNone) {
    if (stored.size() != header.payload_size) return CorruptBlock("payload size mismatch");
    if (copy_payload) {
      scratch.Resize(stored.size());
      if (!stored.empty()) std::memcpy(scratch.data(), stored.data(), stored.size());
      payload = reinterpret_cast<const uint8_t*>(scratch.data());
    } else {
      payload = reinterpret_cast<const uint8_t*>(stored.data());
    }
  } else {
    // Refused before allocating for it.
    if (!PlausibleDecompressedSize(header.codec, stored, header.payload_size)) {
      return CorruptBlock("implausible payload size");
    }
    scratch.Resize(header.payload_size);
    CDP_RETURN_IF_ERROR(
        DecompressPayload(header.codec, stored, scratch.data(), header.payload_size));
    payload = reinterpret_cast<const uint8_t*>(scratch.data());
  }
  const uint8_t* payload_end = payload + header.payload_size;

  const size_t rows = header.row_count;
  std::vector<uint64_t>& words = nulls.mutable_words();
  if (header.null_count == 0) {
    words.clear();
  } else {
    words.assign((rows + 63) / 64, 0);
    if (header.null_count == rows) {
      for (size_t i = 0; i < rows / 64; ++i) words[i] = ~uint64_t{0};
      if (rows % 64 != 0) words[rows / 64] = (uint64_t{1} << (rows % 64)) - 1;
    } else {
      const size_t bitmap_bytes = (rows + 7) / 8;
      if (header.payload_size < bitmap_bytes) return CorruptBlock("truncated null bitmap");
      std::memcpy(words.data(), payload, bitmap_bytes);
      if (rows % 8 != 0 && (payload[bitmap_bytes - 1] >> (rows % 8)) != 0) {
        return CorruptBlock("null bitmap padding");
      }
      size_t count = 0;
      for (const uint64_t word : words) count += static_cast<size_t>(std::popcount(word));
      if (count != header.null_count) return CorruptBlock("null bitmap count");
      payload += bitmap_bytes;
    }
  }
  opened.value_count = rows - header.null_count;
  opened.values = payload;
  opened.values_end = payload_end;
  if (opened.value_count == 0 && payload != payload_end) {
    return CorruptBlock("values in a block without values");
  }
  return Status::Ok();
}

}  // namespace cdp::columnar
