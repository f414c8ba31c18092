#include "freshness.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "loader/event_loader.h"
#include "log/local/local_event_log.h"
#include "model/event_codec.h"
#include "store/columnar/columnar_event_store.h"
#include "store/columnar/io/posix_file_system.h"

namespace cdp::bench {

namespace {

using Clock = std::chrono::steady_clock;

// Rows the store shows for a workspace now.
Result<uint64_t> CountRows(EventStore& store, const std::string& workspace_id) {
  ScanRequest request;
  request.workspace_id = workspace_id;
  request.from = FromUnixMicros(0);
  request.to = FromUnixMicros(int64_t{7'258'118'400} * 1'000'000);  // 2200-01-01
  std::atomic<uint64_t> rows{0};
  CDP_RETURN_IF_ERROR(store.Scan(request, 1, [&](int, const ScanBatch& batch) {
    rows += batch.selection.size();
    return Status::Ok();
  }));
  return rows.load();
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t index = std::min(values.size() - 1, static_cast<size_t>(p * values.size()));
  return values[index];
}

}  // namespace

Result<FreshnessReport> MeasureFreshness(NdjsonEventReader& reader,
                                         const FreshnessOptions& options) {
  LocalEventLog::Options log_options;
  log_options.dir = options.dir + "/log";
  CDP_ASSIGN_OR_RETURN(std::unique_ptr<LocalEventLog> log, LocalEventLog::Open(log_options));
  columnar::PosixFileSystem fs;
  CDP_ASSIGN_OR_RETURN(std::unique_ptr<columnar::ColumnarEventStore> store,
                       columnar::ColumnarEventStore::Open(fs, options.dir + "/store"));
  EventLoader loader(*log, *store, EventLoader::Options{});
  loader.Start();

  // Per batch: the cumulative event count through it and when its append
  // became durable; per poll: when, and how many rows were visible.
  std::mutex mu;
  std::vector<std::pair<uint64_t, Clock::time_point>> acknowledged;
  std::vector<std::pair<Clock::time_point, uint64_t>> polls;
  std::string workspace_id;
  std::atomic<bool> stop_polling{false};
  std::atomic<uint64_t> appended{0};
  Status poll_status;
  std::thread poller([&] {
    while (!stop_polling) {
      std::string workspace;
      {
        std::lock_guard lock(mu);
        workspace = workspace_id;
      }
      if (!workspace.empty()) {
        Result<uint64_t> rows = CountRows(*store, workspace);
        if (!rows.ok()) {
          poll_status = rows.status();
          return;
        }
        std::lock_guard lock(mu);
        polls.emplace_back(Clock::now(), *rows);
        // Everything sent is visible and nothing more will be: done.
        if (*rows >= appended && stop_polling) return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });

  const auto interval = std::chrono::duration<double>(static_cast<double>(options.batch_events) /
                                                      options.events_per_second);
  const Clock::time_point start = Clock::now();
  std::vector<Event> events;
  std::vector<std::future<Status>> appends;
  uint64_t sent = 0;
  for (uint64_t batch = 0;; ++batch) {
    const Clock::time_point due =
        start + std::chrono::duration_cast<Clock::duration>(interval * batch);
    if (due - start > std::chrono::duration<double>(options.seconds)) break;
    std::this_thread::sleep_until(due);
    CDP_RETURN_IF_ERROR(reader.Next(options.batch_events, events));
    if (events.empty()) break;
    {
      std::lock_guard lock(mu);
      if (workspace_id.empty()) workspace_id = events.front().workspace_id;
    }
    std::vector<LogAppend> records;
    records.reserve(events.size());
    for (const Event& event : events) records.push_back({EventLogKey(event), EncodeEvent(event)});
    sent += events.size();
    appended = sent;
    auto done = std::make_shared<std::promise<Status>>();
    appends.push_back(done->get_future());
    log->Append(std::move(records),
                [&, done, through = sent](const Status& status, std::vector<LogPosition>) {
                  {
                    std::lock_guard lock(mu);
                    acknowledged.emplace_back(through, Clock::now());
                  }
                  done->set_value(status);
                });
  }
  for (auto& append : appends) CDP_RETURN_IF_ERROR(append.get());
  // Wait (at most 30 s) for the last batch to show.
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(30);
  for (;;) {
    {
      std::lock_guard lock(mu);
      if (!polls.empty() && polls.back().second >= sent) break;
    }
    if (Clock::now() > deadline || !poll_status.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stop_polling = true;
  poller.join();
  loader.Stop();
  CDP_RETURN_IF_ERROR(poll_status);

  FreshnessReport report;
  report.events = sent;
  report.batches = acknowledged.size();
  std::vector<double> latencies;
  for (const auto& [through, at] : acknowledged) {
    const auto visible = std::find_if(polls.begin(), polls.end(), [&](const auto& poll) {
      return poll.first >= at && poll.second >= through;
    });
    if (visible == polls.end()) {
      return Status::Internal("an acknowledged batch never became visible within 30 s");
    }
    latencies.push_back(std::chrono::duration<double, std::milli>(visible->first - at).count());
  }
  report.p50_ms = Percentile(latencies, 0.50);
  report.p99_ms = Percentile(latencies, 0.99);
  report.max_ms = latencies.empty() ? 0 : *std::max_element(latencies.begin(), latencies.end());
  return report;
}

}  // namespace cdp::bench
