#pragma once

#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace cdp {

// Parses what FormatIso8601 writes ("2026-11-25T21:06:11.123Z"): a UTC time
// with 'Z', and a fraction of 0 to 9 digits (kept to the nanosecond). Offsets
// other than Z are refused: stored times are always UTC. BadRequest when
// `text` is anything else.
//
// It lives in meta because the metadata stores are its only readers so far;
// it belongs in core/clock.h beside FormatIso8601 once a second user appears.
Result<TimePoint> ParseIso8601(std::string_view text);

}  // namespace cdp
