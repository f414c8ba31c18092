#include "ingest/ingest_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "auth/api_key_format.h"
#include "core/log.h"
#include "core/uuid.h"
#include "ingest/store_failure.h"
#include "model/event_codec.h"

namespace cdp::ingest {

namespace {

using std::chrono::duration_cast;
using std::chrono::hours;
using std::chrono::seconds;

bool HasStringContext(const Event& event, std::string_view name) {
  for (const Property& property : event.context) {
    if (property.name == name && std::holds_alternative<std::string>(property.value)) {
      return !std::get<std::string>(property.value).empty();
    }
  }
  return false;
}

std::string FieldPrefix(const IngestResult& result, size_t index) {
  return result.batch ? fmt::format("batch[{}]", index) : std::string();
}

std::string DescribeLateness(seconds late) {
  if (late >= hours(48)) return fmt::format("{} days", late / hours(24));
  return fmt::format("{} hours", late / hours(1));
}

}  // namespace

// The events one request appends: their dedup reservations, which end in
// Confirm or Release, and the pending appends of other requests its
// duplicates wait for.
struct IngestService::AppendGroup {
  AppendGroup(DedupIndex& dedup, std::string workspace_id, std::shared_ptr<PendingAppend> pending)
      : dedup(dedup), workspace_id(std::move(workspace_id)), pending(std::move(pending)) {}

  // Records a duplicate's original append to wait for (none when durable).
  void WaitFor(std::shared_ptr<PendingAppend> original) {
    if (!original || original == pending) return;  // a repeat within this request
    if (std::find(originals.begin(), originals.end(), original) == originals.end()) {
      originals.push_back(std::move(original));
    }
  }
  void Succeed() {
    for (const std::string& message_id : reserved) dedup.Confirm(workspace_id, message_id);
    if (pending) pending->Finish(Status::Ok());
  }
  void Fail(const Status& status) {
    for (const std::string& message_id : reserved) dedup.Release(workspace_id, message_id);
    if (pending) pending->Finish(status);
  }

  DedupIndex& dedup;
  const std::string workspace_id;
  const std::shared_ptr<PendingAppend> pending;  // null with async acks
  std::vector<std::string> reserved;             // message ids
  std::vector<std::shared_ptr<PendingAppend>> originals;
};

// Answers once every original that a duplicate in the request waits for is
// durable; when one failed, the duplicate was never stored, so the request
// fails with 503 and the client's retry stores it.
void IngestService::AnswerAfterOriginals(const std::shared_ptr<AppendGroup>& group,
                                         IngestResult result, const Done& done) {
  if (group->originals.empty()) return done(std::move(result));
  struct Waiting {
    std::mutex mu;
    size_t left;
    Status failure;  // GUARDED_BY(mu)
    IngestResult result;
  };
  auto waiting = std::make_shared<Waiting>();
  waiting->left = group->originals.size();
  waiting->result = std::move(result);
  for (const auto& original : group->originals) {
    original->OnDone([waiting, done](const Status& status) {
      std::unique_lock lock(waiting->mu);
      if (!status.ok() && waiting->failure.ok()) waiting->failure = status;
      if (--waiting->left > 0) return;
      lock.unlock();
      IngestResult& answer = waiting->result;
      if (!waiting->failure.ok()) {
        answer.status = StoreFailure(
            "an earlier request with the same messageId could not be stored", waiting->failure);
        answer.accepted = 0;
        answer.duplicates = 0;
        answer.rejected.clear();
      }
      done(std::move(answer));
    });
  }
}

std::optional<AckMode> ParseAckMode(std::string_view name) {
  if (name == "sync") return AckMode::kDurable;
  if (name == "async") return AckMode::kAsync;
  return std::nullopt;
}

IngestService::IngestService(Dependencies dependencies, IngestOptions options)
    : deps_(dependencies), options_(std::move(options)) {}

Result<IngestService::Credentials> IngestService::Authenticate(std::string_view credential) const {
  if (credential.empty()) {
    return Status::Unauthorized(
        "missing write key: send it as the HTTP Basic user (writeKey:), in an X-Write-Key "
        "header or as writeKey in the body");
  }
  if (credential.starts_with(kSecretKeyPrefix)) return AuthenticateSecretKey(credential);
  CDP_ASSIGN_OR_RETURN(const AuthenticatedWriteKey key, deps_.write_keys.Authenticate(credential));
  return Credentials{key.workspace_id, false};
}

Result<IngestService::Credentials> IngestService::AuthenticateSecretKey(
    std::string_view secret_key) const {
  // One message for every refusal (never the key itself): a caller learns
  // nothing about which keys exist.
  const auto invalid = [] { return Status::Unauthorized("invalid secret key"); };
  if (!LooksLikeSecretKey(secret_key)) return invalid();
  Result<ApiKey> key = deps_.api_keys.FindApiKeyByHash(HashToken(secret_key));
  if (!key.ok()) {
    if (key.status().code() == ErrorCode::kNotFound) return invalid();
    return std::move(key).TakeStatus();
  }
  // A revocation dated in the future is a grace period.
  if (key->kind != ApiKeyKind::kSecret ||
      (key->revoked_at && *key->revoked_at <= deps_.clock.Now())) {
    return invalid();
  }
  // Sending events is a write: a read-only key may not.
  if (key->scope != ApiKeyScope::kAdmin) {
    return Status::Forbidden(
        fmt::format("a secret key of scope {} cannot send events; use a "
                    "write key or an admin secret key",
                    ApiKeyScopeName(key->scope)));
  }
  return Credentials{key->workspace_id, true};
}

Status IngestService::DeadLetter(const Event& event, const Status& reason) const {
  cdp::DeadLetter letter;
  letter.id = Uuid::NewV7(deps_.clock).ToString();
  letter.workspace_id = event.workspace_id;
  letter.received_at = event.received_at;
  letter.payload = EncodeEvent(event);
  letter.reason = {reason.message(), reason.field()};
  return deps_.dead_letters.AddDeadLetter(letter);
}

Result<IngestService::Admission> IngestService::Admit(Event& event, const IngestRequest& request,
                                                      bool may_backfill, AppendGroup& group) const {
  if (!may_backfill) {
    // Without sentAt the client's own timestamp says when it sent the event.
    const bool has_sent_at = event.sent_at.has_value();
    const TimePoint sent =
        event.sent_at.value_or(event.original_timestamp.value_or(event.received_at));
    const auto late = duration_cast<seconds>(event.received_at - sent);
    if (late > options_.late_after) {
      const bool capture = request.format == IngestFormat::kCapture;
      const std::string field = has_sent_at ? (capture ? "sent_at" : "sentAt") : "timestamp";
      return Admission{
          Verdict::kRejected,
          Status::UnprocessableEntity(
              fmt::format("the event arrived {} after it was sent; events more than {} hours late "
                          "are refused, except with an admin secret key (historical import)",
                          DescribeLateness(late), options_.late_after / hours(1)),
              field)};
    }
  }
  DedupReservation reservation =
      deps_.dedup.Reserve(event.workspace_id, event.message_id, event.received_at, group.pending);
  if (!reservation.reserved) {
    group.WaitFor(std::move(reservation.pending_original));
    return Admission{Verdict::kDuplicate, {}};
  }
  if (deps_.enricher != nullptr) {
    // The event's own context.ip / userAgent win: server-side sources send
    // them on behalf of their users, and the connection is then theirs.
    deps_.enricher->Enrich(event, HasStringContext(event, "ip") ? "" : request.client_ip,
                           HasStringContext(event, "user_agent") ? "" : request.user_agent);
  }
  Result<std::vector<SchemaConflict>> conflicts = deps_.schema.Admit(event.workspace_id, event);
  if (!conflicts.ok() || conflicts->empty()) {
    if (!conflicts.ok()) {
      deps_.dedup.Release(event.workspace_id, event.message_id);
      return StoreFailure("the schema registry is unavailable", conflicts.status());
    }
    return Admission{Verdict::kAppend, {}};
  }
  // Not stored: a corrected retry must not be taken for a duplicate.
  deps_.dedup.Release(event.workspace_id, event.message_id);
  const SchemaConflict& first = conflicts->front();
  Status rejection = Status::BadRequest(ConflictMessage(first), ConflictField(first));
  if (Status kept = DeadLetter(event, rejection); !kept.ok()) {
    return StoreFailure("the dead-letter queue is unavailable", kept);
  }
  dead_lettered_.fetch_add(1, std::memory_order_relaxed);
  return Admission{Verdict::kRejected, std::move(rejection)};
}

IngestCounters IngestService::counters() const {
  IngestCounters counters;
  counters.accepted = accepted_.load(std::memory_order_relaxed);
  counters.duplicates = duplicates_.load(std::memory_order_relaxed);
  counters.rejected = rejected_.load(std::memory_order_relaxed);
  counters.dead_lettered = dead_lettered_.load(std::memory_order_relaxed);
  std::lock_guard lock(refused_mu_);
  counters.refused_requests = refused_requests_;
  return counters;
}

void IngestService::Count(const IngestResult& result) const {
  if (!result.status.ok()) {
    std::lock_guard lock(refused_mu_);
    ++refused_requests_[result.status.http_status()];
    return;
  }
  accepted_.fetch_add(result.accepted, std::memory_order_relaxed);
  duplicates_.fetch_add(result.duplicates, std::memory_order_relaxed);
  rejected_.fetch_add(result.rejected.size(), std::memory_order_relaxed);
}

void IngestService::Ingest(IngestRequest request, Done reply) const {
  const Done done = [this, reply = std::move(reply)](IngestResult result) {
    Count(result);
    reply(std::move(result));
  };
  IngestResult result;
  const TimePoint received_at = deps_.clock.Now();
  const bool header_credential = !request.credential.empty();
  std::optional<Credentials> credentials;
  if (header_credential) {
    Result<Credentials> authenticated = Authenticate(request.credential);
    if (!authenticated.ok()) {
      result.status = authenticated.status();
      return done(std::move(result));
    }
    credentials = std::move(authenticated).value();
  }
  if (request.body.size() > options_.max_request_bytes) {
    result.status = Status::PayloadTooLarge(
        fmt::format("the request body is {} bytes; the limit is {} bytes a request",
                    request.body.size(), options_.max_request_bytes));
    return done(std::move(result));
  }
  Result<ParsedRequest> parsed =
      request.format == IngestFormat::kSegment
          ? ParseSegmentRequest(request.body, request.single_type, options_.limits, received_at)
          : ParseCaptureRequest(request.body, options_.limits, received_at);
  if (!parsed.ok()) {
    result.status = parsed.status();
    return done(std::move(result));
  }
  result.batch = parsed->batch;
  if (!credentials) {
    Result<Credentials> authenticated = Authenticate(parsed->write_key);
    if (!authenticated.ok()) {
      result.status = authenticated.status();
      return done(std::move(result));
    }
    credentials = std::move(authenticated).value();
  }
  result.workspace_id = credentials->workspace_id;
  result.rejected = std::move(parsed->rejected);

  result.rate = deps_.rate_limiter.TryAcquire(credentials->workspace_id,
                                              static_cast<int64_t>(parsed->events.size()));
  if (!result.rate->admitted()) {
    result.status = result.rate->status;
    return done(std::move(result));
  }

  std::vector<LogAppend> records;
  records.reserve(parsed->events.size());
  // Durable acks let a concurrent retry wait for this append (see PendingAppend).
  auto group = std::make_shared<AppendGroup>(
      deps_.dedup, credentials->workspace_id,
      options_.ack == AckMode::kDurable ? std::make_shared<PendingAppend>() : nullptr);
  for (size_t i = 0; i < parsed->events.size(); ++i) {
    Event& event = parsed->events[i];
    event.workspace_id = credentials->workspace_id;
    Result<Admission> admission = Admit(event, request, credentials->may_backfill, *group);
    if (!admission.ok()) {
      group->Fail(admission.status());
      result.status = admission.status();
      result.rejected.clear();
      return done(std::move(result));
    }
    switch (admission->verdict) {
      case Verdict::kDuplicate:
        ++result.duplicates;
        break;
      case Verdict::kRejected: {
        const size_t index = parsed->event_indexes[i];
        Status rejection = std::move(admission->rejection);
        if (result.batch) rejection.PrefixField(FieldPrefix(result, index));
        result.rejected.push_back({index, std::move(rejection)});
        break;
      }
      case Verdict::kAppend:
        group->reserved.push_back(event.message_id);
        records.push_back({EventLogKey(event), EncodeEvent(event)});
        break;
    }
  }
  std::sort(result.rejected.begin(), result.rejected.end(),
            [](const RejectedItem& a, const RejectedItem& b) { return a.index < b.index; });
  result.accepted = records.size();
  if (records.empty()) {
    group->Succeed();
    return AnswerAfterOriginals(group, std::move(result), done);
  }

  if (options_.ack == AckMode::kAsync) {
    deps_.log.Append(
        std::move(records), [group, workspace_id = result.workspace_id, count = result.accepted](
                                const Status& status, std::vector<LogPosition>) {
          if (status.ok()) return group->Succeed();
          group->Fail(status);
          log::Error("acknowledged events were lost: the event log failed (CDP_INGEST_ACK=async)")
              .Str("workspace_id", workspace_id)
              .Int("events", static_cast<int64_t>(count))
              .Err(status);
        });
    return done(std::move(result));
  }
  deps_.log.Append(std::move(records), [group, result = std::move(result), done](
                                           const Status& status, std::vector<LogPosition>) mutable {
    if (!status.ok()) {
      group->Fail(status);
      result.status = StoreFailure("the event log could not store the events", status);
      result.accepted = 0;
      result.duplicates = 0;
      result.rejected.clear();
      return done(std::move(result));
    }
    group->Succeed();
    AnswerAfterOriginals(group, std::move(result), done);
  });
}

}  // namespace cdp::ingest
