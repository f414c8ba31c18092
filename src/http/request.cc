#include "http/request.h"

#include <strings.h>

#include "http/url_encoding.h"

namespace cdp::http {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

void Request::SetStartLine(std::string_view method, std::string_view target) {
  method_ = method;
  target_ = target;
  const size_t question = target.find('?');
  path_ = target.substr(0, question);
  query_ = question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
}

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [key, value] : headers_) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

std::optional<std::string> Request::QueryParam(std::string_view name) const {
  std::string_view rest = query_;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    const size_t equals = pair.find('=');
    if (PercentDecode(pair.substr(0, equals), true) != name) continue;
    return equals == std::string_view::npos ? std::string()
                                            : PercentDecode(pair.substr(equals + 1), true);
  }
  return std::nullopt;
}

std::string_view Request::PathParam(std::string_view name) const {
  for (const auto& [key, value] : params_) {
    if (key == name) return value;
  }
  return {};
}

void Request::SetRoute(std::string_view route, PathParams params, RouteAccess access) {
  route_ = route;
  params_ = std::move(params);
  access_ = access;
}

}  // namespace cdp::http
