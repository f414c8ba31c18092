// The DeadLetterStore part of SqliteMetaStore: tables dead_letters and
// dead_letter_replays (migration 0002). Both are append-only (triggers refuse
// updates); a dead letter's status is derived from its replays.

#include <fmt/format.h>

#include "meta/sqlite/sqlite_connection.h"
#include "meta/sqlite/sqlite_meta_store.h"
#include "meta/sqlite/sqlite_values.h"

namespace cdp {

namespace {

// The status column is computed; the partial index
// dead_letter_replays_one_accepted answers it.
constexpr char kDeadLetterColumns[] =
    "SELECT d.id, d.workspace_id, d.received_at, d.payload, d.reason, d.field, "
    "EXISTS (SELECT 1 FROM dead_letter_replays r WHERE r.dead_letter_id = d.id "
    "AND r.outcome = 'accepted') FROM dead_letters d ";
constexpr char kReplayColumns[] =
    "SELECT id, workspace_id, dead_letter_id, at, outcome, reason, field "
    "FROM dead_letter_replays ";

// Columns in kDeadLetterColumns order.
Result<DeadLetter> ReadDeadLetter(const SqliteStatement& row) {
  DeadLetter letter;
  letter.id = row.ColumnText(0);
  letter.workspace_id = row.ColumnText(1);
  CDP_ASSIGN_OR_RETURN(letter.received_at, ReadTime(row, 2, "dead_letters.received_at"));
  letter.payload = row.ColumnText(3);
  letter.reason = {row.ColumnText(4), row.ColumnText(5)};
  letter.status =
      row.ColumnInt64(6) != 0 ? DeadLetterStatus::kReplayed : DeadLetterStatus::kPending;
  return letter;
}

// Columns in kReplayColumns order.
Result<ReplayAttempt> ReadReplayAttempt(const SqliteStatement& row) {
  ReplayAttempt attempt;
  attempt.id = row.ColumnText(0);
  attempt.workspace_id = row.ColumnText(1);
  attempt.dead_letter_id = row.ColumnText(2);
  CDP_ASSIGN_OR_RETURN(attempt.at, ReadTime(row, 3, "dead_letter_replays.at"));
  const std::string outcome = row.ColumnText(4);
  if (outcome == ReplayOutcomeName(ReplayOutcome::kAccepted)) {
    attempt.outcome = ReplayOutcome::kAccepted;
  } else if (outcome == ReplayOutcomeName(ReplayOutcome::kRejected)) {
    attempt.outcome = ReplayOutcome::kRejected;
  } else {
    return Status::Internal(fmt::format("dead_letter_replays.outcome is unknown: '{}'", outcome));
  }
  attempt.reason = {row.ColumnText(5), row.ColumnText(6)};
  return attempt;
}

// The checks the table's constraints would make, with errors a caller can act on.
Status ValidateDeadLetter(const DeadLetter& letter) {
  if (letter.id.empty()) return Status::BadRequest("a dead letter needs an id", "id");
  if (letter.payload.empty()) {
    return Status::BadRequest("a dead letter needs its payload", "payload");
  }
  if (letter.reason.message.empty()) {
    return Status::BadRequest("a dead letter needs a reason", "reason.message");
  }
  if (letter.status != DeadLetterStatus::kPending) {
    return Status::BadRequest("a new dead letter is pending: replays are recorded separately",
                              "status");
  }
  return Status::Ok();
}

Status ValidateReplayAttempt(const ReplayAttempt& attempt) {
  if (attempt.id.empty()) return Status::BadRequest("a replay attempt needs an id", "id");
  if (attempt.outcome == ReplayOutcome::kRejected && attempt.reason.message.empty()) {
    return Status::BadRequest("a rejected replay needs a reason", "reason.message");
  }
  if (attempt.outcome == ReplayOutcome::kAccepted &&
      (!attempt.reason.message.empty() || !attempt.reason.field.empty())) {
    return Status::BadRequest("an accepted replay has no reason", "reason.message");
  }
  return Status::Ok();
}

}  // namespace

Status SqliteMetaStore::AddDeadLetter(const DeadLetter& letter) {
  CDP_RETURN_IF_ERROR(ValidateDeadLetter(letter));
  std::lock_guard lock(mutex_);
  CDP_ASSIGN_OR_RETURN(
      auto insert,
      connection_->Prepare("INSERT INTO dead_letters (id, workspace_id, received_at, payload, "
                           "reason, field) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  CDP_RETURN_IF_ERROR(insert.BindText(1, letter.id));
  CDP_RETURN_IF_ERROR(insert.BindText(2, letter.workspace_id));
  CDP_RETURN_IF_ERROR(insert.BindText(3, FormatIso8601(letter.received_at)));
  CDP_RETURN_IF_ERROR(insert.BindText(4, letter.payload));
  CDP_RETURN_IF_ERROR(insert.BindText(5, letter.reason.message));
  CDP_RETURN_IF_ERROR(insert.BindOptionalText(6, NullIfEmpty(letter.reason.field)));
  Status status = insert.Run();
  if (status.code() == ErrorCode::kNotFound) {  // the foreign key
    return Reword(status, fmt::format("workspace {} not found", letter.workspace_id),
                  "workspace_id");
  }
  if (status.code() == ErrorCode::kConflict) {
    return Reword(status, fmt::format("a dead letter with id {} already exists", letter.id), "id");
  }
  return status;
}

Result<DeadLetterPage> SqliteMetaStore::ListDeadLetters(std::string_view workspace_id,
                                                        std::string_view cursor, int limit) {
  if (limit < 1 || limit > kMaxDeadLetterPageSize) {
    return Status::BadRequest(fmt::format("limit must be between 1 and {}", kMaxDeadLetterPageSize),
                              "limit");
  }
  std::lock_guard lock(mutex_);
  // Two statements rather than "?2 = '' OR d.id < ?2", which would keep SQLite
  // from seeking the (workspace_id, id) index to the cursor.
  std::string sql = std::string(kDeadLetterColumns) + "WHERE d.workspace_id = ?1 ";
  if (!cursor.empty()) sql += "AND d.id < ?3 ";
  sql += "ORDER BY d.id DESC LIMIT ?2";
  CDP_ASSIGN_OR_RETURN(auto select, connection_->Prepare(sql));
  CDP_RETURN_IF_ERROR(select.BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(select.BindInt64(2, int64_t{limit} + 1));  // one more shows a next page
  if (!cursor.empty()) CDP_RETURN_IF_ERROR(select.BindText(3, cursor));
  DeadLetterPage page;
  while (true) {
    CDP_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    if (page.results.size() == static_cast<size_t>(limit)) {
      page.next_cursor = page.results.back().id;
      break;
    }
    CDP_ASSIGN_OR_RETURN(auto letter, ReadDeadLetter(select));
    page.results.push_back(std::move(letter));
  }
  if (page.results.empty()) CDP_RETURN_IF_ERROR(CheckWorkspaceExists(workspace_id));
  return page;
}

Result<DeadLetter> SqliteMetaStore::GetDeadLetter(std::string_view workspace_id,
                                                  std::string_view id) {
  std::lock_guard lock(mutex_);
  CDP_ASSIGN_OR_RETURN(auto select,
                       connection_->Prepare(std::string(kDeadLetterColumns) +
                                            "WHERE d.workspace_id = ?1 AND d.id = ?2"));
  CDP_RETURN_IF_ERROR(select.BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(select.BindText(2, id));
  CDP_ASSIGN_OR_RETURN(bool found, select.Step());
  if (!found) {
    return Status::NotFound(
        fmt::format("dead letter {} not found in workspace {}", id, workspace_id));
  }
  return ReadDeadLetter(select);
}

Status SqliteMetaStore::RecordReplayAttempt(const ReplayAttempt& attempt) {
  CDP_RETURN_IF_ERROR(ValidateReplayAttempt(attempt));
  std::lock_guard lock(mutex_);
  CDP_ASSIGN_OR_RETURN(
      auto insert,
      connection_->Prepare("INSERT INTO dead_letter_replays (id, workspace_id, dead_letter_id, at, "
                           "outcome, reason, field) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  CDP_RETURN_IF_ERROR(insert.BindText(1, attempt.id));
  CDP_RETURN_IF_ERROR(insert.BindText(2, attempt.workspace_id));
  CDP_RETURN_IF_ERROR(insert.BindText(3, attempt.dead_letter_id));
  CDP_RETURN_IF_ERROR(insert.BindText(4, FormatIso8601(attempt.at)));
  CDP_RETURN_IF_ERROR(insert.BindText(5, ReplayOutcomeName(attempt.outcome)));
  CDP_RETURN_IF_ERROR(insert.BindOptionalText(6, NullIfEmpty(attempt.reason.message)));
  CDP_RETURN_IF_ERROR(insert.BindOptionalText(7, NullIfEmpty(attempt.reason.field)));
  Status status = insert.Run();
  if (status.code() == ErrorCode::kNotFound) {  // the foreign key (workspace_id, dead_letter_id)
    return Reword(status,
                  fmt::format("dead letter {} not found in workspace {}", attempt.dead_letter_id,
                              attempt.workspace_id),
                  "dead_letter_id");
  }
  if (status.code() == ErrorCode::kConflict && status.field() == "dead_letter_id") {
    return Reword(status,
                  fmt::format("dead letter {} was already replayed", attempt.dead_letter_id),
                  "dead_letter_id");
  }
  if (status.code() == ErrorCode::kConflict) {
    return Reword(status, fmt::format("a replay attempt with id {} already exists", attempt.id),
                  "id");
  }
  return status;
}

Result<std::vector<ReplayAttempt>> SqliteMetaStore::ListReplayAttempts(
    std::string_view workspace_id, std::string_view dead_letter_id) {
  std::lock_guard lock(mutex_);
  CDP_ASSIGN_OR_RETURN(
      auto select,
      connection_->Prepare(std::string(kReplayColumns) +
                           "WHERE workspace_id = ?1 AND dead_letter_id = ?2 ORDER BY at, id"));
  CDP_RETURN_IF_ERROR(select.BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(select.BindText(2, dead_letter_id));
  std::vector<ReplayAttempt> attempts;
  while (true) {
    CDP_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    CDP_ASSIGN_OR_RETURN(auto attempt, ReadReplayAttempt(select));
    attempts.push_back(std::move(attempt));
  }
  if (attempts.empty()) {
    // No attempts yet, or no such letter here: only the second is an error.
    CDP_ASSIGN_OR_RETURN(auto exists, connection_->Prepare("SELECT 1 FROM dead_letters WHERE "
                                                           "workspace_id = ?1 AND id = ?2"));
    CDP_RETURN_IF_ERROR(exists.BindText(1, workspace_id));
    CDP_RETURN_IF_ERROR(exists.BindText(2, dead_letter_id));
    CDP_ASSIGN_OR_RETURN(bool found, exists.Step());
    if (!found) {
      return Status::NotFound(
          fmt::format("dead letter {} not found in workspace {}", dead_letter_id, workspace_id));
    }
  }
  return attempts;
}

}  // namespace cdp
