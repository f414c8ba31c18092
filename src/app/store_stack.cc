#include "app/store_stack.h"

#include <chrono>

#include "core/log.h"

namespace cdp {

Result<std::unique_ptr<StoreStack>> StoreStack::Open(const Config& config, EventLog& log,
                                                     MetaStore& meta) {
  std::unique_ptr<StoreStack> stack(new StoreStack(meta));
  CDP_ASSIGN_OR_RETURN(stack->store_,
                       columnar::ColumnarEventStore::Open(stack->fs_, config.data_dir + "/store"));
  stack->loader_ = std::make_unique<EventLoader>(log, *stack->store_, EventLoader::Options{});
  // Catch up before serving queries: what was acknowledged before a restart
  // is there from the first query on.
  CDP_ASSIGN_OR_RETURN(const uint64_t caught_up, stack->loader_->LoadAvailable());
  log::Info("event store open")
      .Str("dir", config.data_dir + "/store")
      .Int("parts", static_cast<int64_t>(stack->store_->PartCount()))
      .Int("events_loaded_at_start", static_cast<int64_t>(caught_up));
  stack->loader_->Start();
  if (Status status = stack->ApplyRetention(); !status.ok()) {
    log::Warn("cannot apply data retention").Err(status);
  }
  stack->retention_ = std::make_unique<PeriodicTask>(std::chrono::hours(1), [stack = stack.get()] {
    if (Status status = stack->ApplyRetention(); !status.ok()) {
      log::Warn("cannot apply data retention").Err(status);
    }
  });
  return stack;
}

StoreStack::~StoreStack() { Close(); }

void StoreStack::Close() {
  retention_.reset();
  if (loader_ != nullptr) loader_->Stop();
}

Status StoreStack::ApplyRetention() {
  CDP_ASSIGN_OR_RETURN(const std::vector<Workspace> workspaces, meta_.ListWorkspaces());
  const TimePoint now = std::chrono::system_clock::now();
  for (const Workspace& workspace : workspaces) {
    const TimePoint keep_from = now - std::chrono::hours(24) * workspace.retention_days;
    CDP_RETURN_IF_ERROR(store_->DropBefore(workspace.id, keep_from));
  }
  return Status::Ok();
}

}  // namespace cdp
