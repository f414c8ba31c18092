#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

#include "core/result.h"
#include "query/person_key.h"
#include "query/query_context.h"
#include "query/sql/row_chunk.h"
#include "query/sql/sql_memory_budget.h"
#include "query/sql/sql_row_stream.h"
#include "store/event_store.h"
#include "store/scan.h"

namespace cdp::query {

// The rows of one scan of the events table, handed from a scan thread to the
// SQLite thread without ever holding the workspace in memory (SqlRowStream:
// a bounded queue of chunks, each charged to the budget, stopped when the
// stream goes away).
//
// The scan runs with parallelism 1 (SQLite is the single reader, and one
// worker keeps memory bounded), through ScanForQuery (workspace binding,
// cancellation, progress). A kPersonId source's persons are resolved once
// per dictionary entry of each block (PersonKeyReader), not per row.
//
// Thread safety: Next and the destructor are called from one thread (SQLite's).
class EventRowStream {
 public:
  using Options = SqlRowStream::Options;
  using Chunk = SqlRowStream::Chunk;

  // Starts scanning `request` for `context`. `sources` say what each row
  // field is made of (kPersonId sources all read the same two columns with
  // the same snapshot, which outlives the stream). `budget` may be null (no
  // accounting).
  EventRowStream(EventStore& store, const QueryContext& context, ScanRequest request,
                 std::vector<CellSource> sources, SqlMemoryBudget* budget, Options options);
  EventRowStream(EventStore& store, const QueryContext& context, ScanRequest request,
                 std::vector<CellSource> sources, SqlMemoryBudget* budget)
      : EventRowStream(store, context, std::move(request), std::move(sources), budget, Options{}) {}
  EventRowStream(const EventRowStream&) = delete;
  EventRowStream& operator=(const EventRowStream&) = delete;

  // The next chunk; a null chunk once the scan is over (SqlRowStream::Next).
  Result<Chunk> Next(const std::function<Status()>& interrupted) {
    return stream_.Next(interrupted);
  }

 private:
  Status Consume(const ScanBatch& batch, const SqlRowStream::Push& push);

  const std::vector<CellSource> sources_;
  const Options options_;
  // The scan thread's, when a field is a person: the first kPersonId source
  // and its reader, with the persons of the batch at hand.
  const CellSource* person_source_ = nullptr;
  std::optional<PersonKeyReader> person_reader_;
  std::vector<PersonKey> persons_;

  SqlRowStream stream_;  // last: its thread starts once everything above exists
};

}  // namespace cdp::query
