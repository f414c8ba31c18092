#pragma once

#include <simdjson.h>

#include <functional>

#include "core/result.h"
#include "ingest/request_body.h"
#include "ingest/request_parser.h"
#include "model/event.h"

namespace cdp::ingest {

// Turns one item (an event object) into an Event, or says why not, with a
// field path relative to the item ("event", "properties.firstName").
using ItemParser = std::function<Result<Event>(const simdjson::dom::object& item)>;

// The body's "batch" array, or the whole-request error: BadRequest when it is
// missing or not an array, PayloadTooLarge beyond limits.max_batch_events.
Result<simdjson::dom::array> ReadBatch(const RequestBody& body, const ParseLimits& limits);

// Parses each item of `batch` into `out`, in order. An item that is not an
// object or is longer than limits.max_event_bytes is rejected without calling
// `parse_item`; a rejected item's field gets the "batch[i]" prefix.
// REQUIRES: `batch` comes from ReadBatch(body, limits).
Status ParseBatchItems(const RequestBody& body, const simdjson::dom::array& batch,
                       const ParseLimits& limits, const ItemParser& parse_item, ParsedRequest& out);

// Parses the body's root object as the request's only item (index 0; field
// paths without prefix); the size limit applies to the body.
void ParseSingleItem(const RequestBody& body, const ParseLimits& limits,
                     const ItemParser& parse_item, ParsedRequest& out);

}  // namespace cdp::ingest
