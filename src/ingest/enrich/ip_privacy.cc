#include "ingest/enrich/ip_privacy.h"

#include <algorithm>

#include "ingest/enrich/ip_address.h"

namespace cdp::ingest::enrich {
namespace {

constexpr size_t kKeptV4Bytes = 3;  // /24
constexpr size_t kKeptV6Bytes = 6;  // /48

}  // namespace

std::string_view IpPolicyName(IpPolicy policy) {
  switch (policy) {
    case IpPolicy::kKeep:
      return "keep";
    case IpPolicy::kTruncate:
      return "truncate";
    case IpPolicy::kDrop:
      return "drop";
  }
  return "keep";
}

std::optional<IpPolicy> ParseIpPolicy(std::string_view name) {
  if (name == "keep") return IpPolicy::kKeep;
  if (name == "truncate") return IpPolicy::kTruncate;
  if (name == "drop") return IpPolicy::kDrop;
  return std::nullopt;
}

std::string ApplyIpPolicy(std::string_view ip, IpPolicy policy) {
  switch (policy) {
    case IpPolicy::kKeep:
      return std::string(ip);
    case IpPolicy::kDrop:
      return {};
    case IpPolicy::kTruncate:
      break;
  }
  std::optional<IpAddress> address = ParseIpAddress(ip);
  if (!address) return {};
  const size_t kept = address->is_v4 ? kKeptV4Bytes : kKeptV6Bytes;
  std::fill(address->bytes.begin() + kept, address->bytes.end(), 0);
  return FormatIpAddress(*address);
}

}  // namespace cdp::ingest::enrich
