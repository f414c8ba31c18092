#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/columnar/encoding/block_encoding.h"

// The general-purpose compressors behind BlockCodec. Internal to the
// encodings; callers never see the libraries' headers.

namespace cdp::columnar {

// Appends `input` compressed with `codec` to `out`. kLz4 writes one raw LZ4
// block (no frame); kZstd one zstd frame that records its content size.
// REQUIRES: codec != kNone; input.size() <= kMaxBlockPayloadBytes.
void CompressPayload(BlockCodec codec, std::string_view input, int zstd_level, std::string& out);

// Whether `input` can decompress to `size` bytes at all, checked before a
// buffer of that size is allocated: neither codec expands beyond a fixed
// ratio (lz4 ~255x; zstd ~32768x, an RLE block of 4 bytes per 128 KiB), and
// a zstd frame declares its content size.
bool PlausibleDecompressedSize(BlockCodec codec, std::string_view input, size_t size);

// Decompresses `input` into exactly `out_size` bytes at `out`; an error when
// the bytes are not a valid stream of `codec` or do not decompress to
// exactly `out_size` bytes. Never writes past out + out_size.
Status DecompressPayload(BlockCodec codec, std::string_view input, char* out, size_t out_size);

}  // namespace cdp::columnar
