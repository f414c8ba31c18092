#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "ingest/dedup_index.h"
#include "ingest/schema_gate.h"
#include "log/event_log.h"
#include "meta/dead_letter_store.h"

namespace cdp::ingest {

// What became of one dead letter in a replay.
enum class ReplayVerdict {
  kAccepted,         // the event passed the schema check and is in the log now
  kDuplicate,        // its message id was accepted since (e.g. the client resent
                     // it): it is in the log, and the letter counts as replayed
  kRejected,         // the schema still refuses it; the attempt is recorded
  kAlreadyReplayed,  // an earlier replay was accepted; nothing was done
  kNotFound,         // the workspace has no dead letter of that id
};

// "accepted", "duplicate", "rejected", "already_replayed", "not_found".
std::string_view ReplayVerdictName(ReplayVerdict verdict);

struct ReplayItemResult {
  std::string id;
  ReplayVerdict verdict = ReplayVerdict::kAccepted;
  DeadLetterReason reason;  // kRejected: why
};

// At most this many dead letters a replay call.
inline constexpr size_t kMaxReplayIds = 1000;

// Re-runs the end of the ingestion pipeline on dead letters after their
// workspace's schema was fixed: the schema check, the dedup reservation and
// the append. The dead letter holds the event as it was accepted (validated,
// enriched, with its message id), so its checks before the schema are not
// repeated: a replay is neither late nor rate-limited.
//
// A dead letter never changes: each replay records a ReplayAttempt beside
// it, and a letter is appended to the log at most once (an accepted attempt
// is recorded only after the append is durable; the dedup index refuses a
// second append of the same message id meanwhile).
//
// Thread safety: Replay may be called concurrently.
class DeadLetterReplayer {
 public:
  // REQUIRES: every argument outlives this.
  DeadLetterReplayer(DeadLetterStore& dead_letters, SchemaGate& schema, DedupIndex& dedup,
                     EventLog& log, const Clock& clock);

  // Replays the workspace's dead letters `ids`, in order, and waits until the
  // accepted ones are durable. BadRequest (field "ids") for more than
  // kMaxReplayIds ids; Unavailable when a store or the log fails (then
  // nothing of this call was appended or recorded as accepted).
  Result<std::vector<ReplayItemResult>> Replay(std::string_view workspace_id,
                                               const std::vector<std::string>& ids);

  // The ids of the workspace's pending (never accepted) dead letters, oldest
  // first, at most `limit`.
  Result<std::vector<std::string>> PendingIds(std::string_view workspace_id, size_t limit);

 private:
  DeadLetterStore& dead_letters_;
  SchemaGate& schema_;
  DedupIndex& dedup_;
  EventLog& log_;
  const Clock& clock_;
};

}  // namespace cdp::ingest
