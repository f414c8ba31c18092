#pragma once

#include <functional>
#include <span>
#include <string>

#include "core/json_writer.h"
#include "core/result.h"
#include "http/request.h"
#include "http/response.h"

namespace cdp::api {

// One page of a list route: ?limit= (1 to `max_limit`, 100 when absent;
// BadRequest on "limit" otherwise) and ?cursor= (opaque, from the previous
// page's next_cursor; "" for the first page).
struct PageRequest {
  int limit = 100;
  std::string cursor;
};
Result<PageRequest> ReadPageRequest(const http::Request& request, int max_limit);

// 200 {"results": [...], "next_cursor": "..." or null when it was the last
// page}, each item written by `write`.
template <typename Item>
http::Response PageResponse(std::span<const Item> items, const std::string& next_cursor,
                            const std::function<void(JsonWriter&, const Item&)>& write) {
  JsonWriter json;
  json.BeginObject().Key("results").BeginArray();
  for (const Item& item : items) write(json, item);
  json.EndArray().Key("next_cursor");
  if (next_cursor.empty()) {
    json.Null();
  } else {
    json.String(next_cursor);
  }
  return http::Response::Json(200, std::move(json.EndObject()).Take());
}

}  // namespace cdp::api
