#pragma once

#include <atomic>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "meta/meta_store.h"

namespace cdp::testing {

// A MetaStore for tests that forwards to a real one, counting API key lookups
// by hash; it can be told to fail them, as a busy or unreachable database
// would. REQUIRES: no lookup runs while FailLookupsWith is called.
class CountingMetaStore final : public MetaStore {
 public:
  explicit CountingMetaStore(MetaStore& store) : store_(store) {}

  int lookups() const { return lookups_.load(); }
  void FailLookupsWith(Status status) { failure_ = std::move(status); }

  Result<ApiKey> FindApiKeyByHash(std::string_view key_hash) override {
    ++lookups_;
    if (!failure_.ok()) return failure_;
    return store_.FindApiKeyByHash(key_hash);
  }

  Status CreateWorkspace(const Workspace& workspace) override {
    return store_.CreateWorkspace(workspace);
  }
  Status CreateWorkspaceWithKeys(const Workspace& workspace,
                                 const std::vector<ApiKey>& keys) override {
    return store_.CreateWorkspaceWithKeys(workspace, keys);
  }
  Result<Workspace> GetWorkspace(std::string_view id) override { return store_.GetWorkspace(id); }
  Result<Workspace> FindWorkspaceByName(std::string_view name) override {
    return store_.FindWorkspaceByName(name);
  }
  Result<std::vector<Workspace>> ListWorkspaces() override { return store_.ListWorkspaces(); }
  Status SetWorkspaceRetention(std::string_view workspace_id, int days) override {
    return store_.SetWorkspaceRetention(workspace_id, days);
  }
  Status CreateApiKey(const ApiKey& key) override { return store_.CreateApiKey(key); }
  Result<std::vector<ApiKey>> ListApiKeys(std::string_view workspace_id) override {
    return store_.ListApiKeys(workspace_id);
  }
  Status RevokeApiKey(std::string_view workspace_id, std::string_view key_id,
                      TimePoint at) override {
    return store_.RevokeApiKey(workspace_id, key_id, at);
  }
  Status SetWorkspaceRateLimits(const WorkspaceRateLimits& limits) override {
    return store_.SetWorkspaceRateLimits(limits);
  }
  Status ClearWorkspaceRateLimits(std::string_view workspace_id) override {
    return store_.ClearWorkspaceRateLimits(workspace_id);
  }
  Result<std::vector<WorkspaceRateLimits>> ListWorkspaceRateLimits() override {
    return store_.ListWorkspaceRateLimits();
  }
  Status Ping() override { return store_.Ping(); }

 private:
  MetaStore& store_;
  std::atomic<int> lookups_{0};
  Status failure_;
};

}  // namespace cdp::testing
