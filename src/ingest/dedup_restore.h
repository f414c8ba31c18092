#pragma once

#include <cstddef>

#include "core/clock.h"
#include "core/result.h"
#include "ingest/dedup_index.h"
#include "log/event_log.h"

namespace cdp::ingest {

// Rebuilds the dedup index at start-up from the events the log keeps (the
// log keeps at least one dedup window of segments, see LocalEventLog's
// min_retention): every event received within the window before `now` is
// restored, so a client retrying across a restart is still deduplicated.
// Returns how many pairs were restored. A record that does not decode is an
// error: the log's checksums make that corruption, not a format to skip.
Result<size_t> RestoreDedupIndexFromLog(EventLog& log, DedupIndex& index, TimePoint now);

}  // namespace cdp::ingest
