#include "api/request_credentials.h"

#include <strings.h>

#include "api/client_address.h"
#include "auth/credentials.h"

namespace cdp::api {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Without the optional white space (spaces, tabs) around it.
std::string_view TrimWhitespace(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The value of the cookie `name` in one Cookie header value: pairs
// "name=value" separated by ';' (RFC 6265 section 4.2.1), parsed leniently
// as browsers write them: white space around pairs, names and values is
// dropped, a value in double quotes loses them, a pair without '=' is
// skipped. Names are case-sensitive. "" when absent or empty.
std::string_view CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t semicolon = header.find(';');
    const std::string_view pair = header.substr(0, semicolon);
    header =
        semicolon == std::string_view::npos ? std::string_view() : header.substr(semicolon + 1);
    const size_t equals = pair.find('=');
    if (equals == std::string_view::npos) continue;
    if (TrimWhitespace(pair.substr(0, equals)) != name) continue;
    std::string_view value = TrimWhitespace(pair.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (!value.empty()) return value;
  }
  return {};
}

// The attributes every session cookie carries: not readable by scripts, not
// sent on cross-site subrequests or posts, for the whole server.
constexpr std::string_view kCookieAttributes = "; HttpOnly; SameSite=Lax; Path=/; Max-Age=";

}  // namespace

std::optional<RequestCredential> ReadCredential(const http::Request& request) {
  if (const std::optional<std::string_view> token = BearerToken(request.Header("Authorization"))) {
    return RequestCredential{std::string(*token), CredentialSource::kBearer};
  }
  // HTTP/2 proxies may split cookies over several headers: look in each.
  for (const auto& [header, value] : request.headers()) {
    if (!EqualsIgnoreCase(header, "Cookie")) continue;
    const std::string_view session = CookieValue(value, kSessionCookieName);
    if (!session.empty()) return RequestCredential{std::string(session), CredentialSource::kCookie};
  }
  return std::nullopt;
}

bool ArrivedOverTls(const http::Request& request, int trusted_proxies) {
  // As for X-Forwarded-For: entries left of the outermost trusted proxy's
  // are the client's and prove nothing.
  return EqualsIgnoreCase(
      TrustedForwardedEntry(request.Header("X-Forwarded-Proto"), trusted_proxies), "https");
}

std::string SessionCookie(std::string_view token, int64_t max_age_seconds, bool secure) {
  std::string cookie(kSessionCookieName);
  cookie += '=';
  cookie += token;
  cookie += kCookieAttributes;
  cookie += std::to_string(max_age_seconds);
  if (secure) cookie += "; Secure";
  return cookie;
}

std::string ExpiredSessionCookie(bool secure) { return SessionCookie("", 0, secure); }

}  // namespace cdp::api
