#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "ingest/dedup_index.h"
#include "ingest/enrich/enricher.h"
#include "ingest/rate_limiter.h"
#include "ingest/request_parser.h"
#include "ingest/schema_gate.h"
#include "ingest/write_key_cache.h"
#include "log/event_log.h"
#include "meta/dead_letter_store.h"
#include "meta/meta_store.h"

namespace cdp::ingest {

// When a client hears 200.
enum class AckMode {
  kDurable,  // after the events are fsynced to the event log (the default)
  kAsync,    // once the events are queued for the log: faster, but a crash
             // in the next few milliseconds loses acknowledged events
};

std::optional<AckMode> ParseAckMode(std::string_view name);  // "sync" / "async"

struct IngestOptions {
  ParseLimits limits;
  size_t max_request_bytes = 500 << 10;
  // Events sent longer than this after they happened are refused (422)
  // unless the request authenticates with a secret key (a back-fill).
  std::chrono::seconds late_after = std::chrono::hours(24);
  AckMode ack = AckMode::kDurable;
};

enum class IngestFormat {
  kSegment,  // the Segment HTTP Tracking API
  kCapture,  // PostHog-style capture
};

// One ingest HTTP request, as the transport hands it over.
struct IngestRequest {
  IngestFormat format = IngestFormat::kSegment;
  // Segment's /v1/track, /v1/identify...: the endpoint's type; nullopt for
  // /v1/batch and /v1/import.
  std::optional<EventType> single_type;
  std::string body;  // decoded from its Content-Encoding
  // The key from the request's headers (Basic user, Bearer token or
  // X-Write-Key); empty: the body's writeKey / api_key is used.
  std::string credential;
  std::string client_ip;   // the sender's address (the peer, or a trusted proxy's word)
  std::string user_agent;  // the User-Agent header
};

// What became of a request.
struct IngestResult {
  // Not ok when the whole request failed: 401, 413, 400 for a body that is
  // not a request at all, 429, 503 when the log or the metadata store
  // failed. Then nothing of the request was kept.
  Status status;
  bool batch = false;                  // a batch request (else one event)
  std::string workspace_id;            // once authenticated
  size_t accepted = 0;                 // events appended to the log
  size_t duplicates = 0;               // events already accepted within the dedup window
  std::vector<RejectedItem> rejected;  // by index; the others stand
  std::optional<RateDecision> rate;    // when the request reached the rate limiter
};

// What the service did since it started, for GET /metrics.
struct IngestCounters {
  uint64_t accepted = 0;       // events appended
  uint64_t duplicates = 0;     // events acknowledged as already accepted
  uint64_t rejected = 0;       // items refused (dead-lettered ones included)
  uint64_t dead_lettered = 0;  // events refused by the schema and kept in the DLQ
  // Whole requests refused, by HTTP status (400, 401, 413, 429, 503...).
  std::map<int, uint64_t> refused_requests;
};

// The ingestion pipeline, for both APIs:
//   authenticate -> request size limit -> parse and validate (per item) ->
//   rate limit -> per event: late check -> dedup -> enrich -> schema check
//   (a conflict dead-letters the event) -> append to the event log as one
//   group -> answer.
// Items refused along the way are listed in the result; the others stand.
// A request that fails as a whole leaves nothing behind: no event in the log,
// no dedup reservation (so that the client's retry is not a "duplicate").
//
// Credentials: a write key (public, in browsers and apps), or a secret key of
// scope admin, which also lifts the late-event limit for historical imports
// (a read-scope secret key may not send events: Forbidden). Secret keys are
// looked up by hash on every request, not cached, so a revocation is
// immediate for them.
//
// Thread safety: Ingest may be called from any number of threads.
class IngestService {
 public:
  struct Dependencies {
    WriteKeyAuthenticator& write_keys;
    // Where secret keys (back-fills) are looked up.
    MetaStore& api_keys;
    RateLimiter& rate_limiter;
    DedupIndex& dedup;
    SchemaGate& schema;
    DeadLetterStore& dead_letters;
    const enrich::Enricher* enricher;  // null: no enrichment
    EventLog& log;
    const Clock& clock;
  };

  // REQUIRES: every dependency outlives this.
  IngestService(Dependencies dependencies, IngestOptions options);

  using Done = std::function<void(IngestResult result)>;
  // Runs the pipeline and calls `done` once: on this thread when nothing was
  // appended or in async ack mode, else on the log's thread when the append
  // is durable (or failed).
  void Ingest(IngestRequest request, Done done) const;

  const IngestOptions& options() const { return options_; }
  IngestCounters counters() const;

 private:
  struct Credentials {
    std::string workspace_id;
    bool may_backfill = false;  // a secret key
  };
  Result<Credentials> Authenticate(std::string_view credential) const;
  Result<Credentials> AuthenticateSecretKey(std::string_view secret_key) const;
  // The late-event check, the dedup reservation, enrichment and the schema
  // check of one event. Errors are the store's, and fail the whole request.
  enum class Verdict { kAppend, kDuplicate, kRejected };
  struct Admission {
    Verdict verdict = Verdict::kAppend;
    Status rejection;  // kRejected: why, with a field path relative to the item
  };
  struct AppendGroup;  // one request's reservations (in the .cc)
  Result<Admission> Admit(Event& event, const IngestRequest& request, bool may_backfill,
                          AppendGroup& group) const;
  static void AnswerAfterOriginals(const std::shared_ptr<AppendGroup>& group, IngestResult result,
                                   const Done& done);
  Status DeadLetter(const Event& event, const Status& reason) const;

  void Count(const IngestResult& result) const;

  Dependencies deps_;
  IngestOptions options_;
  mutable std::atomic<uint64_t> accepted_{0};
  mutable std::atomic<uint64_t> duplicates_{0};
  mutable std::atomic<uint64_t> rejected_{0};
  mutable std::atomic<uint64_t> dead_lettered_{0};
  mutable std::mutex refused_mu_;
  mutable std::map<int, uint64_t> refused_requests_;  // GUARDED_BY(refused_mu_)
};

}  // namespace cdp::ingest
