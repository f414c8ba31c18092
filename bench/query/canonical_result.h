#pragma once

// The analyses' results in the text form bench/query/run also makes
// ClickHouse print, so that the two answers can be compared with cmp:
// tab-separated lines, only the figures both engines compute, zero cells
// left out (ClickHouse's GROUP BY has no row for them).
//   funnel     "<step>\t<persons who reached at least that step>" per step (from 1)
//   retention  "<cohort>\t<period>\t<persons>" per non-zero cell (indices from 0)
//   trends     "<YYYY-MM-DD>\t<breakdown value>\t<value>" per non-zero point,
//              sorted; the rest group is "(other)", rows without the property ""
//   session    "<sessions>\t<milliseconds in sessions, all together>"
//   events     "<message_id>" per row, in the page's order

#include <string>
#include <string_view>

#include "core/result.h"

namespace cdp::bench {

// `request` and `result` are the JSON the analysis read and wrote.
Result<std::string> CanonicalResult(std::string_view kind, std::string_view request,
                                    std::string_view result);

}  // namespace cdp::bench
