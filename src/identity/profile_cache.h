#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"
#include "identity/identity_service.h"

namespace cdp::identity {

// The profile API's cache (issue: "profile lookups cached 30 s"): the view a
// lookup of (workspace, id) returned, kept for `ttl` by `clock`, at most
// `max_entries` of them (the least recently used goes first). A view is not
// refreshed when events change its profile: it is up to `ttl` old.
// Thread-safe.
class ProfileCache {
 public:
  // A ttl of zero or max_entries of 0 keeps nothing.
  ProfileCache(const Clock& clock, std::chrono::seconds ttl, size_t max_entries);

  // The view cached for the lookup, unless it expired.
  std::optional<ProfileView> Get(std::string_view workspace_id, std::string_view id);
  void Put(std::string_view workspace_id, std::string_view id, ProfileView view);
  // Forgets every view of the workspace.
  void EraseWorkspace(std::string_view workspace_id);
  size_t size() const;

 private:
  struct Entry {
    std::string key;
    std::string workspace_id;
    ProfileView view;
    TimePoint expires_at;
  };
  static std::string KeyOf(std::string_view workspace_id, std::string_view id);

  const Clock& clock_;
  const std::chrono::seconds ttl_;
  const size_t max_entries_;

  mutable std::mutex mu_;
  std::list<Entry> entries_;  // GUARDED_BY(mu_), the most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;  // GUARDED_BY(mu_)
};

}  // namespace cdp::identity
