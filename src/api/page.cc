#include "api/page.h"

#include <fmt/format.h>

#include "core/parse_integer.h"

namespace cdp::api {

Result<PageRequest> ReadPageRequest(const http::Request& request, int max_limit) {
  PageRequest page;
  if (const std::optional<std::string> text = request.QueryParam("limit")) {
    if (!ParseInteger(*text, page.limit) || page.limit < 1 || page.limit > max_limit) {
      return Status::BadRequest(fmt::format("limit must be an integer from 1 to {}", max_limit),
                                "limit");
    }
  }
  page.cursor = request.QueryParam("cursor").value_or("");
  return page;
}

}  // namespace cdp::api
