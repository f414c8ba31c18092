#include "identity/identity_service.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/log.h"
#include "core/uuid.h"
#include "identity/identity_batch_builder.h"
#include "identity/link_request.h"
#include "identity/profile_cache.h"

namespace cdp::identity {

namespace {

const std::shared_ptr<const PersonMap>& EmptyPersonMap() {
  static const auto* const empty =
      new std::shared_ptr<const PersonMap>(std::make_shared<const PersonMap>());
  return *empty;
}

Status NobodyHasId() { return Status::NotFound("no profile has this id").WithField("id"); }

// The record of a link as the graph applied it (identity_store.h).
IdentityLinkRecord RecordOf(const Event& event, const LinkRequest& request, int64_t seq,
                            LinkResult& result, const Clock& clock) {
  IdentityLinkRecord record;
  record.workspace_id = event.workspace_id;
  record.seq = seq;
  record.kind = LinkKindName(request.kind);
  record.from_id = request.from;
  record.to_id = request.to;
  record.message_id = event.message_id;
  record.event_timestamp = event.timestamp;
  record.applied_at = clock.Now();
  record.outcome = LinkOutcomeName(result.outcome);
  if (result.outcome == LinkOutcome::kMerged) {
    record.merge_id = Uuid::NewV7(clock).ToString();
    record.winner = std::move(result.winner);
    record.loser = std::move(result.loser);
    record.moved_ids.reserve(result.moved.size());
    for (const Reassignment& moved : result.moved) record.moved_ids.push_back(moved.id);
  }
  return record;
}

}  // namespace

IdentityService::IdentityService(IdentityStore& store, const Clock& clock, Options options)
    : store_(store),
      clock_(clock),
      options_(options),
      profile_cache_(std::make_unique<ProfileCache>(clock, options.profile_cache_ttl,
                                                    options.profile_cache_entries)) {}

IdentityService::~IdentityService() = default;

Result<std::unique_ptr<IdentityService>> IdentityService::Open(IdentityStore& store,
                                                               const Clock& clock,
                                                               Options options) {
  std::unique_ptr<IdentityService> service(new IdentityService(store, clock, options));
  std::unique_lock lock(service->graph_mu_);
  NodeIds nodes;
  CDP_RETURN_IF_ERROR(service->ReplayLinks(nullptr, &nodes));
  // Each workspace's snapshot lists every node whose person another id
  // represents: what the batches before the restart had published, in one go.
  for (const auto& [workspace_id, ids] : nodes) {
    const IdentityGraph& graph = service->graphs_.at(workspace_id).graph;
    std::vector<PersonMap::Change> changes;
    for (const std::string& id : ids) {
      const std::string_view representative = graph.RepresentativeOf(id);
      if (representative != id) {
        changes.emplace_back(PersonKeyOf(id), PersonKeyOf(representative));
      }
    }
    service->maps_[workspace_id] = EmptyPersonMap()->With(changes);
  }
  lock.unlock();
  return service;
}

Status IdentityService::ReplayLinks(const std::set<std::string, std::less<>>* workspaces,
                                    NodeIds* nodes) {
  if (workspaces == nullptr) {
    graphs_.clear();
  } else {
    for (const std::string& workspace_id : *workspaces) graphs_.erase(workspace_id);
  }
  return store_.ForEachLink([&](const IdentityLinkRecord& link) {
    if (workspaces != nullptr && !workspaces->contains(link.workspace_id)) return Status::Ok();
    WorkspaceGraph& workspace = graphs_[link.workspace_id];
    if (link.seq < workspace.next_link_seq) {
      return Status::Internal(fmt::format("identity link {} of workspace {} is out of order",
                                          link.seq, link.workspace_id));
    }
    const bool merged =
        link.outcome == LinkOutcomeName(LinkOutcome::kMerged) && !link.unmerged_at.has_value();
    workspace.graph.Replay(link.from_id, link.to_id, link.seq, merged);
    workspace.next_link_seq = link.seq + 1;
    if (nodes != nullptr) {
      auto& ids = (*nodes)[link.workspace_id];
      ids.insert(link.from_id);
      ids.insert(link.to_id);
    }
    return Status::Ok();
  });
}

Status IdentityService::RepairGraphs() {
  if (damaged_.empty()) return Status::Ok();
  CDP_RETURN_IF_ERROR(ReplayLinks(&damaged_, nullptr));
  log::Info("identity graphs rebuilt from the store")
      .Int("workspaces", static_cast<int64_t>(damaged_.size()));
  damaged_.clear();
  return Status::Ok();
}

Status IdentityService::CheckGraphReady(std::string_view workspace_id) const {
  if (!damaged_.contains(workspace_id)) return Status::Ok();
  return Status::Unavailable("the identity graph is being rebuilt", std::chrono::seconds(1));
}

std::string IdentityService::RepresentativeOf(std::string_view workspace_id,
                                              std::string_view id) const {
  const auto found = graphs_.find(workspace_id);
  if (found == graphs_.end()) return std::string(id);
  return std::string(found->second.graph.RepresentativeOf(id));
}

Status IdentityService::ApplyEvents(std::span<const Event> events,
                                    std::vector<std::pair<int, uint64_t>> offsets) {
  std::unique_lock lock(graph_mu_);
  CDP_RETURN_IF_ERROR(RepairGraphs());

  IdentityBatch batch;
  IdentityBatchBuilder builder;
  std::map<std::string, std::vector<PersonMap::Change>> changes;
  std::set<std::string, std::less<>> linked;  // workspaces whose graph this batch changed
  for (const Event& event : events) {
    builder.AddEvent(event);
    const std::optional<LinkRequest> request = LinkRequestOf(event);
    if (!request.has_value()) continue;
    const bool from_legal = IsLegalDistinctId(request->from);
    if (!from_legal || !IsLegalDistinctId(request->to)) {
      // Ingestion refuses these; one that got through anyway (an older
      // version, a replayed dead letter) must not merge every visitor who
      // sent the same placeholder.
      const bool alias = event.type == EventType::kAlias;
      log::Warn("identity: link with an illegal id skipped")
          .Str("workspace_id", event.workspace_id)
          .Str("message_id", event.message_id)
          .Str("field", from_legal ? "user_id" : (alias ? "previous_id" : "anonymous_id"))
          .Str("id", from_legal ? request->to : request->from);
      continue;
    }
    WorkspaceGraph& workspace = graphs_[event.workspace_id];
    linked.insert(event.workspace_id);
    const int64_t seq = workspace.next_link_seq++;
    LinkResult result = workspace.graph.Link(request->from, request->to, request->kind, seq);
    for (const Reassignment& moved : result.moved) {
      batch.assignments.push_back({event.workspace_id, moved.id, moved.representative});
      changes[event.workspace_id].emplace_back(PersonKeyOf(moved.id),
                                               PersonKeyOf(moved.representative));
    }
    batch.new_links.push_back(RecordOf(event, *request, seq, result, clock_));
  }
  // Rows name the person each id has once the whole batch is applied: the
  // store keeps one person per id, and a later link of the batch may have
  // moved it.
  builder.Finish([&](std::string_view workspace_id,
                     std::string_view id) { return RepresentativeOf(workspace_id, id); },
                 batch);
  batch.offsets = std::move(offsets);

  if (Status applied = store_.Apply(batch); !applied.ok()) {
    damaged_.insert(linked.begin(), linked.end());
    if (Status repaired = RepairGraphs(); !repaired.ok()) {
      log::Error("identity: cannot rebuild the graphs after a failed batch; retrying later")
          .Err(repaired);
    }
    return applied;
  }
  Publish(changes);
  return Status::Ok();
}

void IdentityService::Publish(
    const std::map<std::string, std::vector<PersonMap::Change>>& changes) {
  for (const auto& [workspace_id, workspace_changes] : changes) {
    const std::shared_ptr<const PersonMap> current = Snapshot(workspace_id);
    std::shared_ptr<const PersonMap> next = current->With(workspace_changes);
    // Only writers (holding graph_mu_ exclusively) publish, so `current` is
    // still the published one.
    std::lock_guard lock(maps_mu_);
    maps_[workspace_id] = std::move(next);
  }
}

Result<std::vector<std::pair<int, uint64_t>>> IdentityService::ConsumedOffsets() {
  return store_.ConsumedOffsets();
}

Result<std::optional<std::string>> IdentityService::IdOfProfile(std::string_view workspace_id,
                                                                PersonKey key) const {
  CDP_ASSIGN_OR_RETURN(const std::vector<std::string> ids, store_.IdsWithKey(workspace_id, key));
  if (ids.empty()) return std::optional<std::string>();
  // Two ids sharing a key (about 3e-8 for a million ids): prefer the one that
  // still represents its person, whose profile id this is now.
  for (const std::string& id : ids) {
    if (RepresentativeOf(workspace_id, id) == id) return std::optional<std::string>(id);
  }
  return std::optional<std::string>(ids.front());
}

Result<IdentityService::NamedPerson> IdentityService::PersonNamed(std::string_view workspace_id,
                                                                  std::string_view id) const {
  if (const std::optional<PersonKey> key = ParseProfileId(id); key.has_value()) {
    CDP_ASSIGN_OR_RETURN(std::optional<std::string> through_id, IdOfProfile(workspace_id, *key));
    if (through_id.has_value()) {
      std::string person = RepresentativeOf(workspace_id, *through_id);
      return NamedPerson{std::move(person), std::move(*through_id)};
    }
    // Not a profile id after all: perhaps a distinct id that looks like one.
  }
  if (const auto found = graphs_.find(workspace_id);
      found != graphs_.end() && found->second.graph.IsNode(id)) {
    return NamedPerson{std::string(found->second.graph.RepresentativeOf(id)), std::string(id)};
  }
  CDP_ASSIGN_OR_RETURN(const std::optional<std::string> person, store_.PersonOf(workspace_id, id));
  if (!person.has_value()) return NobodyHasId();
  return NamedPerson{*person, std::string(id)};
}

Result<ProfileView> IdentityService::ViewOf(std::string_view workspace_id,
                                            const std::string& person) const {
  ProfileView view;
  Result<Profile> profile = store_.GetProfile(workspace_id, person);
  if (!profile.ok()) {
    if (profile.status().code() == ErrorCode::kNotFound) return NobodyHasId();
    return profile.status();
  }
  view.profile = std::move(profile).value();
  view.profile_id = ProfileIdOf(PersonKeyOf(view.profile.person));
  CDP_ASSIGN_OR_RETURN(view.merges, store_.MergesOf(workspace_id, person));
  return view;
}

Result<ProfileView> IdentityService::GetProfile(std::string_view workspace_id,
                                                std::string_view id) {
  if (std::optional<ProfileView> cached = profile_cache_->Get(workspace_id, id)) return *cached;
  std::shared_lock lock(graph_mu_);
  CDP_RETURN_IF_ERROR(CheckGraphReady(workspace_id));
  CDP_ASSIGN_OR_RETURN(const NamedPerson named, PersonNamed(workspace_id, id));
  CDP_ASSIGN_OR_RETURN(ProfileView view, ViewOf(workspace_id, named.person));
  lock.unlock();
  profile_cache_->Put(workspace_id, id, view);
  return view;
}

Result<ProfilePage> IdentityService::ListProfiles(const ProfileListRequest& request) {
  return store_.ListProfiles(request);
}

Result<UnmergeOutcome> IdentityService::Unmerge(std::string_view workspace_id, std::string_view id,
                                                std::string_view merge_id) {
  std::unique_lock lock(graph_mu_);
  CDP_RETURN_IF_ERROR(RepairGraphs());
  CDP_ASSIGN_OR_RETURN(const NamedPerson named, PersonNamed(workspace_id, id));
  Result<std::vector<IdentityLinkRecord>> merges = store_.MergesOf(workspace_id, named.person);
  if (!merges.ok()) {
    if (merges.status().code() == ErrorCode::kNotFound) return NobodyHasId();
    return merges.status();
  }
  const auto merge = std::find_if(merges->begin(), merges->end(), [&](const auto& link) {
    return !link.merge_id.empty() && link.merge_id == merge_id;
  });
  if (merge == merges->end()) {
    return Status::NotFound("the profile has no merge with this id").WithField("merge_id");
  }
  if (merge->unmerged_at.has_value()) {
    return Status::Conflict("the merge was already undone", "merge_id");
  }
  const auto workspace = graphs_.find(workspace_id);
  if (workspace == graphs_.end()) {
    return Status::Internal(fmt::format("merge {} of workspace {} is not in the identity graph",
                                        merge_id, workspace_id));
  }
  CDP_ASSIGN_OR_RETURN(const UnmergeResult split, workspace->second.graph.Unmerge(merge->seq));

  IdentityBatch batch;
  std::map<std::string, std::vector<PersonMap::Change>> changes;
  auto& workspace_changes = changes[std::string(workspace_id)];
  for (const Reassignment& moved : split.moved) {
    batch.assignments.push_back({std::string(workspace_id), moved.id, moved.representative});
    workspace_changes.emplace_back(PersonKeyOf(moved.id), PersonKeyOf(moved.representative));
  }
  batch.unmerged.emplace_back(std::string(workspace_id), std::string(merge_id));
  batch.unmerged_at = clock_.Now();
  if (Status applied = store_.Apply(batch); !applied.ok()) {
    damaged_.emplace(workspace_id);
    if (Status repaired = RepairGraphs(); !repaired.ok()) {
      log::Error("identity: cannot rebuild the graph after a failed unmerge; retrying later")
          .Err(repaired);
    }
    return applied;
  }
  Publish(changes);
  profile_cache_->EraseWorkspace(workspace_id);
  log::Info("identity: merge undone")
      .Str("workspace_id", workspace_id)
      .Str("merge_id", merge_id)
      .Int("moved_ids", static_cast<int64_t>(split.moved.size()));

  UnmergeOutcome outcome;
  CDP_ASSIGN_OR_RETURN(outcome.kept, ViewOf(workspace_id, split.kept));
  CDP_ASSIGN_OR_RETURN(outcome.split_off, ViewOf(workspace_id, split.split_off));
  return outcome;
}

std::shared_ptr<const PersonMap> IdentityService::Snapshot(std::string_view workspace_id) const {
  std::lock_guard lock(maps_mu_);
  const auto found = maps_.find(std::string(workspace_id));
  return found == maps_.end() ? EmptyPersonMap() : found->second;
}

Result<std::vector<std::string>> IdentityService::MemberIds(std::string_view workspace_id,
                                                            std::string_view id) const {
  std::shared_lock lock(graph_mu_);
  CDP_RETURN_IF_ERROR(CheckGraphReady(workspace_id));
  std::string through_id(id);
  if (const std::optional<PersonKey> key = ParseProfileId(id); key.has_value()) {
    CDP_ASSIGN_OR_RETURN(std::optional<std::string> profile_id_of, IdOfProfile(workspace_id, *key));
    // A profile id of nobody names no ids (a distinct id that merely looks
    // like a profile id is then taken for one: the price of one namespace).
    if (!profile_id_of.has_value()) return std::vector<std::string>{};
    through_id = std::move(*profile_id_of);
  }
  const auto found = graphs_.find(workspace_id);
  if (found == graphs_.end()) return std::vector<std::string>{through_id};
  return found->second.graph.MembersOf(through_id);
}

Status IdentityService::ScanProfiles(std::string_view workspace_id,
                                     const std::function<bool(const Profile&)>& each) const {
  return store_.ScanProfiles(workspace_id, each);
}

}  // namespace cdp::identity
