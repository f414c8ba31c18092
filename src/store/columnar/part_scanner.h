#pragma once

#include <memory>
#include <span>

#include "core/status.h"
#include "store/columnar/part.h"
#include "store/event_store.h"

namespace cdp::columnar {

// Runs `request` over `parts` (of its workspace) as EventStore::Scan
// describes: the blocks of every part that overlaps the time range are tasks
// that up to `parallelism` threads take in turn (the calling thread is one of
// them). Per block, the predicates are evaluated first, each on its own
// column, and a block whose stats (or whose part's columns) show that no row
// can match is not decoded at all; the requested columns are decoded only for
// blocks where some row passed.
Status ScanParts(std::span<const std::shared_ptr<const Part>> parts, const ScanRequest& request,
                 int parallelism, const EventStore::ScanConsumer& consume);

}  // namespace cdp::columnar
