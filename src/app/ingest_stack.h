#pragma once

#include <memory>

#include "core/config.h"
#include "core/periodic_task.h"
#include "core/result.h"
#include "ingest/dead_letter_replayer.h"
#include "ingest/dedup_index.h"
#include "ingest/enrich/enricher.h"
#include "ingest/ingest_service.h"
#include "ingest/rate_limit_sync.h"
#include "ingest/rate_limiter.h"
#include "ingest/schema_gate.h"
#include "ingest/write_key_cache.h"
#include "log/local/local_event_log.h"
#include "meta/meta_store.h"

namespace cdp {

// Everything ingestion runs on in the embedded setup, built from the
// configuration: the local event log in <data-dir>/log, the dedup index
// rebuilt from it, the caches in front of the metadata store, the enricher,
// the housekeeping that expires old dedup entries and consumed log segments
// once a minute, and the per-workspace rate limits, read again every 30 s.
class IngestStack {
 public:
  // The metadata store serves as MetaStore, SchemaRegistry and
  // DeadLetterStore. REQUIRES: `meta` outlives this.
  template <typename Store>
  static Result<std::unique_ptr<IngestStack>> Open(const Config& config, Store& meta) {
    return Open(config, meta, meta, meta);
  }
  static Result<std::unique_ptr<IngestStack>> Open(const Config& config, MetaStore& meta,
                                                   SchemaRegistry& schema_registry,
                                                   DeadLetterStore& dead_letters);
  ~IngestStack();

  const ingest::IngestService& service() const { return *service_; }
  ingest::SchemaGate& schema_gate() { return *schema_gate_; }
  ingest::DeadLetterReplayer& replayer() { return *replayer_; }
  SchemaRegistry& schema_registry() { return schema_registry_; }
  DeadLetterStore& dead_letters() { return dead_letters_; }
  // The event log ingestion appends to. REQUIRES: not closed.
  EventLog& log() { return *log_; }

  // Stops housekeeping and closes the event log once every queued append is
  // durable and answered. Call after the HTTP server stopped taking requests
  // and before it is destroyed (pending answers go to its connections).
  void Close();

 private:
  IngestStack(const Config& config, MetaStore& meta, SchemaRegistry& schema_registry,
              DeadLetterStore& dead_letters);

  const Clock& clock_;
  MetaStore& meta_;
  SchemaRegistry& schema_registry_;
  DeadLetterStore& dead_letters_;
  std::unique_ptr<LocalEventLog> log_;
  ingest::DedupIndex dedup_;
  ingest::WriteKeyAuthenticator write_keys_;
  ingest::RateLimiter rate_limiter_;
  ingest::RateLimitSync rate_limit_sync_;
  std::unique_ptr<ingest::SchemaGate> schema_gate_;
  std::unique_ptr<ingest::enrich::Enricher> enricher_;
  std::unique_ptr<ingest::IngestService> service_;
  std::unique_ptr<ingest::DeadLetterReplayer> replayer_;
  std::unique_ptr<PeriodicTask> housekeeping_;
  std::unique_ptr<PeriodicTask> rate_limit_refresh_;
};

}  // namespace cdp
