#include "identity/identity_graph.h"

#include <algorithm>
#include <cassert>

namespace cdp::identity {

std::string_view LinkKindName(LinkKind kind) {
  switch (kind) {
    case LinkKind::kIdentify:
      return "identify";
    case LinkKind::kAlias:
      return "alias";
    case LinkKind::kMergeDangerously:
      return "merge_dangerously";
  }
  return "identify";
}

std::optional<LinkKind> ParseLinkKind(std::string_view name) {
  for (LinkKind kind : {LinkKind::kIdentify, LinkKind::kAlias, LinkKind::kMergeDangerously}) {
    if (LinkKindName(kind) == name) return kind;
  }
  return std::nullopt;
}

std::string_view LinkOutcomeName(LinkOutcome outcome) {
  switch (outcome) {
    case LinkOutcome::kMerged:
      return "merged";
    case LinkOutcome::kSamePerson:
      return "same_person";
    case LinkOutcome::kRefusedIdentified:
      return "refused_identified";
  }
  return "same_person";
}

std::optional<LinkOutcome> ParseLinkOutcome(std::string_view name) {
  for (LinkOutcome outcome :
       {LinkOutcome::kMerged, LinkOutcome::kSamePerson, LinkOutcome::kRefusedIdentified}) {
    if (LinkOutcomeName(outcome) == name) return outcome;
  }
  return std::nullopt;
}

IdentityGraph::Node IdentityGraph::NodeOf(std::string_view id) {
  if (std::optional<Node> found = FindNode(id)) return *found;
  const Node node = static_cast<Node>(id_of_.size());
  auto [entry, inserted] = node_of_.emplace(std::string(id), node);
  assert(inserted);
  id_of_.push_back(&entry->first);
  identified_.push_back(0);
  root_of_.push_back(node);
  Person& person = persons_.emplace_back();
  person.representative = node;
  person.members.push_back(node);
  local_index_.push_back(0);
  return node;
}

std::optional<IdentityGraph::Node> IdentityGraph::FindNode(std::string_view id) const {
  auto found = node_of_.find(id);
  if (found == node_of_.end()) return std::nullopt;
  return found->second;
}

void IdentityGraph::MarkIdentified(Node node) {
  if (identified_[node]) return;
  identified_[node] = 1;
  ++persons_[root_of_[node]].identified_members;
}

void IdentityGraph::Union(Node from, Node to, int64_t link_seq) {
  Node big = root_of_[from];
  Node small = root_of_[to];
  assert(big != small);
  // Relabel the smaller person: each id moves O(log n) times over any history
  // of merges alone.
  if (persons_[big].members.size() < persons_[small].members.size()) std::swap(big, small);
  Person& into = persons_[big];
  Person absorbed = std::move(persons_[small]);
  persons_[small] = Person{};
  for (Node member : absorbed.members) root_of_[member] = big;
  into.members.insert(into.members.end(), absorbed.members.begin(), absorbed.members.end());
  into.merges.insert(into.merges.end(), absorbed.merges.begin(), absorbed.merges.end());
  into.merges.push_back(link_seq);
  into.representative = std::min(into.representative, absorbed.representative);
  into.identified_members += absorbed.identified_members;
  active_merges_.emplace(link_seq, MergeEdge{from, to});
}

std::vector<Reassignment> IdentityGraph::ReassignmentsOf(std::vector<Node> nodes,
                                                         Node representative) const {
  std::sort(nodes.begin(), nodes.end());
  std::vector<Reassignment> reassignments;
  reassignments.reserve(nodes.size());
  for (Node node : nodes) reassignments.push_back({*id_of_[node], *id_of_[representative]});
  return reassignments;
}

LinkResult IdentityGraph::Link(std::string_view from, std::string_view to, LinkKind kind,
                               int64_t link_seq) {
  assert(from != to);
  assert(link_seq > last_link_seq_);
  last_link_seq_ = link_seq;
  const Node from_node = NodeOf(from);
  const Node to_node = NodeOf(to);
  const Node from_root = root_of_[from_node];
  const Node to_root = root_of_[to_node];

  LinkResult result;
  if (from_root == to_root) {
    result.outcome = LinkOutcome::kSamePerson;
  } else if (persons_[from_root].identified_members > 0 && kind != LinkKind::kMergeDangerously) {
    // Checked before this link marks `to`: it is the `from` person's own
    // history that says it is already someone.
    result.outcome = LinkOutcome::kRefusedIdentified;
  } else {
    const Person& from_person = persons_[from_root];
    const Person& to_person = persons_[to_root];
    const bool from_wins = from_person.representative < to_person.representative;
    const Person& winner = from_wins ? from_person : to_person;
    const Person& loser = from_wins ? to_person : from_person;
    result.outcome = LinkOutcome::kMerged;
    result.winner = *id_of_[winner.representative];
    result.loser = *id_of_[loser.representative];
    result.moved = ReassignmentsOf(loser.members, winner.representative);
    Union(from_node, to_node, link_seq);
  }
  MarkIdentified(to_node);
  return result;
}

void IdentityGraph::Replay(std::string_view from, std::string_view to, int64_t link_seq,
                           bool merged) {
  assert(from != to);
  assert(link_seq > last_link_seq_);
  last_link_seq_ = link_seq;
  const Node from_node = NodeOf(from);
  const Node to_node = NodeOf(to);
  // Already one person: only inconsistent records get here, and joining them
  // again would put a cycle in the forest Unmerge relies on.
  if (merged && root_of_[from_node] != root_of_[to_node]) Union(from_node, to_node, link_seq);
  MarkIdentified(to_node);
}

Result<UnmergeResult> IdentityGraph::Unmerge(int64_t link_seq) {
  auto found = active_merges_.find(link_seq);
  if (found == active_merges_.end()) {
    return Status::NotFound("no active merge with this id").WithField("merge_id");
  }
  const MergeEdge cut = found->second;
  active_merges_.erase(found);
  const Node root = root_of_[cut.from];
  Person person = std::move(persons_[root]);
  persons_[root] = Person{};
  auto merge = std::find(person.merges.begin(), person.merges.end(), link_seq);
  assert(merge != person.merges.end());
  person.merges.erase(merge);

  // The person's remaining merges as an adjacency list over local indices.
  const std::vector<Node>& members = person.members;
  const size_t size = members.size();
  for (size_t i = 0; i < size; ++i) local_index_[members[i]] = static_cast<uint32_t>(i);
  std::vector<uint32_t> offsets(size + 1, 0);
  for (int64_t seq : person.merges) {
    const MergeEdge& edge = active_merges_.at(seq);
    ++offsets[local_index_[edge.from] + 1];
    ++offsets[local_index_[edge.to] + 1];
  }
  for (size_t i = 0; i < size; ++i) offsets[i + 1] += offsets[i];
  std::vector<uint32_t> neighbours(offsets[size]);
  std::vector<uint32_t> fill(offsets.begin(), offsets.end() - 1);
  for (int64_t seq : person.merges) {
    const MergeEdge& edge = active_merges_.at(seq);
    const uint32_t a = local_index_[edge.from];
    const uint32_t b = local_index_[edge.to];
    neighbours[fill[a]++] = b;
    neighbours[fill[b]++] = a;
  }

  // The merges form a tree over the person, so without the cut edge exactly
  // the ids reachable from its `from` end are one side, the rest the other.
  std::vector<uint8_t> on_from_side(size, 0);
  std::vector<uint32_t> queue{local_index_[cut.from]};
  on_from_side[queue.front()] = 1;
  for (size_t head = 0; head < queue.size(); ++head) {
    const uint32_t at = queue[head];
    for (uint32_t i = offsets[at]; i < offsets[at + 1]; ++i) {
      if (!on_from_side[neighbours[i]]) {
        on_from_side[neighbours[i]] = 1;
        queue.push_back(neighbours[i]);
      }
    }
  }
  assert(!on_from_side[local_index_[cut.to]]);

  // sides[1]: the `from` side, sides[0]: the `to` side.
  Person sides[2];
  for (size_t i = 0; i < size; ++i) {
    Person& side = sides[on_from_side[i]];
    const Node member = members[i];
    if (side.members.empty() || member < side.representative) side.representative = member;
    side.members.push_back(member);
    side.identified_members += identified_[member];
  }
  for (int64_t seq : person.merges) {
    sides[on_from_side[local_index_[active_merges_.at(seq).from]]].merges.push_back(seq);
  }

  // The side holding the root node keeps the root; the other is rooted at its
  // representative (a node that roots nothing, so its slot is free).
  const int rooted_side = on_from_side[local_index_[root]];
  Person& other = sides[1 - rooted_side];
  const Node other_root = other.representative;
  for (Node member : other.members) root_of_[member] = other_root;

  const int kept_side = on_from_side[local_index_[person.representative]];
  UnmergeResult result;
  result.kept = *id_of_[person.representative];
  result.split_off = *id_of_[sides[1 - kept_side].representative];
  result.moved = ReassignmentsOf(sides[1 - kept_side].members, sides[1 - kept_side].representative);

  persons_[other_root] = std::move(other);
  persons_[root] = std::move(sides[rooted_side]);
  return result;
}

std::string_view IdentityGraph::RepresentativeOf(std::string_view id) const {
  std::optional<Node> node = FindNode(id);
  if (!node) return id;
  return *id_of_[persons_[root_of_[*node]].representative];
}

std::vector<std::string> IdentityGraph::MembersOf(std::string_view id) const {
  std::optional<Node> node = FindNode(id);
  if (!node) return {std::string(id)};
  std::vector<Node> members = persons_[root_of_[*node]].members;
  std::sort(members.begin(), members.end());
  std::vector<std::string> ids;
  ids.reserve(members.size());
  for (Node member : members) ids.push_back(*id_of_[member]);
  return ids;
}

bool IdentityGraph::IsIdentified(std::string_view id) const {
  std::optional<Node> node = FindNode(id);
  return node && identified_[*node];
}

bool IdentityGraph::IsNode(std::string_view id) const { return FindNode(id).has_value(); }

size_t IdentityGraph::node_count() const { return id_of_.size(); }

std::vector<int64_t> IdentityGraph::ActiveMergesOf(std::string_view id) const {
  std::optional<Node> node = FindNode(id);
  if (!node) return {};
  std::vector<int64_t> merges = persons_[root_of_[*node]].merges;
  std::sort(merges.begin(), merges.end());
  return merges;
}

}  // namespace cdp::identity
