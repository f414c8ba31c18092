#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cdp::ingest::enrich {

// What the enricher stores of the client's IP address (the `ip` context
// property). Geo lookup always uses the full address, before the policy.
enum class IpPolicy {
  kKeep,      // the address as given
  kTruncate,  // the network only: IPv4 /24, IPv6 /48, the rest zeroed
  kDrop,      // nothing
};

// "keep", "truncate", "drop".
std::string_view IpPolicyName(IpPolicy policy);
std::optional<IpPolicy> ParseIpPolicy(std::string_view name);

// The IP address to store under `policy`; empty means store none.
//  - keep: `ip` unchanged (even if it does not parse: what the caller gave).
//  - truncate: the canonical text of the address with all but the first 24
//    (IPv4) or 48 (IPv6) bits zeroed: "203.0.113.7" → "203.0.113.0",
//    "2001:db8:abcd:12::1" → "2001:db8:abcd::". An IPv4-mapped IPv6 address
//    is truncated and written as IPv4. A string that is not an IP address
//    gives "" (it cannot be truncated, so nothing of it is kept).
//  - drop: "".
std::string ApplyIpPolicy(std::string_view ip, IpPolicy policy);

}  // namespace cdp::ingest::enrich
