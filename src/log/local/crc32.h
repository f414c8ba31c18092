#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cdp::local_log {

// CRC-32 as zlib's crc32() computes it (the ISO-HDLC / IEEE 802.3 CRC:
// reflected polynomial 0xEDB88320, initial value and final xor 0xFFFFFFFF),
// so Crc32(data) == crc32(0, data, size) and log files written with zlib's
// stay readable. Not CRC-32C: the x86 crc32 instruction cannot compute it.
//
// Carry-less multiplication (PCLMULQDQ) folds 16 bytes and more when the CPU
// has it (checked once, at run time: any x86-64 since 2010 does). Elsewhere,
// and for the last 15 bytes, a slicing-by-8 table, or zlib's own crc32 for
// long inputs, where it is faster. Thread-safe.

// The CRC of data[0, size) continuing `crc`, the CRC of the bytes before it
// (0 for none): Crc32Extend(Crc32(a), b) == Crc32(a + b), as zlib's crc32(crc, ...).
uint32_t Crc32Extend(uint32_t crc, const char* data, size_t size);

inline uint32_t Crc32(std::string_view data) { return Crc32Extend(0, data.data(), data.size()); }

// For tests and benchmarks: what Crc32Extend does on a CPU without PCLMULQDQ,
// and the name of the implementation it uses here ("pclmul", "portable").
uint32_t Crc32ExtendWithoutClmul(uint32_t crc, const char* data, size_t size);
std::string_view Crc32Implementation();

}  // namespace cdp::local_log
