#include "query/query_context.h"

#include <gtest/gtest.h>

#include "query/testing/static_person_directory.h"

namespace cdp::query {
namespace {

using testing::StaticPersonDirectory;

TEST(QueryContextTest, WithoutADirectoryNobodyIsMerged) {
  const QueryContext context{.workspace_id = "ws_test"};
  const std::shared_ptr<const PersonMap> snapshot = PersonSnapshotOf(context);
  ASSERT_NE(snapshot, nullptr);
  EXPECT_EQ(snapshot->merged_ids(), 0u);
  EXPECT_EQ(snapshot->ResolveId("a1"), PersonKeyOf("a1"));
  const Result<std::vector<std::string>> members = PersonMemberIds(context, "a1");
  ASSERT_TRUE(members.ok());
  EXPECT_EQ(*members, std::vector<std::string>{"a1"});
  // Without a directory there are no profiles: a profile id is just text.
  EXPECT_EQ(*PersonMemberIds(context, ProfileIdOf(PersonKeyOf("a1"))),
            std::vector<std::string>{ProfileIdOf(PersonKeyOf("a1"))});
}

TEST(QueryContextTest, TheSnapshotIsTheDirectorysUnlessOneIsPinned) {
  const StaticPersonDirectory directory(StaticPersonDirectory::Persons{{"u1", {"a1"}}});
  QueryContext context{.workspace_id = "ws_test", .persons = &directory};
  EXPECT_EQ(PersonSnapshotOf(context), directory.Snapshot("ws_test"));
  EXPECT_EQ(PersonSnapshotOf(context)->ResolveId("a1"), PersonKeyOf("u1"));
  EXPECT_EQ(*PersonMemberIds(context, "a1"), (std::vector<std::string>{"u1", "a1"}));

  // A pinned snapshot wins: the service computes the answer from the
  // snapshot whose version keys its cache entry.
  context.person_snapshot = std::make_shared<PersonMap>();
  EXPECT_EQ(PersonSnapshotOf(context), context.person_snapshot);
  EXPECT_EQ(PersonSnapshotOf(context)->ResolveId("a1"), PersonKeyOf("a1"));
}

}  // namespace
}  // namespace cdp::query
