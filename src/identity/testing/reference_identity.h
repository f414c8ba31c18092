#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "identity/identity_graph.h"

namespace cdp::identity::testing {

// One link request as the model applied it: what the identity service
// records, and what IdentityGraph::Replay is given at start.
struct ReferenceLink {
  int64_t seq = 0;
  std::string from;
  std::string to;
  LinkKind kind = LinkKind::kIdentify;
  LinkOutcome outcome = LinkOutcome::kSamePerson;
  bool undone = false;  // outcome kMerged only: an Unmerge undid it
  // Replay's `merged`: the link merged and its merge is still active.
  bool active() const { return outcome == LinkOutcome::kMerged && !undone; }
};

// The identity graph's rules (identity_graph.h) written as plainly as
// possible, to check IdentityGraph and the identity service against: the
// state is the list of nodes in order of first appearance, the set of
// identified ids and the set of active merge edges; persons are the
// connected components of those edges, found by breadth-first search from
// scratch at every question; a representative is the member that appears
// first in the node list. No union-find, no incremental bookkeeping.
//
// Answers are ordered as IdentityGraph documents them: members and moved ids
// by node number (so the representative first), merges by seq. Slow (each
// question walks the whole edge set): meant for small histories.
class ReferenceIdentity {
 public:
  // IdentityGraph::Link. REQUIRES: from != to, link_seq increasing.
  LinkResult Link(std::string_view from, std::string_view to, LinkKind kind, int64_t link_seq);
  // IdentityGraph::Unmerge; nullopt where the graph answers NotFound.
  std::optional<UnmergeResult> Unmerge(int64_t link_seq);

  std::string RepresentativeOf(std::string_view id) const;
  // {id} when `id` is not a node.
  std::vector<std::string> MembersOf(std::string_view id) const;
  bool IsIdentified(std::string_view id) const;
  bool IsNode(std::string_view id) const;
  // The seqs of the active merges within `id`'s person.
  std::vector<int64_t> ActiveMergesOf(std::string_view id) const;
  // Every person with at least one node, each by node number, the persons by
  // their representative's node number: the whole partition at once.
  std::vector<std::vector<std::string>> Persons() const;

  // Whether `link_seq` merged (undone or not), and whether it is active.
  bool WasMerged(int64_t link_seq) const;
  bool IsActiveMerge(int64_t link_seq) const;
  // The seqs of every active merge, increasing.
  std::vector<int64_t> ActiveMerges() const;

  // The ids in order of first appearance: an id's node number is its index.
  const std::vector<std::string>& nodes() const { return nodes_; }
  // Every link applied, in order.
  const std::vector<ReferenceLink>& links() const { return links_; }

 private:
  // Position of `id` in nodes_; nullopt when it is not a node.
  std::optional<size_t> NodeNumber(std::string_view id) const;
  void AddNode(std::string_view id);
  std::vector<Reassignment> Reassign(const std::vector<std::string>& ids,
                                     const std::string& representative) const;

  std::vector<std::string> nodes_;
  std::set<std::string, std::less<>> identified_;
  std::map<int64_t, std::pair<std::string, std::string>> active_merges_;  // seq -> (from, to)
  std::vector<ReferenceLink> links_;
};

}  // namespace cdp::identity::testing
