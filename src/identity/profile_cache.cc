#include "identity/profile_cache.h"

namespace cdp::identity {

ProfileCache::ProfileCache(const Clock& clock, std::chrono::seconds ttl, size_t max_entries)
    : clock_(clock), ttl_(ttl), max_entries_(max_entries) {}

std::string ProfileCache::KeyOf(std::string_view workspace_id, std::string_view id) {
  // Workspace ids hold no NUL; ids may, but come last.
  std::string key(workspace_id);
  key += '\0';
  key += id;
  return key;
}

std::optional<ProfileView> ProfileCache::Get(std::string_view workspace_id, std::string_view id) {
  std::lock_guard lock(mu_);
  const auto found = index_.find(KeyOf(workspace_id, id));
  if (found == index_.end()) return std::nullopt;
  const std::list<Entry>::iterator entry = found->second;
  if (clock_.Now() >= entry->expires_at) {
    index_.erase(found);
    entries_.erase(entry);
    return std::nullopt;
  }
  entries_.splice(entries_.begin(), entries_, entry);
  return entry->view;
}

void ProfileCache::Put(std::string_view workspace_id, std::string_view id, ProfileView view) {
  if (ttl_.count() <= 0 || max_entries_ == 0) return;
  std::lock_guard lock(mu_);
  std::string key = KeyOf(workspace_id, id);
  if (const auto found = index_.find(key); found != index_.end()) {
    entries_.erase(found->second);
    index_.erase(found);
  }
  entries_.push_front(Entry{key, std::string(workspace_id), std::move(view), clock_.Now() + ttl_});
  index_.emplace(std::move(key), entries_.begin());
  while (entries_.size() > max_entries_) {
    index_.erase(entries_.back().key);
    entries_.pop_back();
  }
}

void ProfileCache::EraseWorkspace(std::string_view workspace_id) {
  std::lock_guard lock(mu_);
  for (auto entry = entries_.begin(); entry != entries_.end();) {
    if (entry->workspace_id == workspace_id) {
      index_.erase(entry->key);
      entry = entries_.erase(entry);
    } else {
      ++entry;
    }
  }
}

size_t ProfileCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace cdp::identity
