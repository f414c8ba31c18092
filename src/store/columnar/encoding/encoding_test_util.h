#pragma once

#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

#include "store/columnar/encoding/block_encoding.h"

namespace cdp::columnar::testing {

// A heap copy of exactly `bytes.size()` bytes, so that AddressSanitizer
// reports any read past the end (a std::string may have spare capacity).
inline std::vector<char> ExactCopy(std::string_view bytes) {
  return std::vector<char>(bytes.begin(), bytes.end());
}
inline std::string_view View(const std::vector<char>& bytes) {
  return std::string_view(bytes.data(), bytes.size());
}

// One entry per row, 1 for null with probability `null_rate` (all zero: none).
inline std::vector<uint8_t> RandomNulls(std::mt19937_64& rng, size_t rows, double null_rate) {
  std::vector<uint8_t> is_null(rows);
  std::bernoulli_distribution draw(null_rate);
  for (uint8_t& flag : is_null) flag = draw(rng) ? 1 : 0;
  return is_null;
}

inline BlockHeader HeaderOf(std::string_view bytes) {
  Result<BlockHeader> header = ReadBlockHeader(bytes);
  return header.ok() ? *header : BlockHeader{};
}

}  // namespace cdp::columnar::testing
