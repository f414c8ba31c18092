#pragma once

#include <simdjson.h>

#include <span>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "model/event.h"

namespace cdp::ingest {

// Nesting deeper than this many levels of keys is refused: a name made of ten
// parts is already more than any schema registry column should carry.
inline constexpr size_t kMaxPropertyDepth = 10;

// Flattens a JSON object of a request (properties, traits, context) into
// Properties, appended to `out` in document order:
//  - a nested object's leaves are named parent_child (see property_name.h for
//    the snake_case rule); an empty object contributes nothing;
//  - an array is kept as its compact JSON text, a string;
//  - null stays null; numbers become double; booleans stay booleans;
//  - a string that is an ISO-8601 date-time also gets Property::timestamp.
// `path` is where the object sits in the request ("properties"); errors carry
// the path of the offending key as sent ("properties.address.zipCode"):
//  - a key with no letter or digit, or one more than kMaxPropertyDepth deep;
//  - a key whose name another key of the object (at any depth) already has.
// Top-level keys listed in `skip_keys` are left out (capture's "$set").
// REQUIRES: `out` is empty.
Status FlattenObject(const simdjson::dom::object& object, std::string_view path,
                     std::vector<Property>& out, std::span<const std::string_view> skip_keys = {});

// Flattens `object` deep-merged over `defaults`: a key of both whose values are
// both objects merges recursively; otherwise the value in `object` wins. A
// leaf of `defaults` whose flattened name `object` already uses is dropped
// ("firstName" in object shadows "first_name" in defaults); two leaves of
// `defaults` alike are an error on `defaults_path`.
// REQUIRES: `out` is empty.
Status FlattenMerged(const simdjson::dom::object& object, std::string_view path,
                     const simdjson::dom::object& defaults, std::string_view defaults_path,
                     std::vector<Property>& out);

}  // namespace cdp::ingest
