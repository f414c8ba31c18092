#include "auth/credentials.h"

#include <sodium.h>
#include <strings.h>

namespace cdp {

namespace {

// The rest of `authorization` after "<scheme> " (scheme case-insensitive),
// with surrounding spaces trimmed; nullopt for another scheme.
std::optional<std::string_view> AfterScheme(std::string_view authorization,
                                            std::string_view scheme) {
  if (authorization.size() <= scheme.size() || authorization[scheme.size()] != ' ' ||
      strncasecmp(authorization.data(), scheme.data(), scheme.size()) != 0) {
    return std::nullopt;
  }
  std::string_view rest = authorization.substr(scheme.size() + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  return rest;
}

}  // namespace

std::optional<std::string> BasicAuthUser(std::string_view authorization) {
  const std::optional<std::string_view> encoded = AfterScheme(authorization, "Basic");
  if (!encoded || encoded->empty()) return std::nullopt;
  std::string decoded(encoded->size(), '\0');
  size_t decoded_size = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()), decoded.size(),
                        encoded->data(), encoded->size(), nullptr, &decoded_size, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != encoded->data() + encoded->size()) {
    return std::nullopt;
  }
  decoded.resize(decoded_size);
  const size_t colon = decoded.find(':');
  if (colon == std::string::npos) return std::nullopt;
  decoded.resize(colon);
  return decoded;
}

std::optional<std::string_view> BearerToken(std::string_view authorization) {
  std::optional<std::string_view> token = AfterScheme(authorization, "Bearer");
  if (!token || token->empty()) return std::nullopt;
  return token;
}

}  // namespace cdp
