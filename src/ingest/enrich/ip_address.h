#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cdp::ingest::enrich {

// An IPv4 or IPv6 address in network byte order. An IPv4-mapped IPv6 address
// ("::ffff:192.0.2.1", what a dual-stack socket reports for an IPv4 peer) is
// an IPv4 address.
struct IpAddress {
  bool is_v4 = true;
  // IPv4: bytes[0..3]; IPv6: all 16.
  std::array<uint8_t, 16> bytes{};

  bool operator==(const IpAddress&) const = default;
};

// Parses the text forms inet_pton accepts ("203.0.113.7", "2001:db8::1",
// "::ffff:203.0.113.7"); surrounding brackets ("[2001:db8::1]") are allowed.
// Anything else, zone ids ("fe80::1%eth0") and ports included, is nullopt.
std::optional<IpAddress> ParseIpAddress(std::string_view text);

// The canonical text form (RFC 5952 for IPv6, as inet_ntop writes it).
std::string FormatIpAddress(const IpAddress& address);

}  // namespace cdp::ingest::enrich
