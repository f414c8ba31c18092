#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"
#include "store/columnar/encoding/block_encoding.h"
#include "store/columnar/encoding/block_format.h"

// The int64 values section (layout in block_encoding.h), shared by int64
// blocks and the decimal encoding of doubles. Internal to the encodings.

namespace cdp::columnar {

// The candidate sections for `values` (not empty): every int64 encoding, or
// only options.int64_encoding when set, each at the bit widths
// CandidateWidths allows. `encoding` of each is an Int64Encoding.
std::vector<ValuesCandidate> Int64Candidates(std::span<const int64_t> values,
                                             const BlockEncodeOptions& options);

// Decodes `count` values (> 0) of `encoding` from [in, end) into `out`; the
// section must end exactly at `end`.
Status DecodeInt64Values(uint8_t encoding, const uint8_t* in, const uint8_t* end, size_t count,
                         int64_t* out);

}  // namespace cdp::columnar
