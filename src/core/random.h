#pragma once

#include <cstdint>
#include <string>

namespace cdp {

// A fast, non-cryptographic 64-bit generator private to the calling thread,
// seeded once per thread from the OS. For ids that must be unique, never for
// secrets (use SecureRandomToken for those).
uint64_t FastRandom64();

// `length` characters from [0-9A-Za-z], drawn from the OS's cryptographic
// generator (libsodium). Each character carries log2(62) ≈ 5.95 bits.
std::string SecureRandomToken(size_t length);

// Makes libsodium ready (sodium_init) once per process; cheap after the first
// call and safe from any thread. Aborts when the OS has no entropy source.
void InitSodiumOnce();

}  // namespace cdp
