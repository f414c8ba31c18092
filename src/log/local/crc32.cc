#include "log/local/crc32.h"

#include <zlib.h>

#include <bit>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CDP_CRC32_CLMUL 1
#endif

namespace cdp::local_log {

namespace {

// Below, `state` is the CRC register: the CRC with its final xor undone.
constexpr uint32_t kReflectedPolynomial = 0xEDB88320;

// table[0] is the classic byte-at-a-time table; table[k][b] advances the
// register over byte b followed by k zero bytes (slicing-by-8).
struct SlicingTables {
  uint32_t table[8][256];
};

constexpr SlicingTables MakeSlicingTables() {
  SlicingTables tables{};
  for (uint32_t byte = 0; byte < 256; ++byte) {
    uint32_t state = byte;
    for (int bit = 0; bit < 8; ++bit) {
      state = (state & 1) ? (state >> 1) ^ kReflectedPolynomial : state >> 1;
    }
    tables.table[0][byte] = state;
  }
  for (uint32_t byte = 0; byte < 256; ++byte) {
    for (int k = 1; k < 8; ++k) {
      const uint32_t previous = tables.table[k - 1][byte];
      tables.table[k][byte] = (previous >> 8) ^ tables.table[0][previous & 0xff];
    }
  }
  return tables;
}

constexpr SlicingTables kSlicing = MakeSlicingTables();

// Without carry-less multiplication, zlib's braided CRC (zlib 1.2.12 and
// later) beats slicing-by-8 from about this length on (~100 ns of fixed cost,
// then ~0.19 ns a byte against slicing-by-8's ~0.49, on an AMD EPYC core).
constexpr size_t kZlibMinBytes = 384;

uint32_t UpdateBytewise(uint32_t state, const unsigned char* data, size_t size) {
  const auto& t = kSlicing.table;
  for (size_t i = 0; i < size; ++i) state = (state >> 8) ^ t[0][(state ^ data[i]) & 0xff];
  return state;
}

uint32_t UpdateSlicingBy8(uint32_t state, const unsigned char* data, size_t size) {
  const auto& t = kSlicing.table;
  while (size >= 8) {
    uint64_t word;
    std::memcpy(&word, data, 8);
    if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
    word ^= state;
    state = t[7][word & 0xff] ^ t[6][(word >> 8) & 0xff] ^ t[5][(word >> 16) & 0xff] ^
            t[4][(word >> 24) & 0xff] ^ t[3][(word >> 32) & 0xff] ^ t[2][(word >> 40) & 0xff] ^
            t[1][(word >> 48) & 0xff] ^ t[0][word >> 56];
    data += 8;
    size -= 8;
  }
  return UpdateBytewise(state, data, size);
}

#ifdef CDP_CRC32_CLMUL

// Shorter inputs go to the table.
constexpr size_t kClmulMinBytes = 16;

bool CpuHasClmul() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
  }();
  return has;
}

#define CDP_TARGET_CLMUL __attribute__((target("pclmul,sse4.1")))

CDP_TARGET_CLMUL inline __m128i Load128(const unsigned char* at) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
}

// (a.low * k.low) ^ (a.high * k.high) ^ next: lane `a` moved forward onto `next`.
CDP_TARGET_CLMUL inline __m128i Fold(__m128i a, __m128i k, __m128i next) {
  const __m128i low = _mm_clmulepi64_si128(a, k, 0x00);
  const __m128i high = _mm_clmulepi64_si128(a, k, 0x11);
  return _mm_xor_si128(_mm_xor_si128(low, high), next);
}

// Folding with carry-less multiplication, after Gopal et al., "Fast CRC
// Computation for Generic Polynomials Using PCLMULQDQ Instruction" (Intel,
// 2009), in its bit-reflected form (as in Linux's crc32-pclmul_asm.S). The
// constants are x^n mod P for the fold distances, bit-reflected and shifted
// left by one: n = 4*128+32 and 4*128-32 (k1, k2) fold 64 bytes, 128+32 and
// 128-32 (k3, k4) fold 16, 64 (k5) folds 64 bits into 32; then a Barrett
// reduction with P' (the polynomial, reflected) and mu = x^64 / P (reflected).
// REQUIRES: size >= 16 and size % 16 == 0.
CDP_TARGET_CLMUL uint32_t UpdateClmul(uint32_t state, const unsigned char* data, size_t size) {
  const __m128i k1k2 = _mm_set_epi64x(0x01c6e41596, 0x0154442bd4);
  const __m128i k3k4 = _mm_set_epi64x(0x00ccaa009e, 0x01751997d0);
  const __m128i k5 = _mm_set_epi64x(0, 0x0163cd6124);
  const __m128i polynomial_mu = _mm_set_epi64x(0x01f7011641, 0x01db710641);
  const __m128i mask32 = _mm_setr_epi32(-1, 0, -1, 0);

  __m128i x1 = _mm_xor_si128(Load128(data), _mm_cvtsi32_si128(static_cast<int>(state)));
  data += 16;
  size -= 16;
  if (size >= 48) {
    // Four lanes of 16 bytes, folded forward 64 bytes at a time, then into one.
    __m128i x2 = Load128(data);
    __m128i x3 = Load128(data + 16);
    __m128i x4 = Load128(data + 32);
    data += 48;
    size -= 48;
    while (size >= 64) {
      x1 = Fold(x1, k1k2, Load128(data));
      x2 = Fold(x2, k1k2, Load128(data + 16));
      x3 = Fold(x3, k1k2, Load128(data + 32));
      x4 = Fold(x4, k1k2, Load128(data + 48));
      data += 64;
      size -= 64;
    }
    x1 = Fold(x1, k3k4, x2);
    x1 = Fold(x1, k3k4, x3);
    x1 = Fold(x1, k3k4, x4);
  }
  while (size >= 16) {
    x1 = Fold(x1, k3k4, Load128(data));
    data += 16;
    size -= 16;
  }
  // 128 bits to 64 (appending 32 zero bits), 64 to 32, then Barrett.
  __m128i x2 = _mm_clmulepi64_si128(x1, k3k4, 0x10);
  x1 = _mm_xor_si128(_mm_srli_si128(x1, 8), x2);
  x2 = _mm_srli_si128(x1, 4);
  x1 = _mm_and_si128(x1, mask32);
  x1 = _mm_xor_si128(_mm_clmulepi64_si128(x1, k5, 0x00), x2);
  x2 = _mm_and_si128(x1, mask32);
  x2 = _mm_clmulepi64_si128(x2, polynomial_mu, 0x10);
  x2 = _mm_and_si128(x2, mask32);
  x2 = _mm_clmulepi64_si128(x2, polynomial_mu, 0x00);
  x1 = _mm_xor_si128(x1, x2);
  return static_cast<uint32_t>(_mm_extract_epi32(x1, 1));
}

#undef CDP_TARGET_CLMUL

#endif  // CDP_CRC32_CLMUL

}  // namespace

uint32_t Crc32ExtendWithoutClmul(uint32_t crc, const char* data, size_t size) {
  if (size >= kZlibMinBytes) {
    return static_cast<uint32_t>(crc32_z(crc, reinterpret_cast<const Bytef*>(data), size));
  }
  return ~UpdateSlicingBy8(~crc, reinterpret_cast<const unsigned char*>(data), size);
}

uint32_t Crc32Extend(uint32_t crc, const char* data, size_t size) {
#ifdef CDP_CRC32_CLMUL
  if (size >= kClmulMinBytes && CpuHasClmul()) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(data);
    const size_t folded = size & ~size_t{15};
    const uint32_t state = UpdateClmul(~crc, bytes, folded);
    return ~UpdateSlicingBy8(state, bytes + folded, size - folded);
  }
#endif
  return Crc32ExtendWithoutClmul(crc, data, size);
}

std::string_view Crc32Implementation() {
#ifdef CDP_CRC32_CLMUL
  if (CpuHasClmul()) return "pclmul";
#endif
  return "portable";
}

}  // namespace cdp::local_log
