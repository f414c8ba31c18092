#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "core/clock.h"
#include "core/result.h"
#include "http/request.h"
#include "meta/identity_store.h"

namespace cdp::api {

// GET /profiles reads at most this many profiles a page, and this many
// filters (each one more condition every listed profile is checked against).
inline constexpr int kMaxProfilePageSize = 1000;
inline constexpr size_t kMaxProfileFilters = 50;
inline constexpr size_t kMaxProfileSearchChars = 200;

// GET /profiles's query parameters as the identity store's request:
//
//   ?search=<text>   a case-insensitive substring of an id or a trait value
//   &filters=<JSON>  [{"trait": "plan", "operator": "equals", "value": "pro"}, ...]
//   &limit=<1..1000> (100)
//   &cursor=<the previous page's next_cursor>
//
// Operators: equals, not_equals (a string, number or boolean value), gt, gte,
// lt, lte (a number or a string), contains (a string), is_set, is_not_set (no
// value). BadRequest naming the parameter, or the path into "filters"
// ("filters[1].operator"), otherwise.
Result<ProfileListRequest> ReadProfileListRequest(const http::Request& request,
                                                  std::string workspace_id);

// A page's next_cursor: where the page ended in the list's order (last seen,
// then representative), as opaque hex text with a checksum, so that a
// damaged or edited cursor is refused rather than read as another position.
std::string EncodeProfileCursor(TimePoint last_seen, std::string_view person);
// BadRequest (field "cursor") for anything EncodeProfileCursor did not write.
Result<std::pair<TimePoint, std::string>> DecodeProfileCursor(std::string_view cursor);

}  // namespace cdp::api
