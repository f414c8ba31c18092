#pragma once

#include <optional>
#include <string>
#include <string_view>

// Reading credentials out of an Authorization header value.
namespace cdp {

// The user part of "Basic base64(user:password)": Segment's SDKs send the
// write key as the user with an empty password. nullopt when the value is not
// Basic, not base64, or has no ':' (RFC 7617 requires one).
std::optional<std::string> BasicAuthUser(std::string_view authorization);

// The token of "Bearer <token>"; nullopt when the value is not Bearer or the
// token is empty. The scheme is case-insensitive (RFC 9110).
std::optional<std::string_view> BearerToken(std::string_view authorization);

}  // namespace cdp
