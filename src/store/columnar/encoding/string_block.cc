// String blocks: a sorted dictionary with bit-packed codes, or the values
// one by one; UUID texts in either form as 16 bytes each.
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cstring>
#include <numeric>

#include "store/columnar/encoding/bit_packing.h"
#include "store/columnar/encoding/block_encoding.h"
#include "store/columnar/encoding/block_format.h"
#include "store/columnar/encoding/varint.h"

namespace cdp::columnar {
namespace {

constexpr size_t kUuidTextBytes = 36;
constexpr size_t kUuidBytes = 16;
constexpr uint32_t kEmptySlot = UINT32_MAX;
// Set in the code format byte: the codes are stored as increments.
constexpr uint8_t kMonotoneCodes = 0x40;

enum class UuidCase : uint8_t { kLower = 0, kUpper = 1 };

// Per byte: its hex digit value in the low 4 bits, kHexDigit when it is
// one, kLowerLetter / kUpperLetter for a-f / A-F.
constexpr uint8_t kHexDigit = 0x10;
constexpr uint8_t kLowerLetter = 0x20;
constexpr uint8_t kUpperLetter = 0x40;
constexpr std::array<uint8_t, 256> kHexTable = [] {
  std::array<uint8_t, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = static_cast<uint8_t>(kHexDigit | (c - '0'));
  for (int c = 'a'; c <= 'f'; ++c) {
    table[c] = static_cast<uint8_t>(kHexDigit | kLowerLetter | (c - 'a' + 10));
  }
  for (int c = 'A'; c <= 'F'; ++c) {
    table[c] = static_cast<uint8_t>(kHexDigit | kUpperLetter | (c - 'A' + 10));
  }
  return table;
}();
// Text offsets of the 32 hex digits of a UUID.
constexpr std::array<uint8_t, 32> kUuidDigitOffsets = {0,  1,  2,  3,  4,  5,  6,  7,  9,  10, 11,
                                                       12, 14, 15, 16, 17, 19, 20, 21, 22, 24, 25,
                                                       26, 27, 28, 29, 30, 31, 32, 33, 34, 35};

// Parses the canonical 8-4-4-4-12 text into 16 bytes; ORs kLowerLetter /
// kUpperLetter into `letters` for the letters it has.
bool ParseUuidText(std::string_view text, uint8_t* bytes, uint8_t& letters) {
  if (text.size() != kUuidTextBytes || text[8] != '-' || text[13] != '-' || text[18] != '-' ||
      text[23] != '-') {
    return false;
  }
  const auto* chars = reinterpret_cast<const uint8_t*>(text.data());
  uint8_t all = kHexDigit;
  for (size_t i = 0; i < kUuidBytes; ++i) {
    const uint8_t high = kHexTable[chars[kUuidDigitOffsets[2 * i]]];
    const uint8_t low = kHexTable[chars[kUuidDigitOffsets[2 * i + 1]]];
    all &= high & low;
    letters |= high | low;
    bytes[i] = static_cast<uint8_t>((high & 15) << 4 | (low & 15));
  }
  return all == kHexDigit;
}

void FormatUuidText(const uint8_t* bytes, UuidCase letter_case, char* text) {
  const char* digits = letter_case == UuidCase::kLower ? "0123456789abcdef" : "0123456789ABCDEF";
  for (size_t i = 0; i < kUuidBytes; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) *text++ = '-';
    *text++ = digits[bytes[i] >> 4];
    *text++ = digits[bytes[i] & 15];
  }
}

// The distinct non-null values of a block, in order of first appearance,
// and each value's index among them.
struct DistinctValues {
  std::vector<std::string_view> values;
  std::vector<uint64_t> hashes;
  std::vector<uint32_t> codes;  // one per input value
};

DistinctValues FindDistinct(std::span<const std::string_view> values) {
  DistinctValues distinct;
  const size_t capacity = std::bit_ceil(std::max<size_t>(16, values.size() * 2));
  const size_t mask = capacity - 1;
  std::vector<uint32_t> slots(capacity, kEmptySlot);
  distinct.codes.resize(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const std::string_view value = values[i];
    const uint64_t hash = XXH3_64bits(value.data(), value.size());
    size_t slot = static_cast<size_t>(hash) & mask;
    while (true) {
      const uint32_t index = slots[slot];
      if (index == kEmptySlot) {
        slots[slot] = static_cast<uint32_t>(distinct.values.size());
        distinct.codes[i] = slots[slot];
        distinct.values.push_back(value);
        distinct.hashes.push_back(hash);
        break;
      }
      if (distinct.hashes[index] == hash && distinct.values[index] == value) {
        distinct.codes[i] = index;
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  return distinct;
}

using UuidBytes = std::array<uint8_t, kUuidBytes>;

// Appends the entries distinct[indexes[i]]: their lengths and bytes, or,
// with a case, the case and the parsed UUID bytes `uuids` of the distinct
// values.
void AppendEntries(std::span<const std::string_view> distinct, std::span<const uint32_t> indexes,
                   std::optional<UuidCase> uuid_case, std::span<const UuidBytes> uuids,
                   std::string& out) {
  if (uuid_case.has_value()) {
    out.push_back(static_cast<char>(*uuid_case));
    const size_t start = out.size();
    out.resize(start + indexes.size() * kUuidBytes);
    char* p = out.data() + start;
    for (const uint32_t index : indexes) {
      std::memcpy(p, uuids[index].data(), kUuidBytes);
      p += kUuidBytes;
    }
    return;
  }
  for (const uint32_t index : indexes) PutVarint64(out, distinct[index].size());
  for (const uint32_t index : indexes) out.append(distinct[index]);
}

// Reads `count` entries written by AppendEntries into dictionary views
// (into the payload or `text`); `lengths` is scratch for `count` lengths.
Status ReadEntries(ByteReader& reader, size_t count, bool uuid, GrowOnlyBuffer<char>& text,
                   uint32_t* lengths, std::string_view* entries) {
  if (uuid) {
    uint8_t letter_case;
    const uint8_t* bytes;
    if (!reader.ReadByte(letter_case) || letter_case > 1 ||
        !reader.ReadBytes(count * kUuidBytes, bytes)) {
      return CorruptBlock("UUID entries");
    }
    text.Resize(count * kUuidTextBytes);
    char* out = text.data();
    for (size_t i = 0; i < count; ++i) {
      FormatUuidText(bytes + i * kUuidBytes, static_cast<UuidCase>(letter_case), out);
      entries[i] = std::string_view(out, kUuidTextBytes);
      out += kUuidTextBytes;
    }
    return Status::Ok();
  }
  size_t total = 0;
  for (size_t i = 0; i < count; ++i) {
    uint64_t length;
    // Each length and the running total stay within the bytes left, so the
    // sum cannot overflow.
    if (!reader.ReadVarintAtMost(reader.remaining(), length) ||
        (total += length) > reader.remaining()) {
      return CorruptBlock("string lengths");
    }
    lengths[i] = static_cast<uint32_t>(length);
  }
  const uint8_t* bytes;
  if (!reader.ReadBytes(total, bytes)) return CorruptBlock("string bytes");
  const char* p = reinterpret_cast<const char*>(bytes);
  for (size_t i = 0; i < count; ++i) {
    entries[i] = std::string_view(p, lengths[i]);
    p += lengths[i];
  }
  return Status::Ok();
}

}  // namespace

EncodedBlock EncodeStringBlock(std::span<const std::string_view> values,
                               std::span<const uint8_t> is_null,
                               const BlockEncodeOptions& options) {
  assert(values.size() <= kMaxBlockRows);
  const NullRows rows = CollectNullRows(is_null, values.size());
  std::vector<std::string_view> dense;
  const std::span<const std::string_view> present = NonNullValues(values, is_null, rows, dense);
  const size_t count = present.size();

  EncodedBlock block;
  BlockStats& stats = block.stats;
  stats.kind = BlockKind::kString;
  stats.row_count = static_cast<uint32_t>(rows.row_count);
  stats.null_count = static_cast<uint32_t>(rows.null_count);
  std::vector<ValuesCandidate> candidates;
  if (count == 0) {
    candidates.push_back({static_cast<uint8_t>(StringEncoding::kPlain), {}});
    block.bytes = FinishBlock(BlockKind::kString, rows, candidates, options);
    return block;
  }

  DistinctValues distinct = FindDistinct(present);
  const size_t distinct_count = distinct.values.size();
  const auto [min, max] = std::minmax_element(distinct.values.begin(), distinct.values.end());
  stats.has_min_max = true;
  stats.string_min = std::string(TruncateStatsMin(*min));
  stats.string_max = TruncateStatsMax(*max, stats.string_max_unbounded);
  if (distinct_count <= kMaxStatsValueHashes) {
    stats.has_value_hashes = true;
    stats.value_hashes = distinct.hashes;
    std::sort(stats.value_hashes.begin(), stats.value_hashes.end());
    stats.value_hashes.erase(std::unique(stats.value_hashes.begin(), stats.value_hashes.end()),
                             stats.value_hashes.end());
  }

  // UUID encodings need every value in the canonical form, in one case.
  std::optional<UuidCase> uuid_case;
  std::vector<UuidBytes> uuids(distinct_count);
  {
    bool all_uuids = true;
    uint8_t letters = 0;
    for (size_t i = 0; i < distinct_count && all_uuids; ++i) {
      all_uuids = ParseUuidText(distinct.values[i], uuids[i].data(), letters);
    }
    if (all_uuids && (letters & (kLowerLetter | kUpperLetter)) != (kLowerLetter | kUpperLetter)) {
      uuid_case = (letters & kUpperLetter) ? UuidCase::kUpper : UuidCase::kLower;
    } else {
      uuids.clear();
    }
  }

  // Which encodings to try: the forced one when it applies; else the
  // dictionary when values repeat, the plain form when many are distinct.
  std::optional<StringEncoding> forced = options.string_encoding;
  if (forced.has_value() && !uuid_case.has_value() &&
      (*forced == StringEncoding::kPlainUuid || *forced == StringEncoding::kDictionaryUuid)) {
    forced.reset();
  }
  bool plain_wanted, dictionary_wanted;
  std::optional<UuidCase> entries_case = uuid_case;
  if (forced.has_value()) {
    plain_wanted = *forced == StringEncoding::kPlain || *forced == StringEncoding::kPlainUuid;
    dictionary_wanted = !plain_wanted;
    if (*forced == StringEncoding::kPlain || *forced == StringEncoding::kDictionary) {
      entries_case.reset();
    }
  } else {
    dictionary_wanted = distinct_count < count;
    plain_wanted = distinct_count * 4 > count;
  }

  if (plain_wanted) {
    ValuesCandidate candidate{
        static_cast<uint8_t>(entries_case ? StringEncoding::kPlainUuid : StringEncoding::kPlain),
        {}};
    AppendEntries(distinct.values, distinct.codes, entries_case, uuids, candidate.values);
    candidates.push_back(std::move(candidate));
  }
  if (dictionary_wanted) {
    std::vector<uint32_t> order(distinct_count);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&distinct](uint32_t a, uint32_t b) {
      return distinct.values[a] < distinct.values[b];
    });
    std::vector<uint32_t> rank(distinct_count);
    for (size_t i = 0; i < distinct_count; ++i) rank[order[i]] = static_cast<uint32_t>(i);
    std::vector<uint32_t>& codes = distinct.codes;
    for (uint32_t& code : codes) code = rank[code];

    std::string prefix;
    PutVarint64(prefix, distinct_count);
    AppendEntries(distinct.values, order, entries_case, uuids, prefix);
    const auto encoding = static_cast<uint8_t>(entries_case ? StringEncoding::kDictionaryUuid
                                                            : StringEncoding::kDictionary);
    // Codes that never decrease (in the column a part is sorted by) may be
    // stored as their increments, mostly 0 and 1.
    const bool monotone =
        options.monotone_codes.value_or(true) && std::is_sorted(codes.begin(), codes.end());
    if (!monotone || !options.monotone_codes.value_or(false)) {
      for (const int width : CandidateWidths(BitWidthOf(distinct_count - 1), options)) {
        ValuesCandidate candidate{encoding, prefix};
        candidate.values.push_back(static_cast<char>(width));
        AppendBitPacked(std::span<const uint32_t>(codes), width, candidate.values);
        candidates.push_back(std::move(candidate));
      }
    }
    if (monotone) {
      std::vector<uint32_t> increments(count);
      uint32_t max_increment = 0;
      for (size_t i = 0; i < count; ++i) {
        increments[i] = codes[i] - (i == 0 ? 0 : codes[i - 1]);
        max_increment = std::max(max_increment, increments[i]);
      }
      for (const int width : CandidateWidths(BitWidthOf(max_increment), options)) {
        ValuesCandidate candidate{encoding, prefix};
        candidate.values.push_back(static_cast<char>(kMonotoneCodes | width));
        AppendBitPacked(std::span<const uint32_t>(increments), width, candidate.values);
        candidates.push_back(std::move(candidate));
      }
    }
  }
  block.bytes = FinishBlock(BlockKind::kString, rows, candidates, options);
  return block;
}

Status DecodeStringBlock(std::string_view bytes, DecodedStringBlock& block,
                         const BlockDecodeOptions& options) {
  OpenedBlock opened;
  // The payload is always copied into the block: the dictionary points into it.
  CDP_RETURN_IF_ERROR(OpenBlock(bytes, BlockKind::kString, options, /*copy_payload=*/true,
                                block.payload_, block.nulls_, opened));
  const size_t rows = opened.header.row_count;
  const size_t count = opened.value_count;
  const auto encoding = static_cast<StringEncoding>(opened.header.encoding);
  block.encoding_ = encoding;
  block.sorted_unique_ = false;
  block.codes_.Resize(rows);
  uint32_t* codes = block.codes_.data();
  if (count == 0) {
    block.dictionary_.Resize(0);
    std::fill(codes, codes + rows, 0);
    return Status::Ok();
  }

  ByteReader reader(opened.values, opened.values_end);
  const bool uuid =
      encoding == StringEncoding::kPlainUuid || encoding == StringEncoding::kDictionaryUuid;
  if (encoding == StringEncoding::kPlain || encoding == StringEncoding::kPlainUuid) {
    block.dictionary_.Resize(count);
    // The codes double as scratch for the lengths until they are written.
    CDP_RETURN_IF_ERROR(
        ReadEntries(reader, count, uuid, block.text_, codes, block.dictionary_.data()));
    if (reader.remaining() != 0) return CorruptBlock("plain string section size");
    std::iota(codes, codes + count, 0);
  } else {
    uint64_t distinct_count;
    if (!reader.ReadVarint64(distinct_count) || distinct_count == 0 || distinct_count > count) {
      return CorruptBlock("dictionary size");
    }
    block.dictionary_.Resize(distinct_count);
    std::string_view* entries = block.dictionary_.data();
    CDP_RETURN_IF_ERROR(ReadEntries(reader, distinct_count, uuid, block.text_, codes, entries));
    for (size_t i = 1; i < distinct_count; ++i) {
      if (!(entries[i - 1] < entries[i])) return CorruptBlock("dictionary not ascending");
    }
    uint8_t format;
    if (!reader.ReadByte(format)) return CorruptBlock("dictionary codes");
    const int width = format & ~kMonotoneCodes;  // bit 0x80 set: width > 32
    if (width > 32 || reader.remaining() != BitPackedBytes(count, width)) {
      return CorruptBlock("dictionary codes");
    }
    uint64_t max_code = 0;
    if (format & kMonotoneCodes) {
      // Increments of at most 2^32 - 1, at most 2^20 of them: no overflow.
      uint64_t code = 0;
      UnpackBits(reader.position(), reader.remaining(), count, width,
                 [codes, &code](size_t i, uint64_t increment) {
                   code += increment;
                   codes[i] = static_cast<uint32_t>(code);
                 });
      max_code = code;
    } else {
      UnpackBits(reader.position(), reader.remaining(), count, width,
                 [codes, &max_code](size_t i, uint64_t code) {
                   max_code = std::max(max_code, code);
                   codes[i] = static_cast<uint32_t>(code);
                 });
    }
    if (max_code >= distinct_count) return CorruptBlock("dictionary code out of range");
    block.sorted_unique_ = true;
  }
  SpreadToRows<uint32_t>(codes, rows, block.nulls_, 0);
  return Status::Ok();
}

Result<DecodedStringBlock> DecodeStringBlock(std::string_view bytes) {
  DecodedStringBlock block;
  CDP_RETURN_IF_ERROR(DecodeStringBlock(bytes, block));
  return block;
}

}  // namespace cdp::columnar
