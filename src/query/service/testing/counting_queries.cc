#include "query/service/testing/counting_queries.h"

#include <simdjson.h>

#include <chrono>

#include "core/json_writer.h"
#include "query/request_json.h"

namespace cdp::query::testing {

namespace {

using std::chrono::milliseconds;

// Generous: a test waits this long only when it is about to fail.
constexpr auto kWaitDeadline = std::chrono::seconds(30);

struct CountRequest {
  TimePoint from;
  TimePoint to;
  std::optional<std::string> event;
};

Result<CountRequest> ParseCountRequest(std::string_view body) {
  simdjson::dom::parser parser;
  CDP_ASSIGN_OR_RETURN(const RequestObject object, RequestObject::Parse(parser, body));
  CDP_RETURN_IF_ERROR(object.RejectUnknownKeys({"from", "to", "event"}));
  CountRequest request;
  CDP_ASSIGN_OR_RETURN(request.from, object.Time("from"));
  CDP_ASSIGN_OR_RETURN(request.to, object.Time("to"));
  if (request.from >= request.to) return FieldError("to", "after from");
  CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> event, object.OptionalString("event"));
  if (event) request.event = std::string(*event);
  return request;
}

ScanRequest CountScan(const CountRequest& request) {
  ScanRequest scan;
  scan.from = request.from;
  scan.to = request.to;
  scan.columns = {"event"};
  if (request.event) {
    scan.predicates.push_back({"event", CompareOp::kEquals, {*request.event}, nullptr});
  }
  return scan;
}

QueryOutput CountOutput(uint64_t count) {
  JsonWriter json;
  json.BeginObject().Key("count").Uint(count).EndObject();
  return {std::move(json).Take(), 1};
}

// Per-worker counts, summed at the end: workers never share a counter.
class WorkerCounts {
 public:
  explicit WorkerCounts(int workers) : counts_(std::max(1, workers), 0) {}
  void Add(int worker, const ScanBatch& batch) { counts_[worker] += batch.selection.size(); }
  uint64_t Total() const {
    uint64_t total = 0;
    for (const uint64_t count : counts_) total += count;
    return total;
  }

 private:
  std::vector<uint64_t> counts_;
};

}  // namespace

Result<QueryOutput> CountEventsQuery(const QueryContext& context, EventStore& store,
                                     std::string_view body) {
  CDP_ASSIGN_OR_RETURN(const CountRequest request, ParseCountRequest(body));
  WorkerCounts counts(context.parallelism);
  CDP_RETURN_IF_ERROR(
      ScanForQuery(store, context, CountScan(request), [&](int worker, const ScanBatch& batch) {
        counts.Add(worker, batch);
        return Status::Ok();
      }));
  return CountOutput(counts.Total());
}

uint64_t CountEventsReference(std::span<const Event> events, std::string_view workspace_id,
                              TimePoint from, TimePoint to, std::string_view event_name) {
  uint64_t count = 0;
  for (const Event& event : events) {
    if (event.workspace_id != workspace_id) continue;
    if (event.timestamp < from || event.timestamp >= to) continue;
    if (!event_name.empty() && event.event != event_name) continue;
    ++count;
  }
  return count;
}

QueryFunction GatedCountQuery::function() {
  return [this](const QueryContext& context, EventStore& store, std::string_view body) {
    return Run(context, store, body);
  };
}

Result<QueryOutput> GatedCountQuery::Run(const QueryContext& context, EventStore& store,
                                         std::string_view body) {
  CDP_ASSIGN_OR_RETURN(const CountRequest request, ParseCountRequest(body));
  {
    std::lock_guard lock(mutex_);
    ++started_;
  }
  changed_.notify_all();
  WorkerCounts counts(context.parallelism);
  const Status scanned =
      ScanForQuery(store, context, CountScan(request), [&](int worker, const ScanBatch& batch) {
        if (!Pass(context)) return CancelledStatus();
        counts.Add(worker, batch);
        return Status::Ok();
      });
  {
    std::lock_guard lock(mutex_);
    ++finished_;
  }
  changed_.notify_all();
  CDP_RETURN_IF_ERROR(scanned);
  return CountOutput(counts.Total());
}

bool GatedCountQuery::Pass(const QueryContext& context) {
  std::unique_lock lock(mutex_);
  // The cancellation flag is not tied to this condition variable: poll it.
  while (!open_ && permits_ == 0) {
    if (context.Cancelled()) return false;
    changed_.wait_for(lock, milliseconds(2));
  }
  if (!open_) --permits_;
  ++blocks_passed_;
  changed_.notify_all();
  return true;
}

void GatedCountQuery::Allow(int blocks) {
  {
    std::lock_guard lock(mutex_);
    permits_ += blocks;
  }
  changed_.notify_all();
}

void GatedCountQuery::Open() {
  {
    std::lock_guard lock(mutex_);
    open_ = true;
  }
  changed_.notify_all();
}

bool GatedCountQuery::WaitForQueriesStarted(int queries) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, kWaitDeadline, [&] { return started_ >= queries; });
}

bool GatedCountQuery::WaitForBlocksPassed(int blocks) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, kWaitDeadline, [&] { return blocks_passed_ >= blocks; });
}

int GatedCountQuery::queries_started() const {
  std::lock_guard lock(mutex_);
  return started_;
}

int GatedCountQuery::queries_finished() const {
  std::lock_guard lock(mutex_);
  return finished_;
}

}  // namespace cdp::query::testing
