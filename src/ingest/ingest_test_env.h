#pragma once

// Test support for the ingest service, the schema gate and the dead-letter
// replayer: every component real (SQLite metadata store, local event log in a
// temporary directory), on a manual clock.

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "auth/workspace_provisioner.h"
#include "ingest/ingest_service.h"
#include "log/local/local_event_log.h"
#include "meta/sqlite/sqlite_test_store.h"
#include "model/event_codec.h"
#include "support/temp_dir.h"

namespace cdp::ingest::testing {

inline const TimePoint kTestNow =
    TimePoint(std::chrono::sys_days{std::chrono::year{2026} / 11 / 25}) + std::chrono::hours(12);

// Every record of `log`, decoded, partition by partition.
inline std::vector<Event> ReadAllEvents(EventLog& log) {
  std::vector<Event> events;
  for (int partition = 0; partition < log.partition_count(); ++partition) {
    uint64_t offset = 0;
    const uint64_t end = log.EndOffset(partition).value();
    while (offset < end) {
      Result<LogReadBatch> batch = log.Read(partition, offset, 1 << 20);
      EXPECT_TRUE(batch.ok()) << batch.status().ToString();
      if (!batch.ok() || batch->records.empty()) break;
      for (const LogRecord& record : batch->records) {
        Result<Event> event = DecodeEvent(record.payload);
        EXPECT_TRUE(event.ok()) << event.status().ToString();
        if (event.ok()) events.push_back(std::move(event).value());
      }
      offset = batch->next_offset;
    }
  }
  return events;
}

// The pieces of an IngestService, each real, and the service over them.
class IngestTestEnv {
 public:
  explicit IngestTestEnv(IngestOptions options = {}, RateLimits limits = {},
                         EventLog* log_override = nullptr) {
    store_ = cdp::testing::OpenMigratedSqliteMetaStore(dir_.File("meta.sqlite"));
    auto created = WorkspaceProvisioner(*store_, clock_).Create("acme");
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    workspace_ = std::move(created).value();
    auto other = WorkspaceProvisioner(*store_, clock_).Create("other");
    EXPECT_TRUE(other.ok());
    other_ = std::move(other).value();
    auto log = LocalEventLog::Open({.dir = dir_.File("log"), .partitions = 2});
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(log).value();
    write_keys_ = std::make_unique<WriteKeyAuthenticator>(*store_, clock_);
    rate_limiter_ = std::make_unique<RateLimiter>(clock_, limits);
    schema_ = std::make_unique<SchemaGate>(*store_, clock_);
    enricher_ = std::make_unique<enrich::Enricher>(nullptr, nullptr);
    service_ = std::make_unique<IngestService>(
        IngestService::Dependencies{
            .write_keys = *write_keys_,
            .api_keys = *store_,
            .rate_limiter = *rate_limiter_,
            .dedup = dedup_,
            .schema = *schema_,
            .dead_letters = *store_,
            .enricher = enricher_.get(),
            .log = log_override ? *log_override : *log_,
            .clock = clock_,
        },
        options);
  }

  // Runs the request and waits for its result.
  IngestResult Ingest(IngestRequest request) {
    std::promise<IngestResult> promise;
    service_->Ingest(std::move(request),
                     [&promise](IngestResult result) { promise.set_value(std::move(result)); });
    return promise.get_future().get();
  }

  // A Segment request carrying the write key in the headers.
  IngestResult Segment(std::string body, std::optional<EventType> single_type = EventType::kTrack,
                       std::string credential = "") {
    return Ingest({.format = IngestFormat::kSegment,
                   .single_type = single_type,
                   .body = std::move(body),
                   .credential = credential.empty() ? workspace_.write_key : credential,
                   .client_ip = "203.0.113.9",
                   .user_agent = "test-agent/1.0"});
  }

  std::vector<Event> LoggedEvents() { return ReadAllEvents(*log_); }

  std::vector<DeadLetter> DeadLetters() {
    auto page = store_->ListDeadLetters(workspace_.workspace.id, "", kMaxDeadLetterPageSize);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? page->results : std::vector<DeadLetter>{};
  }

  const std::string& workspace_id() const { return workspace_.workspace.id; }

  cdp::testing::TempDir dir_;
  ManualClock clock_{kTestNow};
  std::unique_ptr<SqliteMetaStore> store_;
  ProvisionedWorkspace workspace_;
  ProvisionedWorkspace other_;
  std::unique_ptr<LocalEventLog> log_;
  DedupIndex dedup_;
  std::unique_ptr<WriteKeyAuthenticator> write_keys_;
  std::unique_ptr<RateLimiter> rate_limiter_;
  std::unique_ptr<SchemaGate> schema_;
  std::unique_ptr<enrich::Enricher> enricher_;
  std::unique_ptr<IngestService> service_;
};

}  // namespace cdp::ingest::testing
