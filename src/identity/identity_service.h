#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "identity/identity_graph.h"
#include "meta/identity_store.h"
#include "model/event.h"
#include "model/person_map.h"
#include "query/person_directory.h"

namespace cdp::identity {

// A profile as GET /profiles/{id} shows it.
struct ProfileView {
  std::string profile_id;  // ProfileIdOf(PersonKeyOf(profile.person))
  Profile profile;
  // The merges that joined the person's ids, oldest first, undone ones
  // included (their unmerged_at is set): what POST .../unmerge can undo.
  std::vector<IdentityLinkRecord> merges;
};

struct UnmergeOutcome {
  ProfileView kept;       // the person that keeps the representative
  ProfileView split_off;  // the person split back off
};

class ProfileCache;

// Identity stitching and profiles (ARCHITECTURE.md, "Data flow": the loader
// feeds the identity graph and the profiles).
//
// Write side: the identity loader (identity_loader.h) hands it every event of
// the log in log order; ApplyEvents turns a batch into link requests on each
// workspace's IdentityGraph (identify: anonymous id -> user id; alias:
// previous id -> user id; a context property merge_dangerously = true makes
// either a kMergeDangerously), per-id activity and traits, and writes them
// with the consumed log offsets in one IdentityStore::Apply: exactly once
// across restarts. One mutex serializes batches and unmerges, so merges are
// applied in log order per id and never race.
//
// Read side: every workspace's PersonMap snapshot, swapped after each applied
// batch; profiles through a 30 s cache (the profile API's freshness). The
// cache is not invalidated by batches (under steady ingestion it would never
// hit): a profile read through GetProfile is up to profile_cache_ttl old, and
// after a merge an id may show its former person for that long. An Unmerge,
// an operator's explicit act, drops its workspace's cached profiles at once.
// Snapshot and MemberIds are always current: never cached.
//
// Consistency: batches and unmerges change the graphs while holding the graph
// lock exclusively until the store has committed, so readers (MemberIds,
// GetProfile) never see a merge the store might still refuse. When the store
// refuses a batch, the graphs of the workspaces it linked in are rebuilt from
// the store's links (until that succeeds, their readers get Unavailable and
// writers retry the rebuild first).
// Thread safety: every method may be called from any thread.
class IdentityService final : public query::PersonDirectory {
 public:
  struct Options {
    // How long GetProfile answers from its cache (0: never cached).
    std::chrono::seconds profile_cache_ttl{30};
    // The most lookups cached; the least recently used goes first.
    size_t profile_cache_entries = 100'000;
  };

  // Rebuilds every workspace's graph and person map from the store's links.
  // REQUIRES: `store` and `clock` outlive the service.
  static Result<std::unique_ptr<IdentityService>> Open(IdentityStore& store, const Clock& clock,
                                                       Options options);
  ~IdentityService() override;
  IdentityService(const IdentityService&) = delete;
  IdentityService& operator=(const IdentityService&) = delete;

  // Applies events read from the log, in log order per partition, and
  // records `offsets` (partition, next offset) as consumed, atomically. A
  // link with an illegal id (IsLegalDistinctId; ingestion refuses those) is
  // skipped with a warning. Each event counts for the id it resolves to
  // (ResolutionIdOf), under the person that id has once the whole batch is
  // applied. On error nothing of the batch is applied (the store's error:
  // Unavailable when busy; NotFound, field "workspace_id", for an event of a
  // workspace the store does not know).
  Status ApplyEvents(std::span<const Event> events, std::vector<std::pair<int, uint64_t>> offsets);
  // Where the log is to be read from: what the last applied batch recorded.
  Result<std::vector<std::pair<int, uint64_t>>> ConsumedOffsets();

  // The profile `id` names: a profile id (also a former one, of a person
  // since merged into another), a user id or an anonymous id, tried in that
  // order. NotFound (field "id") when no event ever had such an id.
  Result<ProfileView> GetProfile(std::string_view workspace_id, std::string_view id);
  Result<ProfilePage> ListProfiles(const ProfileListRequest& request);
  // Undoes merge `merge_id` of the person `id` names. NotFound (field "id")
  // as GetProfile; NotFound (field "merge_id") when the person has no such
  // merge; Conflict (field "merge_id") when the merge was already undone.
  Result<UnmergeOutcome> Unmerge(std::string_view workspace_id, std::string_view id,
                                 std::string_view merge_id);

  // query::PersonDirectory.
  std::shared_ptr<const PersonMap> Snapshot(std::string_view workspace_id) const override;
  Result<std::vector<std::string>> MemberIds(std::string_view workspace_id,
                                             std::string_view id) const override;
  Status ScanProfiles(std::string_view workspace_id,
                      const std::function<bool(const Profile&)>& each) const override;

 private:
  struct WorkspaceGraph {
    IdentityGraph graph;
    int64_t next_link_seq = 1;  // the seq of the next link recorded
  };
  using NodeIds = std::map<std::string, std::unordered_set<std::string>, std::less<>>;

  IdentityService(IdentityStore& store, const Clock& clock, Options options);

  // Rebuilds the graphs of `workspaces` (every workspace when null) from the
  // store's links, and adds the ids of their nodes to `nodes` when not null.
  // REQUIRES: graph_mu_ held exclusively.
  Status ReplayLinks(const std::set<std::string, std::less<>>* workspaces, NodeIds* nodes);
  // Rebuilds the graphs a failed store write left ahead of the store.
  // REQUIRES: graph_mu_ held exclusively.
  Status RepairGraphs();
  // Unavailable while the workspace's graph awaits RepairGraphs.
  // REQUIRES: graph_mu_ held.
  Status CheckGraphReady(std::string_view workspace_id) const;
  // The id a profile id's key names (normally the person's representative, or
  // a former one); nullopt when no id the store knows has that key.
  // REQUIRES: graph_mu_ held.
  Result<std::optional<std::string>> IdOfProfile(std::string_view workspace_id,
                                                 PersonKey key) const;
  // The representative of the person `id` names (as GetProfile documents),
  // and the id it was found through (the id itself, or the id of a profile
  // id); NotFound (field "id") when it names nobody.
  // REQUIRES: graph_mu_ held.
  struct NamedPerson {
    std::string person;
    std::string through_id;
  };
  Result<NamedPerson> PersonNamed(std::string_view workspace_id, std::string_view id) const;
  // The current profile of a person, read from the store.
  // REQUIRES: graph_mu_ held.
  Result<ProfileView> ViewOf(std::string_view workspace_id, const std::string& person) const;
  // The representative of `id` in the workspace's graph (`id` when it is not
  // a node). REQUIRES: graph_mu_ held.
  std::string RepresentativeOf(std::string_view workspace_id, std::string_view id) const;
  // Swaps in each workspace's snapshot with `changes` applied.
  void Publish(const std::map<std::string, std::vector<PersonMap::Change>>& changes);

  IdentityStore& store_;
  const Clock& clock_;
  const Options options_;

  // Held exclusively by ApplyEvents and Unmerge from their first graph change
  // until the store committed (which serializes them), shared by readers.
  mutable std::shared_mutex graph_mu_;
  std::map<std::string, WorkspaceGraph, std::less<>> graphs_;  // GUARDED_BY(graph_mu_)
  // Workspaces whose graph is ahead of the store. GUARDED_BY(graph_mu_)
  std::set<std::string, std::less<>> damaged_;

  mutable std::mutex maps_mu_;
  std::unordered_map<std::string, std::shared_ptr<const PersonMap>> maps_;  // GUARDED_BY(maps_mu_)

  std::unique_ptr<ProfileCache> profile_cache_;
};

}  // namespace cdp::identity
