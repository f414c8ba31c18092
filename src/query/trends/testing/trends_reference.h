#pragma once

#include <span>
#include <string_view>

#include "model/event.h"
#include "model/person_map.h"
#include "query/testing/reference_quantile.h"
#include "query/trends/trends_request.h"
#include "query/trends/trends_result.h"

namespace cdp::query::testing {

// The trends answer computed the slow, obvious way, straight from the
// definitions in trends_request.h and trends_result.h: every bucket of every
// series, group and period re-reads all the events. The engine (and any
// other store's trends) is tested against it. Persons are PersonOf the
// events under `persons`.
TrendsResult ReferenceTrends(const TrendsRequest& request, std::span<const Event> events,
                             std::string_view workspace_id, const PersonMap& persons);

}  // namespace cdp::query::testing
