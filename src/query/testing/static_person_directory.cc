#include "query/testing/static_person_directory.h"

#include <cassert>
#include <utility>

namespace cdp::query::testing {

StaticPersonDirectory::StaticPersonDirectory(Persons persons, std::vector<Profile> profiles,
                                             std::vector<std::string> known_ids)
    : profiles_(std::move(profiles)) {
  std::vector<PersonMap::Change> changes;
  for (auto& [representative, others] : persons) {
    std::vector<std::string>& members = members_[representative];
    members.push_back(representative);
    for (std::string& id : others) {
      if (id != representative) members.push_back(std::move(id));
    }
    for (const std::string& id : members) {
      [[maybe_unused]] const bool first = representative_of_.emplace(id, representative).second;
      assert(first && "an id listed under two representatives");
      if (id != representative) changes.emplace_back(PersonKeyOf(id), PersonKeyOf(representative));
      known_by_key_.emplace(PersonKeyOf(id), id);
    }
  }
  for (const Profile& profile : profiles_) {
    known_by_key_.emplace(PersonKeyOf(profile.person), profile.person);
    for (const auto* ids : {&profile.user_ids, &profile.anonymous_ids}) {
      for (const std::string& id : *ids) known_by_key_.emplace(PersonKeyOf(id), id);
    }
  }
  for (const std::string& id : known_ids) known_by_key_.emplace(PersonKeyOf(id), id);
  snapshot_ = PersonMap().With(changes);
}

std::shared_ptr<const PersonMap> StaticPersonDirectory::Snapshot(std::string_view) const {
  return snapshot_;
}

std::vector<std::string> StaticPersonDirectory::MembersOf(const std::string& id) const {
  const auto merged = representative_of_.find(id);
  if (merged == representative_of_.end()) return {id};
  return members_.at(merged->second);
}

Result<std::vector<std::string>> StaticPersonDirectory::MemberIds(std::string_view,
                                                                  std::string_view id) const {
  if (const std::optional<PersonKey> key = ParseProfileId(id)) {
    const auto known = known_by_key_.find(*key);
    if (known == known_by_key_.end()) return std::vector<std::string>{};
    return MembersOf(known->second);
  }
  return MembersOf(std::string(id));
}

Status StaticPersonDirectory::ScanProfiles(std::string_view workspace_id,
                                           const std::function<bool(const Profile&)>& each) const {
  for (const Profile& profile : profiles_) {
    if (profile.workspace_id == workspace_id && !each(profile)) break;
  }
  return Status::Ok();
}

}  // namespace cdp::query::testing
