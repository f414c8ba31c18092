#include "query/query_context.h"

#include <algorithm>

#include "query/person_directory.h"

namespace cdp::query {

double QueryProgress::Fraction() const {
  const uint64_t expected = expected_.load(std::memory_order_relaxed);
  if (expected == 0) return 0;
  return std::min(0.99, double(scanned_rows()) / double(expected));
}

Status CancelledStatus() {
  return Status::Unavailable("the query was cancelled", std::chrono::seconds(0));
}

std::shared_ptr<const PersonMap> PersonSnapshotOf(const QueryContext& context) {
  if (context.person_snapshot != nullptr) return context.person_snapshot;
  if (context.persons != nullptr) {
    if (std::shared_ptr<const PersonMap> snapshot = context.persons->Snapshot(context.workspace_id))
      return snapshot;
  }
  static const std::shared_ptr<const PersonMap> kNobodyMerged = std::make_shared<PersonMap>();
  return kNobodyMerged;
}

Result<std::vector<std::string>> PersonMemberIds(const QueryContext& context, std::string_view id) {
  if (context.persons == nullptr) return std::vector<std::string>{std::string(id)};
  return context.persons->MemberIds(context.workspace_id, id);
}

namespace {

// The rows a scan of [from, to) is expected to read: the workspace's rows in
// proportion to the part of its time span the range covers.
uint64_t ExpectedRows(EventStore& store, const ScanRequest& request) {
  const Result<StoreStats> stats = store.Stats(request.workspace_id);
  if (!stats.ok() || stats->rows == 0) return 0;
  const TimePoint from = std::max(request.from, stats->min_timestamp);
  const TimePoint to = std::min(request.to, stats->max_timestamp + std::chrono::microseconds(1));
  if (from >= to) return 0;
  const double span = double((stats->max_timestamp - stats->min_timestamp).count()) + 1;
  return uint64_t(double(stats->rows) * std::min(1.0, double((to - from).count()) / span));
}

}  // namespace

Status ScanForQuery(EventStore& store, const QueryContext& context, ScanRequest request,
                    const EventStore::ScanConsumer& consume) {
  request.workspace_id = context.workspace_id;
  if (context.Cancelled()) return CancelledStatus();
  if (context.progress != nullptr) context.progress->AddExpectedRows(ExpectedRows(store, request));
  return store.Scan(request, context.parallelism, [&](int worker, const ScanBatch& batch) {
    if (context.Cancelled()) return CancelledStatus();
    if (context.progress != nullptr) context.progress->AddScannedRows(batch.block_rows);
    return consume(worker, batch);
  });
}

}  // namespace cdp::query
