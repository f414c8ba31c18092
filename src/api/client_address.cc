#include "api/client_address.h"

#include <string_view>

namespace cdp::api {

namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

}  // namespace

std::string ClientAddress(const http::Request& request, int trusted_proxies) {
  const std::string_view forwarded = request.Header("X-Forwarded-For");
  if (trusted_proxies <= 0 || forwarded.empty()) return std::string(request.remote_address());
  std::string_view rest = forwarded;
  std::string_view entry;
  for (int i = 0; i < trusted_proxies; ++i) {
    const size_t comma = rest.rfind(',');
    entry = Trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    if (comma == std::string_view::npos) break;
    rest = rest.substr(0, comma);
  }
  return entry.empty() ? std::string(request.remote_address()) : std::string(entry);
}

}  // namespace cdp::api
