#include "query/testing/random_persons.h"

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace cdp::query::testing {

namespace {

// Union-find over the events' ids, by index of first appearance.
class IdSets {
 public:
  size_t IndexOf(const std::string& id) {
    const auto [found, added] = index_.try_emplace(id, ids_.size());
    if (added) {
      ids_.push_back(id);
      parent_.push_back(parent_.size());
    }
    return found->second;
  }
  size_t Find(size_t i) {
    while (parent_[i] != i) i = parent_[i] = parent_[parent_[i]];
    return i;
  }
  void Union(size_t a, size_t b) { parent_[Find(a)] = Find(b); }
  const std::vector<std::string>& ids() const { return ids_; }

 private:
  std::map<std::string, size_t> index_;
  std::vector<std::string> ids_;
  std::vector<size_t> parent_;
};

}  // namespace

StaticPersonDirectory RandomPersonDirectory(std::mt19937_64& random,
                                            std::span<const Event> events) {
  IdSets sets;
  std::set<std::pair<size_t, size_t>> linked_pairs;  // (anonymous, user) pairs already decided
  for (const Event& event : events) {
    size_t anonymous = 0;
    if (!event.anonymous_id.empty()) anonymous = sets.IndexOf(event.anonymous_id);
    if (event.user_id.empty()) continue;
    const size_t user = sets.IndexOf(event.user_id);
    if (event.anonymous_id.empty() || event.anonymous_id == event.user_id) continue;
    if (linked_pairs.emplace(anonymous, user).second && random() % 2 == 0) {
      sets.Union(anonymous, user);
    }
  }
  const size_t ids = sets.ids().size();
  for (size_t i = 0; i < ids && ids > 1; ++i) {
    if (random() % 10 == 0) sets.Union(i, random() % ids);
  }
  std::map<size_t, std::vector<std::string>> groups;  // by root
  for (size_t i = 0; i < ids; ++i) groups[sets.Find(i)].push_back(sets.ids()[i]);
  StaticPersonDirectory::Persons persons;
  for (auto& [root, members] : groups) {
    if (members.size() < 2) continue;
    std::string representative = members[random() % members.size()];
    persons.emplace(std::move(representative), std::move(members));
  }
  return StaticPersonDirectory(std::move(persons), {}, sets.ids());
}

}  // namespace cdp::query::testing
