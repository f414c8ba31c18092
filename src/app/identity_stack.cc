#include "app/identity_stack.h"

#include "core/log.h"

namespace cdp {

Result<std::unique_ptr<IdentityStack>> IdentityStack::Open(const Config& config, EventLog& log) {
  std::unique_ptr<IdentityStack> stack(new IdentityStack());
  CDP_ASSIGN_OR_RETURN(stack->store_, OpenSqliteIdentityStore(config.MetaDbPath()));
  CDP_ASSIGN_OR_RETURN(stack->service_, identity::IdentityService::Open(
                                            *stack->store_, SystemClock::Instance(),
                                            {.profile_cache_ttl = config.cache_ttl_profiles}));
  stack->loader_ = std::make_unique<identity::IdentityLoader>(log, *stack->service_,
                                                              identity::IdentityLoader::Options{});
  // As the event loader: what was acknowledged before a restart is stitched
  // from the first query on.
  CDP_ASSIGN_OR_RETURN(const uint64_t caught_up, stack->loader_->LoadAvailable());
  log::Info("identity service open")
      .Int("events_applied_at_start", static_cast<int64_t>(caught_up));
  stack->loader_->Start();
  return stack;
}

IdentityStack::~IdentityStack() { Close(); }

void IdentityStack::Close() {
  if (loader_ != nullptr) loader_->Stop();
}

}  // namespace cdp
