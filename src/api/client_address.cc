#include "api/client_address.h"

#include <string_view>

namespace cdp::api {

namespace {

// Without the optional white space (spaces, tabs) around it.
std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string_view TrustedForwardedEntry(std::string_view header_value, int trusted_proxies) {
  std::string_view rest = header_value;
  std::string_view entry;
  for (int i = 0; i < trusted_proxies; ++i) {
    const size_t comma = rest.rfind(',');
    entry = Trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    if (comma == std::string_view::npos) break;
    rest = rest.substr(0, comma);
  }
  return entry;
}

std::string ClientAddress(const http::Request& request, int trusted_proxies) {
  const std::string_view entry =
      TrustedForwardedEntry(request.Header("X-Forwarded-For"), trusted_proxies);
  return entry.empty() ? std::string(request.remote_address()) : std::string(entry);
}

}  // namespace cdp::api
