#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace cdp {

// Why an event was refused, as its 400 answer said.
struct DeadLetterReason {
  std::string message;  // "properties.plan is a number, registered as a string"
  std::string field;    // the offending field as a path; empty when none

  friend bool operator==(const DeadLetterReason&, const DeadLetterReason&) = default;
};

enum class DeadLetterStatus {
  kPending,   // no replay accepted yet
  kReplayed,  // a replay was accepted: the event is in the log
};

// "pending" / "replayed".
constexpr std::string_view DeadLetterStatusName(DeadLetterStatus status) {
  return status == DeadLetterStatus::kPending ? "pending" : "replayed";
}

// An event refused by the schema check, kept as received so that a user can
// fix the schema and replay it. Never changes once added.
struct DeadLetter {
  std::string id;  // UUIDv7, lower-case canonical form: ids sort in creation order
  std::string workspace_id;
  TimePoint received_at;
  std::string payload;  // the original item as JSON text, exactly as received
  DeadLetterReason reason;
  // Derived from the replay attempts, never stored: kReplayed once one was
  // accepted. A new dead letter is kPending.
  DeadLetterStatus status = DeadLetterStatus::kPending;

  friend bool operator==(const DeadLetter&, const DeadLetter&) = default;
};

// One page of a workspace's dead letters.
struct DeadLetterPage {
  std::vector<DeadLetter> results;  // newest first
  // Pass to ListDeadLetters for the next page; empty on the last page.
  std::string next_cursor;
};

enum class ReplayOutcome { kAccepted, kRejected };

// "accepted" / "rejected".
constexpr std::string_view ReplayOutcomeName(ReplayOutcome outcome) {
  return outcome == ReplayOutcome::kAccepted ? "accepted" : "rejected";
}

// One replay of a dead letter: the event submitted again, through the
// schema check, as it was received.
struct ReplayAttempt {
  std::string id;  // UUIDv7
  std::string workspace_id;
  std::string dead_letter_id;
  TimePoint at;
  ReplayOutcome outcome = ReplayOutcome::kAccepted;
  DeadLetterReason reason;  // kRejected: why (message required); kAccepted: empty

  friend bool operator==(const ReplayAttempt&, const ReplayAttempt&) = default;
};

// ListDeadLetters returns at most this many per page.
inline constexpr int kMaxDeadLetterPageSize = 1000;

// The dead-letter queue of ingestion: refused events and their replays,
// append-only. Part of the metadata store; the SQLite MetaStore implements it
// too. Every read is scoped to one workspace: an id of another workspace is
// NotFound there.
//
// Thread safety: all methods are safe to call concurrently from any thread.
// Times are kept to the millisecond, as MetaStore's.
// Errors: BadRequest, NotFound and Conflict as documented per method;
// Unavailable when the database is busy or unreachable; Internal otherwise.
class DeadLetterStore {
 public:
  DeadLetterStore() = default;
  DeadLetterStore(const DeadLetterStore&) = delete;
  DeadLetterStore& operator=(const DeadLetterStore&) = delete;
  virtual ~DeadLetterStore() = default;

  // BadRequest when the id, payload or reason message is empty, or the status
  // is not kPending; NotFound (field "workspace_id") when the workspace does
  // not exist; Conflict (field "id") when the id is taken.
  virtual Status AddDeadLetter(const DeadLetter& letter) = 0;

  // The workspace's dead letters, newest (highest id) first: up to `limit`
  // of them after `cursor`, which is empty for the first page or a previous
  // page's next_cursor. BadRequest (field "limit") unless 1 <= limit <=
  // kMaxDeadLetterPageSize; NotFound when the workspace does not exist.
  virtual Result<DeadLetterPage> ListDeadLetters(std::string_view workspace_id,
                                                 std::string_view cursor, int limit) = 0;

  // NotFound when the workspace has no dead letter of that id.
  virtual Result<DeadLetter> GetDeadLetter(std::string_view workspace_id, std::string_view id) = 0;

  // Appends a replay attempt; the dead letter itself does not change.
  // BadRequest when the id is empty, a rejection has no reason or an
  // acceptance has one; NotFound (field "dead_letter_id") when the attempt's
  // workspace has no such dead letter; Conflict (field "id") when the id is
  // taken, and Conflict (field "dead_letter_id") when the attempt is accepted
  // and another accepted replay of the letter exists: a dead letter is
  // replayed into the log at most once.
  virtual Status RecordReplayAttempt(const ReplayAttempt& attempt) = 0;

  // The dead letter's replay attempts, oldest first. NotFound when the
  // workspace has no dead letter of that id.
  virtual Result<std::vector<ReplayAttempt>> ListReplayAttempts(
      std::string_view workspace_id, std::string_view dead_letter_id) = 0;
};

}  // namespace cdp
