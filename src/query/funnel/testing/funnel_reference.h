#pragma once

#include <span>
#include <string_view>

#include "core/result.h"
#include "model/event.h"
#include "model/person_map.h"
#include "query/event_filter.h"
#include "query/funnel/funnel_request.h"
#include "query/funnel/funnel_result.h"

namespace cdp::query::testing {

// The funnel of the events of `workspace_id` among `events`, computed the
// slow and obvious way, straight from the definitions in funnel_engine.h:
// every person's events sorted by the stated order, every chain start
// tried. Events are grouped by person as PersonOf resolves them under
// `persons`. What every store's funnels are tested against.
Result<FunnelResult> ReferenceFunnel(std::span<const Event> events, std::string_view workspace_id,
                                     const FunnelRequest& request, const ColumnCatalog& catalog,
                                     const PersonMap& persons);

}  // namespace cdp::query::testing
