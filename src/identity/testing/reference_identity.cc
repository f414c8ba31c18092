#include "identity/testing/reference_identity.h"

#include <algorithm>
#include <cassert>
#include <deque>

namespace cdp::identity::testing {

std::optional<size_t> ReferenceIdentity::NodeNumber(std::string_view id) const {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i] == id) return i;
  }
  return std::nullopt;
}

void ReferenceIdentity::AddNode(std::string_view id) {
  if (!NodeNumber(id)) nodes_.emplace_back(id);
}

bool ReferenceIdentity::IsNode(std::string_view id) const { return NodeNumber(id).has_value(); }

bool ReferenceIdentity::IsIdentified(std::string_view id) const {
  return identified_.find(id) != identified_.end();
}

std::vector<std::string> ReferenceIdentity::MembersOf(std::string_view id) const {
  // Breadth-first search over the active merges, scanning them all each step.
  std::set<std::string, std::less<>> reached{std::string(id)};
  std::deque<std::string> queue{std::string(id)};
  while (!queue.empty()) {
    const std::string at = queue.front();
    queue.pop_front();
    for (const auto& [seq, edge] : active_merges_) {
      if (edge.first == at && reached.insert(edge.second).second) queue.push_back(edge.second);
      if (edge.second == at && reached.insert(edge.first).second) queue.push_back(edge.first);
    }
  }
  if (!IsNode(id)) return {std::string(id)};  // no node, no merges: alone
  // The reached ids in node order.
  std::vector<std::string> members;
  for (const std::string& node : nodes_) {
    if (reached.count(node)) members.push_back(node);
  }
  return members;
}

std::string ReferenceIdentity::RepresentativeOf(std::string_view id) const {
  return MembersOf(id).front();
}

std::vector<int64_t> ReferenceIdentity::ActiveMergesOf(std::string_view id) const {
  const std::vector<std::string> members = MembersOf(id);
  std::vector<int64_t> merges;
  for (const auto& [seq, edge] : active_merges_) {
    if (std::find(members.begin(), members.end(), edge.first) != members.end()) {
      merges.push_back(seq);
    }
  }
  return merges;
}

std::vector<std::vector<std::string>> ReferenceIdentity::Persons() const {
  std::vector<std::vector<std::string>> persons;
  std::set<std::string> seen;
  for (const std::string& node : nodes_) {
    if (seen.count(node)) continue;
    persons.push_back(MembersOf(node));
    seen.insert(persons.back().begin(), persons.back().end());
  }
  return persons;
}

bool ReferenceIdentity::WasMerged(int64_t link_seq) const {
  for (const ReferenceLink& link : links_) {
    if (link.seq == link_seq) return link.outcome == LinkOutcome::kMerged;
  }
  return false;
}

bool ReferenceIdentity::IsActiveMerge(int64_t link_seq) const {
  return active_merges_.count(link_seq) > 0;
}

std::vector<int64_t> ReferenceIdentity::ActiveMerges() const {
  std::vector<int64_t> seqs;
  for (const auto& [seq, edge] : active_merges_) seqs.push_back(seq);
  return seqs;
}

std::vector<Reassignment> ReferenceIdentity::Reassign(const std::vector<std::string>& ids,
                                                      const std::string& representative) const {
  std::vector<Reassignment> reassignments;
  for (const std::string& id : ids) reassignments.push_back({id, representative});
  return reassignments;
}

LinkResult ReferenceIdentity::Link(std::string_view from, std::string_view to, LinkKind kind,
                                   int64_t link_seq) {
  assert(from != to);
  assert(links_.empty() || links_.back().seq < link_seq);
  AddNode(from);
  AddNode(to);
  const std::vector<std::string> from_person = MembersOf(from);
  const std::vector<std::string> to_person = MembersOf(to);
  const bool from_person_identified =
      std::any_of(from_person.begin(), from_person.end(),
                  [&](const std::string& id) { return IsIdentified(id); });

  LinkResult result;
  if (std::find(from_person.begin(), from_person.end(), to) != from_person.end()) {
    result.outcome = LinkOutcome::kSamePerson;
  } else if (from_person_identified && kind != LinkKind::kMergeDangerously) {
    result.outcome = LinkOutcome::kRefusedIdentified;
  } else {
    const bool from_wins = NodeNumber(from_person.front()) < NodeNumber(to_person.front());
    const std::vector<std::string>& winner = from_wins ? from_person : to_person;
    const std::vector<std::string>& loser = from_wins ? to_person : from_person;
    result.outcome = LinkOutcome::kMerged;
    result.winner = winner.front();
    result.loser = loser.front();
    result.moved = Reassign(loser, winner.front());
    active_merges_[link_seq] = {std::string(from), std::string(to)};
  }
  identified_.insert(std::string(to));
  links_.push_back({.seq = link_seq,
                    .from = std::string(from),
                    .to = std::string(to),
                    .kind = kind,
                    .outcome = result.outcome,
                    .undone = false});
  return result;
}

std::optional<UnmergeResult> ReferenceIdentity::Unmerge(int64_t link_seq) {
  auto found = active_merges_.find(link_seq);
  if (found == active_merges_.end()) return std::nullopt;
  const auto [from, to] = found->second;
  const std::string representative = RepresentativeOf(from);
  active_merges_.erase(found);
  for (ReferenceLink& link : links_) {
    if (link.seq == link_seq) link.undone = true;
  }
  const std::vector<std::string> from_side = MembersOf(from);
  const std::vector<std::string> to_side = MembersOf(to);
  const bool from_side_kept =
      std::find(from_side.begin(), from_side.end(), representative) != from_side.end();
  const std::vector<std::string>& kept = from_side_kept ? from_side : to_side;
  const std::vector<std::string>& split_off = from_side_kept ? to_side : from_side;
  UnmergeResult result;
  result.kept = kept.front();
  result.split_off = split_off.front();
  result.moved = Reassign(split_off, split_off.front());
  return result;
}

}  // namespace cdp::identity::testing
