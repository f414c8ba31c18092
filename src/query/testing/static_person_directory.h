#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "meta/identity_store.h"
#include "model/person_map.h"
#include "query/person_directory.h"

namespace cdp::query::testing {

// A PersonDirectory fixed at construction: who is merged with whom, written
// out by the test (the identity service is what computes it in production).
// The same persons hold in every workspace; profiles belong to theirs.
//
// MemberIds follows the contract of PersonDirectory: a profile id names the
// person of the known id whose key it holds (a representative's, or a former
// one's), any other text is a distinct id (its person's ids, or {id} for an
// id that is a person of its own); a profile id no known id has names
// nobody (empty).
// Thread safety: immutable, so every method may be called from any thread.
class StaticPersonDirectory final : public PersonDirectory {
 public:
  // Representative -> the person's other ids (the representative may be
  // listed among them too).
  using Persons = std::map<std::string, std::vector<std::string>>;

  // `persons`: the merged persons; every other id is a person of its own.
  // `profiles`: what ScanProfiles lists, by their workspace_id. `known_ids`:
  // more ids events had, so that their profile ids name them (as the
  // identity service knows every id it has seen); the ids of `persons` and
  // `profiles` are known anyway.
  // REQUIRES: no id is listed under two representatives.
  explicit StaticPersonDirectory(Persons persons = {}, std::vector<Profile> profiles = {},
                                 std::vector<std::string> known_ids = {});

  // The persons as given, each with its representative first.
  const std::map<std::string, std::vector<std::string>>& persons() const { return members_; }

  std::shared_ptr<const PersonMap> Snapshot(std::string_view workspace_id) const override;
  Result<std::vector<std::string>> MemberIds(std::string_view workspace_id,
                                             std::string_view id) const override;
  Status ScanProfiles(std::string_view workspace_id,
                      const std::function<bool(const Profile&)>& each) const override;

 private:
  // The ids of the person of distinct id `id`.
  std::vector<std::string> MembersOf(const std::string& id) const;

  std::map<std::string, std::vector<std::string>> members_;  // by representative, it first
  std::map<std::string, std::string> representative_of_;     // every merged id
  std::map<PersonKey, std::string> known_by_key_;            // every known id
  std::vector<Profile> profiles_;
  std::shared_ptr<const PersonMap> snapshot_;
};

}  // namespace cdp::query::testing
