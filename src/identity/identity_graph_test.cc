#include "identity/identity_graph.h"

#include <gtest/gtest.h>

#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "identity/testing/reference_identity.h"

namespace cdp::identity {
namespace {

using testing::ReferenceIdentity;
using testing::ReferenceLink;

std::vector<Reassignment> Moves(std::vector<std::string> ids, const std::string& representative) {
  std::vector<Reassignment> moves;
  for (std::string& id : ids) moves.push_back({std::move(id), representative});
  return moves;
}

TEST(LinkNamesTest, KindsAndOutcomesRoundTripThroughTheirNames) {
  for (LinkKind kind : {LinkKind::kIdentify, LinkKind::kAlias, LinkKind::kMergeDangerously}) {
    EXPECT_EQ(ParseLinkKind(LinkKindName(kind)), kind);
  }
  for (LinkOutcome outcome :
       {LinkOutcome::kMerged, LinkOutcome::kSamePerson, LinkOutcome::kRefusedIdentified}) {
    EXPECT_EQ(ParseLinkOutcome(LinkOutcomeName(outcome)), outcome);
  }
  EXPECT_EQ(LinkKindName(LinkKind::kMergeDangerously), "merge_dangerously");
  EXPECT_EQ(LinkOutcomeName(LinkOutcome::kRefusedIdentified), "refused_identified");
  EXPECT_EQ(ParseLinkKind("Identify"), std::nullopt);
  EXPECT_EQ(ParseLinkKind(""), std::nullopt);
  EXPECT_EQ(ParseLinkOutcome("merge"), std::nullopt);
}

TEST(IdentityGraphTest, AnIdNoLinkTouchedIsItsOwnPerson) {
  IdentityGraph graph;
  EXPECT_FALSE(graph.IsNode("a"));
  EXPECT_FALSE(graph.IsIdentified("a"));
  EXPECT_EQ(graph.RepresentativeOf("a"), "a");
  EXPECT_EQ(graph.MembersOf("a"), std::vector<std::string>{"a"});
  EXPECT_TRUE(graph.ActiveMergesOf("a").empty());
  EXPECT_EQ(graph.node_count(), 0u);
}

TEST(IdentityGraphTest, AnonymousToUserMergeKeepsTheAnonymousRepresentative) {
  IdentityGraph graph;
  LinkResult result = graph.Link("anon-1", "user-1", LinkKind::kIdentify, 1);
  EXPECT_EQ(result.outcome, LinkOutcome::kMerged);
  EXPECT_EQ(result.winner, "anon-1");
  EXPECT_EQ(result.loser, "user-1");
  EXPECT_EQ(result.moved, Moves({"user-1"}, "anon-1"));
  EXPECT_EQ(graph.RepresentativeOf("user-1"), "anon-1");
  EXPECT_EQ(graph.RepresentativeOf("anon-1"), "anon-1");
  EXPECT_EQ(graph.MembersOf("user-1"), (std::vector<std::string>{"anon-1", "user-1"}));
  EXPECT_TRUE(graph.IsIdentified("user-1"));
  EXPECT_FALSE(graph.IsIdentified("anon-1"));
  EXPECT_EQ(graph.ActiveMergesOf("anon-1"), std::vector<int64_t>{1});
  EXPECT_EQ(graph.node_count(), 2u);

  // Asking again changes nothing.
  result = graph.Link("anon-1", "user-1", LinkKind::kIdentify, 2);
  EXPECT_EQ(result.outcome, LinkOutcome::kSamePerson);
  EXPECT_TRUE(result.moved.empty());
  EXPECT_EQ(graph.ActiveMergesOf("anon-1"), std::vector<int64_t>{1});
}

TEST(IdentityGraphTest, ASecondDeviceJoinsThePerson) {
  IdentityGraph graph;
  ASSERT_EQ(graph.Link("laptop", "user-1", LinkKind::kIdentify, 1).outcome, LinkOutcome::kMerged);
  const LinkResult result = graph.Link("phone", "user-1", LinkKind::kIdentify, 2);
  EXPECT_EQ(result.outcome, LinkOutcome::kMerged);
  EXPECT_EQ(result.winner, "laptop");
  EXPECT_EQ(result.loser, "phone");
  EXPECT_EQ(result.moved, Moves({"phone"}, "laptop"));
  EXPECT_EQ(graph.MembersOf("phone"), (std::vector<std::string>{"laptop", "user-1", "phone"}));
  EXPECT_EQ(graph.ActiveMergesOf("user-1"), (std::vector<int64_t>{1, 2}));
}

TEST(IdentityGraphTest, ASecondUserOnASharedDeviceIsRefused) {
  IdentityGraph graph;
  ASSERT_EQ(graph.Link("shared", "alice", LinkKind::kIdentify, 1).outcome, LinkOutcome::kMerged);
  const LinkResult result = graph.Link("shared", "bob", LinkKind::kIdentify, 2);
  EXPECT_EQ(result.outcome, LinkOutcome::kRefusedIdentified);
  EXPECT_TRUE(result.winner.empty());
  EXPECT_TRUE(result.moved.empty());
  EXPECT_EQ(graph.RepresentativeOf("bob"), "bob");
  EXPECT_EQ(graph.MembersOf("shared"), (std::vector<std::string>{"shared", "alice"}));
  // bob did identify, so bob's own person now refuses links from it too.
  EXPECT_TRUE(graph.IsNode("bob"));
  EXPECT_TRUE(graph.IsIdentified("bob"));
  EXPECT_EQ(graph.Link("bob", "carol", LinkKind::kAlias, 3).outcome,
            LinkOutcome::kRefusedIdentified);
  // An alias from a fresh anonymous id into alice's person still merges.
  EXPECT_EQ(graph.Link("tablet", "alice", LinkKind::kAlias, 4).outcome, LinkOutcome::kMerged);
}

TEST(IdentityGraphTest, TheSafeguardLooksAtTheFromPersonBeforeTheLinkMarksItsTo) {
  IdentityGraph graph;
  // x is not identified yet: the link merges, and only then is y identified.
  EXPECT_EQ(graph.Link("x", "y", LinkKind::kIdentify, 1).outcome, LinkOutcome::kMerged);
  // A person is identified through any member: y makes {x, y} identified.
  EXPECT_EQ(graph.Link("x", "z", LinkKind::kIdentify, 2).outcome, LinkOutcome::kRefusedIdentified);
  // The `to` person may be identified: it is the `from` person that counts.
  EXPECT_EQ(graph.Link("w", "x", LinkKind::kIdentify, 3).outcome, LinkOutcome::kMerged);
  EXPECT_EQ(graph.RepresentativeOf("w"), "x");
}

TEST(IdentityGraphTest, MergeDangerouslyMergesTwoIdentifiedUsers) {
  IdentityGraph graph;
  ASSERT_EQ(graph.Link("anon-a", "alice", LinkKind::kIdentify, 1).outcome, LinkOutcome::kMerged);
  ASSERT_EQ(graph.Link("anon-b", "bob", LinkKind::kIdentify, 2).outcome, LinkOutcome::kMerged);
  ASSERT_EQ(graph.Link("bob", "alice", LinkKind::kAlias, 3).outcome,
            LinkOutcome::kRefusedIdentified);
  const LinkResult result = graph.Link("bob", "alice", LinkKind::kMergeDangerously, 4);
  EXPECT_EQ(result.outcome, LinkOutcome::kMerged);
  EXPECT_EQ(result.winner, "anon-a");
  EXPECT_EQ(result.loser, "anon-b");
  EXPECT_EQ(result.moved, Moves({"anon-b", "bob"}, "anon-a"));
  EXPECT_EQ(graph.MembersOf("bob"), (std::vector<std::string>{"anon-a", "alice", "anon-b", "bob"}));
  EXPECT_EQ(graph.ActiveMergesOf("alice"), (std::vector<int64_t>{1, 2, 4}));
}

TEST(IdentityGraphTest, UnmergeRestoresBothSidesAndTheirRepresentatives) {
  IdentityGraph graph;
  graph.Link("anon-a", "alice", LinkKind::kIdentify, 1);
  graph.Link("anon-b", "bob", LinkKind::kIdentify, 2);
  graph.Link("bob", "alice", LinkKind::kMergeDangerously, 3);
  Result<UnmergeResult> result = graph.Unmerge(3);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->kept, "anon-a");
  EXPECT_EQ(result->split_off, "anon-b");
  EXPECT_EQ(result->moved, Moves({"anon-b", "bob"}, "anon-b"));
  EXPECT_EQ(graph.MembersOf("alice"), (std::vector<std::string>{"anon-a", "alice"}));
  EXPECT_EQ(graph.MembersOf("bob"), (std::vector<std::string>{"anon-b", "bob"}));
  EXPECT_EQ(graph.ActiveMergesOf("alice"), std::vector<int64_t>{1});
  EXPECT_EQ(graph.ActiveMergesOf("bob"), std::vector<int64_t>{2});
  // Identified flags stay: the merge can only be made again dangerously.
  EXPECT_EQ(graph.Link("bob", "alice", LinkKind::kAlias, 4).outcome,
            LinkOutcome::kRefusedIdentified);

  // The side that keeps the representative is "kept", whichever end it is.
  result = graph.Unmerge(1);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->kept, "anon-a");
  EXPECT_EQ(result->split_off, "alice");
  EXPECT_EQ(result->moved, Moves({"alice"}, "alice"));
  EXPECT_EQ(graph.RepresentativeOf("alice"), "alice");
  EXPECT_TRUE(graph.ActiveMergesOf("alice").empty());
}

TEST(IdentityGraphTest, UnmergeOfAMergeThatIsNotActiveIsNotFound) {
  IdentityGraph graph;
  graph.Link("a", "b", LinkKind::kIdentify, 1);
  graph.Link("a", "c", LinkKind::kIdentify, 2);  // refused
  ASSERT_TRUE(graph.Unmerge(1).ok());
  for (int64_t seq : {1, 2, 3, 0, -1}) {
    Result<UnmergeResult> result = graph.Unmerge(seq);
    ASSERT_FALSE(result.ok()) << seq;
    EXPECT_EQ(result.status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(result.status().field(), "merge_id");
  }
  EXPECT_EQ(graph.RepresentativeOf("b"), "b");
}

TEST(IdentityGraphTest, UnmergeInTheMiddleOfAChainSplitsItInTwo) {
  IdentityGraph graph;
  // Edges A-B (1), C-B (2), D-C (3): a chain A-B-C-D.
  ASSERT_EQ(graph.Link("A", "B", LinkKind::kIdentify, 1).outcome, LinkOutcome::kMerged);
  ASSERT_EQ(graph.Link("C", "B", LinkKind::kAlias, 2).outcome, LinkOutcome::kMerged);
  ASSERT_EQ(graph.Link("D", "C", LinkKind::kAlias, 3).outcome, LinkOutcome::kMerged);
  ASSERT_EQ(graph.MembersOf("D"), (std::vector<std::string>{"A", "B", "C", "D"}));
  Result<UnmergeResult> result = graph.Unmerge(2);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->kept, "A");
  EXPECT_EQ(result->split_off, "C");
  EXPECT_EQ(result->moved, Moves({"C", "D"}, "C"));
  EXPECT_EQ(graph.MembersOf("B"), (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(graph.MembersOf("D"), (std::vector<std::string>{"C", "D"}));
  EXPECT_EQ(graph.ActiveMergesOf("A"), std::vector<int64_t>{1});
  EXPECT_EQ(graph.ActiveMergesOf("D"), std::vector<int64_t>{3});
  // Each half can still be split further.
  ASSERT_TRUE(graph.Unmerge(3).ok());
  EXPECT_EQ(graph.RepresentativeOf("D"), "D");
  EXPECT_EQ(graph.RepresentativeOf("C"), "C");
}

TEST(IdentityGraphTest, ALargePersonMergesAndUnmerges) {
  constexpr int kHalf = 5000;
  IdentityGraph graph;
  int64_t seq = 0;
  // Two stars of kHalf ids each: anonymous ids all identifying as one user.
  for (int i = 0; i < kHalf; ++i) {
    ASSERT_EQ(graph.Link("a" + std::to_string(i), "alice", LinkKind::kIdentify, ++seq).outcome,
              LinkOutcome::kMerged);
  }
  for (int i = 0; i < kHalf - 1; ++i) {
    ASSERT_EQ(graph.Link("b" + std::to_string(i), "bob", LinkKind::kIdentify, ++seq).outcome,
              LinkOutcome::kMerged);
  }
  const int64_t join = ++seq;
  const LinkResult merged = graph.Link("bob", "alice", LinkKind::kMergeDangerously, join);
  ASSERT_EQ(merged.outcome, LinkOutcome::kMerged);
  EXPECT_EQ(merged.winner, "a0");
  EXPECT_EQ(merged.loser, "b0");
  ASSERT_EQ(merged.moved.size(), static_cast<size_t>(kHalf));
  EXPECT_EQ(merged.moved.front(), (Reassignment{"b0", "a0"}));
  EXPECT_EQ(graph.MembersOf("b17").size(), static_cast<size_t>(2 * kHalf + 1));
  EXPECT_EQ(graph.ActiveMergesOf("a3").size(), static_cast<size_t>(2 * kHalf));
  for (int i = 0; i < kHalf - 1; ++i) {
    ASSERT_EQ(graph.RepresentativeOf("b" + std::to_string(i)), "a0");
  }

  const Result<UnmergeResult> split = graph.Unmerge(join);
  ASSERT_TRUE(split.ok());
  EXPECT_EQ(split->kept, "a0");
  EXPECT_EQ(split->split_off, "b0");
  EXPECT_EQ(split->moved.size(), static_cast<size_t>(kHalf));
  for (int i = 0; i < kHalf - 1; ++i) {
    ASSERT_EQ(graph.RepresentativeOf("a" + std::to_string(i)), "a0");
    ASSERT_EQ(graph.RepresentativeOf("b" + std::to_string(i)), "b0");
  }
  EXPECT_EQ(graph.MembersOf("alice").size(), static_cast<size_t>(kHalf + 1));
  EXPECT_EQ(graph.MembersOf("bob").size(), static_cast<size_t>(kHalf));
  EXPECT_EQ(graph.node_count(), static_cast<size_t>(2 * kHalf + 1));

  // Cutting one leaf off the big star moves that id alone.
  const Result<UnmergeResult> leaf = graph.Unmerge(kHalf);
  ASSERT_TRUE(leaf.ok());
  EXPECT_EQ(leaf->moved, Moves({"a" + std::to_string(kHalf - 1)}, "a" + std::to_string(kHalf - 1)));
}

// ---------------------------------------------------------------------------
// Randomized histories checked against the reference model after every step.

struct HistoryShape {
  uint64_t seed;
  int anonymous_ids;      // at the start
  int user_ids;           // at the start
  int new_id_percent;     // of identify links, from an anonymous id never seen before
  int max_anonymous_ids;  // no new ones past this: the pool stays small
  int ops;
};

void PrintTo(const HistoryShape& shape, std::ostream* out) {
  *out << "seed " << shape.seed << ", " << shape.anonymous_ids << " anonymous and "
       << shape.user_ids << " user ids, " << shape.ops << " steps";
}

// A random mix of identify, alias and merge_dangerously links and unmerges
// (of active merges, of undone ones, of links that merged nothing) over small
// id pools, so that links keep colliding with persons already built. New
// anonymous ids keep arriving, as visitors do, so that merges stay common
// after the first users are identified.
class RandomHistory {
 public:
  explicit RandomHistory(const HistoryShape& shape) : shape_(shape), random_(shape.seed) {
    for (int i = 0; i < shape.anonymous_ids; ++i) anonymous_.push_back(NewId("anon"));
    for (int i = 0; i < shape.user_ids; ++i) users_.push_back(NewId("user"));
  }

  // Every id the history used or may use.
  const std::vector<std::string>& ids() const { return all_; }

  // One random step applied to both; false (with test failures) on the first
  // disagreement.
  bool Step(IdentityGraph& graph, ReferenceIdentity& model) {
    const uint64_t roll = random_() % 100;
    if (roll < 20) return Unmerge(graph, model);
    LinkKind kind = LinkKind::kIdentify;
    std::string from, to;
    if (roll < 60) {
      const bool new_visitor = static_cast<int>(random_() % 100) < shape_.new_id_percent &&
                               anonymous_.size() < static_cast<size_t>(shape_.max_anonymous_ids);
      if (new_visitor) anonymous_.push_back(NewId("anon"));
      from = new_visitor ? anonymous_.back() : Pick(anonymous_);
      to = Pick(users_);
    } else if (roll < 82) {
      kind = LinkKind::kAlias;
      from = Pick(all_);
      to = Pick(users_);
    } else {
      kind = LinkKind::kMergeDangerously;
      from = Pick(all_);
      to = Pick(all_);
    }
    if (from == to) return true;
    const int64_t seq = ++link_seq_;
    const LinkResult expected = model.Link(from, to, kind, seq);
    const LinkResult actual = graph.Link(from, to, kind, seq);
    SCOPED_TRACE("link " + std::to_string(seq) + " " + from + " -> " + to + " (" +
                 std::string(LinkKindName(kind)) + ")");
    EXPECT_EQ(actual.outcome, expected.outcome);
    EXPECT_EQ(actual.winner, expected.winner);
    EXPECT_EQ(actual.loser, expected.loser);
    EXPECT_EQ(actual.moved, expected.moved);
    return !::testing::Test::HasFailure();
  }

 private:
  bool Unmerge(IdentityGraph& graph, ReferenceIdentity& model) {
    int64_t seq;
    const std::vector<int64_t> active = model.ActiveMerges();
    const uint64_t roll = random_() % 100;
    if (roll < 60 && !active.empty()) {
      seq = active[random_() % active.size()];
    } else if (roll < 95 && link_seq_ > 0) {
      seq = 1 + static_cast<int64_t>(random_() % link_seq_);  // often undone or no merge
    } else {
      seq = link_seq_ + 1;  // not made yet
    }
    const std::optional<UnmergeResult> expected = model.Unmerge(seq);
    const Result<UnmergeResult> actual = graph.Unmerge(seq);
    SCOPED_TRACE("unmerge " + std::to_string(seq));
    EXPECT_EQ(actual.ok(), expected.has_value());
    if (actual.ok() && expected) {
      EXPECT_EQ(actual->kept, expected->kept);
      EXPECT_EQ(actual->split_off, expected->split_off);
      EXPECT_EQ(actual->moved, expected->moved);
    } else if (!actual.ok()) {
      EXPECT_EQ(actual.status().code(), ErrorCode::kNotFound);
      EXPECT_EQ(actual.status().field(), "merge_id");
    }
    return !::testing::Test::HasFailure();
  }

  std::string NewId(std::string_view prefix) {
    all_.push_back(std::string(prefix) + std::to_string(all_.size()));
    return all_.back();
  }

  const std::string& Pick(const std::vector<std::string>& ids) {
    return ids[random_() % ids.size()];
  }

  HistoryShape shape_;
  std::mt19937_64 random_;
  std::vector<std::string> anonymous_;
  std::vector<std::string> users_;
  std::vector<std::string> all_;
  int64_t link_seq_ = 0;
};

// Every id's person as the model has it, and every question the graph answers.
bool ExpectSameState(const IdentityGraph& graph, const ReferenceIdentity& model,
                     const std::vector<std::string>& ids) {
  EXPECT_EQ(graph.node_count(), model.nodes().size());
  for (const std::vector<std::string>& person : model.Persons()) {
    const std::vector<int64_t> merges = model.ActiveMergesOf(person.front());
    for (const std::string& id : person) {
      SCOPED_TRACE("id " + id);
      EXPECT_EQ(graph.RepresentativeOf(id), person.front());
      EXPECT_EQ(graph.MembersOf(id), person);
      EXPECT_EQ(graph.ActiveMergesOf(id), merges);
    }
  }
  for (const std::string& id : ids) {
    SCOPED_TRACE("id " + id);
    EXPECT_EQ(graph.IsNode(id), model.IsNode(id));
    EXPECT_EQ(graph.IsIdentified(id), model.IsIdentified(id));
    if (!model.IsNode(id)) {
      EXPECT_EQ(graph.RepresentativeOf(id), id);
      EXPECT_EQ(graph.MembersOf(id), std::vector<std::string>{id});
    }
  }
  return !::testing::Test::HasFailure();
}

// The graph rebuilt from the model's record of links, as at a restart.
void ReplayInto(IdentityGraph& graph, const ReferenceIdentity& model) {
  for (const ReferenceLink& link : model.links()) {
    graph.Replay(link.from, link.to, link.seq, link.active());
  }
}

class RandomHistoryTest : public ::testing::TestWithParam<HistoryShape> {};

TEST_P(RandomHistoryTest, EveryStepAgreesWithTheReferenceModel) {
  const HistoryShape& shape = GetParam();
  RandomHistory history(shape);
  IdentityGraph graph;
  ReferenceIdentity model;
  int merged = 0, refused = 0, unmerged = 0;
  for (int op = 0; op < shape.ops; ++op) {
    SCOPED_TRACE("op " + std::to_string(op));
    const size_t links_before = model.links().size();
    const size_t active_before = model.ActiveMerges().size();
    ASSERT_TRUE(history.Step(graph, model));
    ASSERT_TRUE(ExpectSameState(graph, model, history.ids()));
    if (model.links().size() > links_before) {
      const LinkOutcome outcome = model.links().back().outcome;
      merged += outcome == LinkOutcome::kMerged;
      refused += outcome == LinkOutcome::kRefusedIdentified;
    } else if (model.ActiveMerges().size() < active_before) {
      ++unmerged;
    }
  }
  // The history exercised every path, not just one.
  EXPECT_GT(merged, shape.ops / 20);
  EXPECT_GT(refused, shape.ops / 20);
  EXPECT_GT(unmerged, shape.ops / 20);
}

TEST_P(RandomHistoryTest, ReplayRebuildsTheSameGraph) {
  const HistoryShape& shape = GetParam();
  RandomHistory history(shape);
  IdentityGraph graph;
  ReferenceIdentity model;
  for (int op = 0; op < shape.ops; ++op) ASSERT_TRUE(history.Step(graph, model));

  IdentityGraph replayed;
  ReplayInto(replayed, model);
  ASSERT_TRUE(ExpectSameState(replayed, model, history.ids()));
  // What Replay rebuilt works on: later links and unmerges (of merges made
  // before and after the restart) still agree.
  for (int op = 0; op < shape.ops / 5; ++op) {
    SCOPED_TRACE("after replay, op " + std::to_string(op));
    ASSERT_TRUE(history.Step(replayed, model));
    ASSERT_TRUE(ExpectSameState(replayed, model, history.ids()));
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, RandomHistoryTest,
                         ::testing::Values(HistoryShape{1, 4, 2, 0, 4, 5000},
                                           HistoryShape{7, 10, 5, 5, 30, 5000},
                                           HistoryShape{42, 20, 8, 15, 50, 5000},
                                           HistoryShape{2024, 30, 12, 30, 64, 5000}),
                         [](const ::testing::TestParamInfo<HistoryShape>& info) {
                           return "Seed" + std::to_string(info.param.seed);
                         });

TEST(IdentityGraphReplayTest, ReplayKeepsNodeOrderIdentifiedIdsAndUndoneMergesApart) {
  IdentityGraph graph;
  graph.Replay("anon-1", "user-1", 1, /*merged=*/false);  // merged once, undone since
  graph.Replay("anon-2", "user-1", 2, /*merged=*/true);
  graph.Replay("anon-1", "user-2", 3, /*merged=*/false);  // refused
  EXPECT_EQ(graph.node_count(), 4u);
  EXPECT_EQ(graph.MembersOf("user-1"), (std::vector<std::string>{"user-1", "anon-2"}));
  EXPECT_EQ(graph.RepresentativeOf("anon-1"), "anon-1");
  EXPECT_TRUE(graph.IsIdentified("user-1"));
  EXPECT_TRUE(graph.IsIdentified("user-2"));
  EXPECT_FALSE(graph.IsIdentified("anon-1"));
  EXPECT_EQ(graph.ActiveMergesOf("anon-2"), std::vector<int64_t>{2});
  EXPECT_FALSE(graph.Unmerge(1).ok());
  // The undone merge's `from` is not identified: it can merge again.
  EXPECT_EQ(graph.Link("anon-1", "user-1", LinkKind::kIdentify, 4).winner, "anon-1");
  ASSERT_TRUE(graph.Unmerge(2).ok());
  EXPECT_EQ(graph.MembersOf("anon-1"), (std::vector<std::string>{"anon-1", "user-1"}));
}

}  // namespace
}  // namespace cdp::identity
