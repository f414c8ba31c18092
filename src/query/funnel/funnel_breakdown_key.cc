#include "query/funnel/funnel_breakdown_key.h"

#include <xxhash.h>

#include <cstring>
#include <variant>

namespace cdp::query {

namespace {

// One seed per kind, so that the string "1" and the number 1 differ.
enum Seed : uint64_t { kStringSeed = 1, kTimeSeed = 2, kNumberSeed = 3, kBooleanSeed = 4 };

uint64_t NonZero(uint64_t key) { return key == 0 ? 1 : key; }  // 0 means null

uint64_t KeyOfBytes(const void* data, size_t size, Seed seed) {
  return NonZero(XXH3_64bits_withSeed(data, size, seed));
}

}  // namespace

uint64_t FunnelStringKey(std::string_view text) {
  return KeyOfBytes(text.data(), text.size(), kStringSeed);
}

uint64_t FunnelTimeKey(int64_t micros) { return KeyOfBytes(&micros, sizeof(micros), kTimeSeed); }

uint64_t FunnelNumberKey(double number) {
  if (number == 0) number = 0;  // -0 is 0
  uint64_t bits = 0;
  std::memcpy(&bits, &number, sizeof(bits));
  return KeyOfBytes(&bits, sizeof(bits), kNumberSeed);
}

uint64_t FunnelBooleanKey(bool value) {
  const uint8_t byte = value ? 1 : 0;
  return KeyOfBytes(&byte, 1, kBooleanSeed);
}

uint64_t FunnelBreakdownKey(const ScalarValue& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return FunnelStringKey(*text);
  if (const auto* time = std::get_if<TimeValue>(&value)) return FunnelTimeKey(time->micros);
  if (const auto* number = std::get_if<double>(&value)) return FunnelNumberKey(*number);
  if (const auto* boolean = std::get_if<bool>(&value)) return FunnelBooleanKey(*boolean);
  return 0;
}

}  // namespace cdp::query
