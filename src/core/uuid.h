#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace cdp {

// An RFC 9562 UUID.
struct Uuid {
  std::array<uint8_t, 16> bytes{};

  // Random (version 4).
  static Uuid NewV4();
  // Time-ordered (version 7): 48-bit Unix milliseconds from `clock`, then a
  // counter and random bits. Ids made in one process are strictly
  // increasing, across threads and within one millisecond, so they sort in
  // creation order.
  static Uuid NewV7(const Clock& clock = SystemClock::Instance());
  // Accepts the canonical 8-4-4-4-12 form, either case.
  static std::optional<Uuid> Parse(std::string_view text);

  int version() const { return bytes[6] >> 4; }
  // Milliseconds since the epoch encoded in a version 7 UUID.
  int64_t UnixMillisV7() const;
  // Lower-case canonical form, 36 characters.
  std::string ToString() const;

  friend bool operator==(const Uuid&, const Uuid&) = default;
  friend auto operator<=>(const Uuid&, const Uuid&) = default;
};

}  // namespace cdp
