#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "meta/identity_store.h"
#include "model/person_map.h"

namespace cdp::query {

// What queries know about persons: the snapshot to resolve events with (so a
// merge applies to every event ever ingested), who belongs to a person (the
// profile timeline and the explorer's person filter), and the profiles (the
// SQL sandbox's profiles table). Implemented by the identity service
// (identity/identity_service.h) and, for tests, by
// testing::StaticPersonDirectory.
// Thread safety: every method may be called from any thread.
class PersonDirectory {
 public:
  virtual ~PersonDirectory() = default;
  // The workspace's current snapshot; never null.
  virtual std::shared_ptr<const PersonMap> Snapshot(std::string_view workspace_id) const = 0;
  // The distinct ids of the person that `id` names (a profile id or any
  // distinct id), the representative first. An id no event ever had is a
  // person of its own: {id}. Empty for a profile id of no known person.
  virtual Result<std::vector<std::string>> MemberIds(std::string_view workspace_id,
                                                     std::string_view id) const = 0;
  // Every profile of the workspace, in no particular order, until `each`
  // returns false. `each` may block for a while (the SQL sandbox's profiles
  // table waits there while its reader is behind): hold no lock that writers
  // need while calling it.
  virtual Status ScanProfiles(std::string_view workspace_id,
                              const std::function<bool(const Profile&)>& each) const = 0;
};

}  // namespace cdp::query
