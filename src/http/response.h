#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cdp::http {

// What a handler answers. The transport adds Content-Length, Date, Server,
// Connection, X-Request-Id and CORS headers.
struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response Json(int status, std::string body) {
    return Response{status, "application/json", std::move(body), {}};
  }
  static Response Text(int status, std::string body,
                       std::string content_type = "text/plain; charset=utf-8") {
    return Response{status, std::move(content_type), std::move(body), {}};
  }
  static Response NoContent() { return Response{204, {}, {}, {}}; }

  // The first header of that name (case-insensitive), or "" when absent.
  std::string_view Header(std::string_view name) const;
};

}  // namespace cdp::http
