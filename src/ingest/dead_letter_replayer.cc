#include "ingest/dead_letter_replayer.h"

#include <fmt/format.h>

#include <algorithm>
#include <future>

#include "core/uuid.h"
#include "ingest/store_failure.h"
#include "model/event_codec.h"

namespace cdp::ingest {

std::string_view ReplayVerdictName(ReplayVerdict verdict) {
  switch (verdict) {
    case ReplayVerdict::kAccepted:
      return "accepted";
    case ReplayVerdict::kDuplicate:
      return "duplicate";
    case ReplayVerdict::kRejected:
      return "rejected";
    case ReplayVerdict::kAlreadyReplayed:
      return "already_replayed";
    case ReplayVerdict::kNotFound:
      return "not_found";
  }
  return "";
}

DeadLetterReplayer::DeadLetterReplayer(DeadLetterStore& dead_letters, SchemaGate& schema,
                                       DedupIndex& dedup, EventLog& log, const Clock& clock)
    : dead_letters_(dead_letters), schema_(schema), dedup_(dedup), log_(log), clock_(clock) {}

Result<std::vector<std::string>> DeadLetterReplayer::PendingIds(std::string_view workspace_id,
                                                                size_t limit) {
  std::vector<std::string> pending;  // newest first while paging
  std::string cursor;
  do {
    CDP_ASSIGN_OR_RETURN(DeadLetterPage page, dead_letters_.ListDeadLetters(
                                                  workspace_id, cursor, kMaxDeadLetterPageSize));
    for (DeadLetter& letter : page.results) {
      if (letter.status == DeadLetterStatus::kPending) pending.push_back(std::move(letter.id));
    }
    cursor = std::move(page.next_cursor);
  } while (!cursor.empty());
  std::reverse(pending.begin(), pending.end());
  if (pending.size() > limit) pending.resize(limit);
  return pending;
}

Result<std::vector<ReplayItemResult>> DeadLetterReplayer::Replay(
    std::string_view workspace_id, const std::vector<std::string>& ids) {
  if (ids.size() > kMaxReplayIds) {
    return Status::BadRequest(
        fmt::format("at most {} ids a replay; got {}", kMaxReplayIds, ids.size()), "ids");
  }
  const TimePoint now = clock_.Now();
  std::vector<ReplayItemResult> results;
  results.reserve(ids.size());
  std::vector<LogAppend> records;
  std::vector<std::string> reserved;  // message ids, to release if the append fails
  // Concurrent ingest retries of these events wait for this append.
  const auto pending = std::make_shared<PendingAppend>();
  // Appends in flight that hold events of letters found to be duplicates.
  std::vector<std::shared_ptr<PendingAppend>> originals;
  const auto fail = [&](std::string_view what, const Status& cause) -> Status {
    for (const std::string& message_id : reserved) dedup_.Release(workspace_id, message_id);
    pending->Finish(cause);
    return StoreFailure(what, cause);
  };
  std::vector<ReplayAttempt> rejections;

  for (const std::string& id : ids) {
    ReplayItemResult& result = results.emplace_back();
    result.id = id;
    Result<DeadLetter> letter = dead_letters_.GetDeadLetter(workspace_id, id);
    if (!letter.ok()) {
      if (letter.status().code() != ErrorCode::kNotFound) {
        return fail("the dead-letter queue is unavailable", letter.status());
      }
      result.verdict = ReplayVerdict::kNotFound;
      continue;
    }
    if (letter->status == DeadLetterStatus::kReplayed) {
      result.verdict = ReplayVerdict::kAlreadyReplayed;
      continue;
    }
    Result<Event> event = DecodeEvent(letter->payload);
    std::vector<SchemaConflict> conflicts;
    if (event.ok()) {
      Result<std::vector<SchemaConflict>> checked = schema_.Admit(workspace_id, *event);
      if (!checked.ok()) return fail("the schema registry is unavailable", checked.status());
      conflicts = std::move(checked).value();
    }
    if (!event.ok() || !conflicts.empty()) {
      result.verdict = ReplayVerdict::kRejected;
      result.reason =
          event.ok()
              ? DeadLetterReason{ConflictMessage(conflicts.front()),
                                 ConflictField(conflicts.front())}
              : DeadLetterReason{"the stored event cannot be read: " + event.status().message(),
                                 event.status().field()};
      rejections.push_back({Uuid::NewV7(clock_).ToString(), std::string(workspace_id), id, now,
                            ReplayOutcome::kRejected, result.reason});
      continue;
    }
    DedupReservation reservation = dedup_.Reserve(workspace_id, event->message_id, now, pending);
    if (!reservation.reserved) {
      result.verdict = ReplayVerdict::kDuplicate;
      if (reservation.pending_original && reservation.pending_original != pending) {
        originals.push_back(std::move(reservation.pending_original));
      }
      continue;
    }
    reserved.push_back(event->message_id);
    records.push_back({EventLogKey(*event), std::move(letter->payload)});
  }

  if (!records.empty()) {
    std::promise<Status> appended;
    log_.Append(std::move(records), [&appended](const Status& status, std::vector<LogPosition>) {
      appended.set_value(status);
    });
    if (Status status = appended.get_future().get(); !status.ok()) {
      return fail("the event log could not store the events", status);
    }
  }
  for (const std::string& message_id : reserved) dedup_.Confirm(workspace_id, message_id);
  pending->Finish(Status::Ok());
  // A duplicate counts as replayed only once its original is durable.
  for (const auto& original : originals) {
    std::promise<Status> outcome;
    original->OnDone([&outcome](const Status& status) { outcome.set_value(status); });
    if (Status status = outcome.get_future().get(); !status.ok()) {
      return StoreFailure("an earlier request with the same messageId could not be stored", status);
    }
  }
  // Only now, with the events durable, are the replays recorded as accepted.
  for (const ReplayItemResult& result : results) {
    if (result.verdict != ReplayVerdict::kAccepted && result.verdict != ReplayVerdict::kDuplicate) {
      continue;
    }
    Status recorded = dead_letters_.RecordReplayAttempt({Uuid::NewV7(clock_).ToString(),
                                                         std::string(workspace_id),
                                                         result.id,
                                                         now,
                                                         ReplayOutcome::kAccepted,
                                                         {}});
    // Conflict: a concurrent replay of the same letter was recorded first;
    // the dedup index kept this one from appending the event twice.
    if (!recorded.ok() && recorded.code() != ErrorCode::kConflict) {
      return StoreFailure("the dead-letter queue is unavailable", recorded);
    }
  }
  for (const ReplayAttempt& attempt : rejections) {
    if (Status recorded = dead_letters_.RecordReplayAttempt(attempt); !recorded.ok()) {
      return StoreFailure("the dead-letter queue is unavailable", recorded);
    }
  }
  return results;
}

}  // namespace cdp::ingest
