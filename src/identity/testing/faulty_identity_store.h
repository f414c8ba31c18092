#pragma once

// Test support: an IdentityStore that forwards to a real one, and can be told
// to refuse writes (LevelDB's SpecialEnv, for the identity store), as a busy
// or full database would. It also remembers the size of every batch applied.

#include <atomic>
#include <mutex>
#include <vector>

#include "meta/identity_store.h"

namespace cdp::identity::testing {

class FaultyIdentityStore final : public IdentityStore {
 public:
  explicit FaultyIdentityStore(IdentityStore& store) : store_(store) {}

  // The next `count` Apply calls fail with Unavailable, writing nothing.
  void FailApplies(int count) { failing_applies_ = count; }
  // Events-with-an-id rows per applied batch (IdActivity::events summed).
  std::vector<int64_t> applied_batch_events() const {
    std::lock_guard lock(mu_);
    return applied_batch_events_;
  }

  Status Apply(const IdentityBatch& batch) override {
    if (failing_applies_.load() > 0) {
      failing_applies_.fetch_sub(1);
      return Status::Unavailable("injected identity store failure", std::chrono::seconds(1));
    }
    CDP_RETURN_IF_ERROR(store_.Apply(batch));
    int64_t events = 0;
    for (const IdActivity& row : batch.activity) events += row.events;
    std::lock_guard lock(mu_);
    applied_batch_events_.push_back(events);
    return Status::Ok();
  }
  Result<std::vector<std::pair<int, uint64_t>>> ConsumedOffsets() override {
    return store_.ConsumedOffsets();
  }
  Status ForEachLink(const std::function<Status(const IdentityLinkRecord&)>& each) override {
    return store_.ForEachLink(each);
  }
  Result<std::optional<std::string>> PersonOf(std::string_view workspace_id,
                                              std::string_view id) override {
    return store_.PersonOf(workspace_id, id);
  }
  Result<std::vector<std::string>> IdsWithKey(std::string_view workspace_id,
                                              uint64_t key) override {
    return store_.IdsWithKey(workspace_id, key);
  }
  Result<Profile> GetProfile(std::string_view workspace_id, std::string_view person) override {
    return store_.GetProfile(workspace_id, person);
  }
  Result<ProfilePage> ListProfiles(const ProfileListRequest& request) override {
    return store_.ListProfiles(request);
  }
  Status ScanProfiles(std::string_view workspace_id,
                      const std::function<bool(const Profile&)>& each) override {
    return store_.ScanProfiles(workspace_id, each);
  }
  Result<std::vector<IdentityLinkRecord>> MergesOf(std::string_view workspace_id,
                                                   std::string_view person) override {
    return store_.MergesOf(workspace_id, person);
  }

 private:
  IdentityStore& store_;
  std::atomic<int> failing_applies_{0};
  mutable std::mutex mu_;
  std::vector<int64_t> applied_batch_events_;
};

}  // namespace cdp::identity::testing
