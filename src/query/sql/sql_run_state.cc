#include "query/sql/sql_run_state.h"

#include <fmt/format.h>

namespace cdp::query {

SqlRunState::SqlRunState(const QueryContext& context, std::chrono::seconds timeout,
                         SqlMemoryBudget& budget)
    : context_(context),
      timeout_(timeout),
      deadline_(std::chrono::steady_clock::now() + timeout),
      budget_(budget) {}

Status SqlRunState::CheckInterrupt() {
  if (context_.Cancelled()) {
    RecordFailure(CancelledStatus());
    return CancelledStatus();
  }
  if (std::chrono::steady_clock::now() >= deadline_) {
    RecordFailure(TimeLimitStatus());
    return TimeLimitStatus();
  }
  return Status::Ok();
}

// 422 rather than 408 or 400. 408 means the client was too slow to send its
// request, and browsers and proxies may resend a 408 by themselves, running
// the same expensive query again; 400 would call a valid request malformed.
// The request is well-formed and refused for what it costs, as with the
// memory cap: UnprocessableEntity, pointing at the query.
Status SqlRunState::TimeLimitStatus() const {
  return Status::UnprocessableEntity(
      fmt::format("the query ran longer than {} s (timeout_seconds)", timeout_.count()), "query");
}

void SqlRunState::RecordFailure(const Status& status) {
  if (failure_.ok() && !status.ok()) failure_ = status;
}

}  // namespace cdp::query
