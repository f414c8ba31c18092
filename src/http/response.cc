#include "http/response.h"

#include <strings.h>

namespace cdp::http {

std::string_view Response::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) {
      return value;
    }
  }
  return {};
}

}  // namespace cdp::http
