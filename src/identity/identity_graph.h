#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/result.h"

namespace cdp::identity {

// How a link between two ids was requested.
enum class LinkKind {
  kIdentify,          // identify / $identify: anonymous id -> user id
  kAlias,             // alias / $create_alias: previous id -> user id
  kMergeDangerously,  // alias or $merge_dangerously with the explicit flag
};
std::string_view LinkKindName(LinkKind kind);  // "identify", "alias", "merge_dangerously"
std::optional<LinkKind> ParseLinkKind(std::string_view name);

enum class LinkOutcome {
  kMerged,             // two persons became one
  kSamePerson,         // the ids were already one person: nothing changed
  kRefusedIdentified,  // the `from` person is already identified (see Link)
};
std::string_view LinkOutcomeName(
    LinkOutcome outcome);  // "merged", "same_person", "refused_identified"
std::optional<LinkOutcome> ParseLinkOutcome(std::string_view name);

// An id whose person changed, and the representative of its new person.
struct Reassignment {
  std::string id;
  std::string representative;
  friend bool operator==(const Reassignment&, const Reassignment&) = default;
};

struct LinkResult {
  LinkOutcome outcome = LinkOutcome::kSamePerson;
  // kMerged only: the two persons' representatives before the merge (the
  // winner's stays the merged person's) and the ids that moved (every id of
  // the loser, by sequence number: so the loser's representative first).
  std::string winner;
  std::string loser;
  std::vector<Reassignment> moved;
};

struct UnmergeResult {
  // The representatives of the two persons the merge is split back into:
  // the one that keeps the person's representative, and the other.
  std::string kept;
  std::string split_off;
  // Every id whose representative changed: the ids of the split-off person,
  // by sequence number (so `split_off` first). The kept person's ids keep
  // their representative.
  std::vector<Reassignment> moved;
};

// One workspace's identity graph (ARCHITECTURE.md: identity stitching): a
// union-find over the ids that identify and alias requests link.
//
// Nodes are created, in order, the first time an id appears in a link (the
// `from` id before the `to` id); the order is each node's sequence number. A
// person is a connected set of nodes under the active merges, and its
// representative is its node with the smallest sequence number: so a visitor
// who signs up keeps the person (and the profile id) their anonymous id had.
// Ids that never appear in a link are not nodes: each is its own person.
//
// An id is identified once it has been the `to` (user) side of any link,
// whatever the link's outcome: a refused link still marks its `to`, since the
// user did identify as that id. The safeguard of PostHog's users: a link
// merges the two persons unless the `from` person is already identified
// (checked before the link marks its `to`: two identified users are never
// merged by accident, as when a second user logs in on a shared device),
// except for kMergeDangerously, which always merges.
//
// Every merge is an edge named by the caller's link sequence number; the
// active edges form a forest, so undoing one (Unmerge) splits its person into
// exactly two.
//
// Costs: Link relabels the smaller person (O(log n) relabelings per id over
// any run of merges) and lists the loser's ids (O(k log k) for k of them);
// Unmerge is O(the person's ids and merges); RepresentativeOf is O(1),
// MembersOf O(size log size).
//
// Movable, not copyable (it holds pointers into its own id table). Not
// thread-safe: the identity service serializes access.
class IdentityGraph {
 public:
  IdentityGraph() = default;
  IdentityGraph(const IdentityGraph&) = delete;
  IdentityGraph& operator=(const IdentityGraph&) = delete;
  IdentityGraph(IdentityGraph&&) = default;
  IdentityGraph& operator=(IdentityGraph&&) = default;

  // Applies a link request numbered `link_seq` (increasing across calls, and
  // after those Replay was given). Creates the nodes of new ids and marks `to`
  // identified whatever the outcome.
  // REQUIRES: from and to are legal ids (IsLegalDistinctId) and differ.
  LinkResult Link(std::string_view from, std::string_view to, LinkKind kind, int64_t link_seq);

  // Splits the person of the active merge made by `link_seq` back into the
  // two sides of that merge. NotFound (field "merge_id") when `link_seq` made
  // no merge or its merge was already undone.
  Result<UnmergeResult> Unmerge(int64_t link_seq);

  // Rebuilds a graph from its recorded links, in link_seq order: the nodes
  // they created, the identified ids, and the unions of the merges that are
  // still active (`merged` true) without the safeguard checks, which were made
  // when the links were first applied. Node numbers, identified ids and
  // persons come out as the original Link calls left them (the undone merges
  // are simply not replayed). A `merged` link whose ids are already one person
  // (records that cannot come from Link) is kept as a non-merge, so the merges
  // stay a forest.
  void Replay(std::string_view from, std::string_view to, int64_t link_seq, bool merged);

  // The representative of the person `id` belongs to (`id` itself when it is
  // not a node).
  std::string_view RepresentativeOf(std::string_view id) const;
  // The ids of that person by sequence number, so the representative first
  // ({id} when it is not a node).
  std::vector<std::string> MembersOf(std::string_view id) const;
  bool IsIdentified(std::string_view id) const;
  bool IsNode(std::string_view id) const;
  size_t node_count() const;
  // The link_seq of every active merge whose two ends are ids of `id`'s
  // person, in increasing order.
  std::vector<int64_t> ActiveMergesOf(std::string_view id) const;

 private:
  // A node's number: its position in the order of first appearance.
  using Node = uint32_t;

  // A person's state, kept at its root: one of its nodes, chosen for storage
  // only (the representative is a different notion). Empty at other nodes.
  struct Person {
    Node representative = 0;          // the smallest node number
    uint32_t identified_members = 0;  // > 0: the person is identified
    std::vector<Node> members;        // in no particular order
    std::vector<int64_t> merges;      // link_seq of its active merges, unordered
  };
  // The two ids of an active merge, as the link named them.
  struct MergeEdge {
    Node from = 0;
    Node to = 0;
  };
  // Lets node_of_ be searched by string_view without building a string.
  struct IdHash {
    using is_transparent = void;
    size_t operator()(std::string_view id) const { return std::hash<std::string_view>{}(id); }
  };

  // The node of `id`, created (numbered next) when it has none.
  Node NodeOf(std::string_view id);
  std::optional<Node> FindNode(std::string_view id) const;
  void MarkIdentified(Node node);
  // Joins the persons of `from` and `to` (distinct) by the merge `link_seq`.
  void Union(Node from, Node to, int64_t link_seq);
  // `nodes` by node number, each with the id of `representative`.
  std::vector<Reassignment> ReassignmentsOf(std::vector<Node> nodes, Node representative) const;

  // Every id exactly once: id -> node, and node -> the id (a key of node_of_,
  // whose nodes never move).
  std::unordered_map<std::string, Node, IdHash, std::equal_to<>> node_of_;
  std::vector<const std::string*> id_of_;
  std::vector<uint8_t> identified_;                       // by node: was the `to` of a link
  std::vector<Node> root_of_;                             // by node: the root of its person
  std::vector<Person> persons_;                           // by node: the person rooted there
  std::unordered_map<int64_t, MergeEdge> active_merges_;  // by link_seq
  // Unmerge's scratch, by node: its index in the person being split.
  std::vector<uint32_t> local_index_;
  int64_t last_link_seq_ = INT64_MIN;  // checks that link_seq increases
};

// Whether `id` may take part in a link: not empty, not only whitespace, and
// not one of the placeholder values clients send by mistake ("anonymous",
// "guest", "distinct_id", "distinctid", "id", "not_authenticated", "email",
// "undefined", "null", "0", "true", "false", "[object Object]", "nan",
// "none"; compared without case and surrounding whitespace). A link with an
// illegal id would merge every visitor who sent the same placeholder.
bool IsLegalDistinctId(std::string_view id);

}  // namespace cdp::identity
