#pragma once

#include <string_view>

#include "core/status.h"

namespace cdp::ingest {

// Identity stitching refuses ids that a link must not join: an identify or
// alias carrying a placeholder such as "null" or "anonymous" (or a blank id)
// would merge every visitor whose SDK sent the same placeholder into one
// person. Ingestion refuses such items with a 400 so the client hears about
// it, rather than letting the identity service skip the link silently.

// Ok when `id` is empty (not given: whether it is required is its reader's
// business) or legal (identity::IsLegalDistinctId); else BadRequest with
// `field` as its field path and a message that quotes the value and says why
// it cannot be used, e.g.
//   userId "null" is not a usable id: placeholder values would merge unrelated people
// `field` is the path as the client wrote it ("userId", "properties.alias").
Status RequireLinkableId(std::string_view id, std::string_view field);

}  // namespace cdp::ingest
