#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/person_map.h"
#include "store/event_store.h"

namespace cdp::query {

// How far a running query is, for GET /query/async/{id}: rows scanned
// against the rows its scans are expected to read (an estimate from the
// store's stats, so the fraction is approximate and held below 1 until the
// query finishes). Safe to update and read from any thread.
class QueryProgress {
 public:
  void AddExpectedRows(uint64_t rows) { expected_.fetch_add(rows, std::memory_order_relaxed); }
  void AddScannedRows(uint64_t rows) { scanned_.fetch_add(rows, std::memory_order_relaxed); }
  uint64_t scanned_rows() const { return scanned_.load(std::memory_order_relaxed); }
  // From 0 to 0.99.
  double Fraction() const;

 private:
  std::atomic<uint64_t> expected_{0};
  std::atomic<uint64_t> scanned_{0};
};

class PersonDirectory;  // person_directory.h

// What an analysis runs for: one workspace (every scan is bound to it), with
// a scan parallelism, optionally a cancellation flag and a progress to
// report to (async queries set both), and who is who.
struct QueryContext {
  std::string workspace_id;
  int parallelism = 2;
  const std::atomic<bool>* cancelled = nullptr;
  QueryProgress* progress = nullptr;
  // The persons events resolve to (identity stitching); nullptr: nobody is
  // merged (every id is a person of its own), and there are no profiles.
  // REQUIRES: outlives the query.
  const PersonDirectory* persons = nullptr;
  // The snapshot of `persons` the query resolves events with, when whoever
  // runs it took it already: the query service keys cached answers by the
  // snapshot's version, so the answer must come from that very snapshot.
  // Null: PersonSnapshotOf takes the directory's current one.
  std::shared_ptr<const PersonMap> person_snapshot = nullptr;

  bool Cancelled() const {
    return cancelled != nullptr && cancelled->load(std::memory_order_relaxed);
  }
};

// The status a cancelled query ends with.
Status CancelledStatus();

// The PersonMap a query resolves events with: context.person_snapshot when
// set, else the directory's current snapshot of the workspace, else an empty
// map (nobody merged). An analysis takes it ONCE and resolves every scan with
// it, so that one answer never mixes two moments of the identity graph.
// Never null.
std::shared_ptr<const PersonMap> PersonSnapshotOf(const QueryContext& context);

// The distinct ids of the person `id` names (a profile id or any distinct id;
// PersonDirectory::MemberIds), or {id} without a directory. Empty for a
// profile id of nobody. Errors: the directory's.
Result<std::vector<std::string>> PersonMemberIds(const QueryContext& context, std::string_view id);

// EventStore::Scan for an analysis: forces the context's workspace onto the
// request, stops with CancelledStatus() once the context is cancelled, and
// reports the rows it reads to the context's progress.
Status ScanForQuery(EventStore& store, const QueryContext& context, ScanRequest request,
                    const EventStore::ScanConsumer& consume);

}  // namespace cdp::query
