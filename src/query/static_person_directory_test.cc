#include "query/testing/static_person_directory.h"

#include <gtest/gtest.h>

namespace cdp::query::testing {
namespace {

using Ids = std::vector<std::string>;

Ids Members(const StaticPersonDirectory& directory, std::string_view id) {
  const Result<Ids> members = directory.MemberIds("ws_test", id);
  EXPECT_TRUE(members.ok()) << members.status().ToString();
  return members.ok() ? *members : Ids{"<error>"};
}

TEST(StaticPersonDirectoryTest, ResolvesMembersToTheirRepresentative) {
  const StaticPersonDirectory directory(
      StaticPersonDirectory::Persons{{"u1", {"a1", "a2", "u1"}}, {"a9", {"u9"}}});
  const std::shared_ptr<const PersonMap> snapshot = directory.Snapshot("ws_any");
  EXPECT_EQ(snapshot->ResolveId("a1"), PersonKeyOf("u1"));
  EXPECT_EQ(snapshot->ResolveId("a2"), PersonKeyOf("u1"));
  EXPECT_EQ(snapshot->ResolveId("u1"), PersonKeyOf("u1"));
  EXPECT_EQ(snapshot->ResolveId("u9"), PersonKeyOf("a9"));
  EXPECT_EQ(snapshot->ResolveId("stranger"), PersonKeyOf("stranger"));
  EXPECT_EQ(snapshot->merged_ids(), 3u);
  EXPECT_EQ(directory.persons().at("u1"), (Ids{"u1", "a1", "a2"}));
}

TEST(StaticPersonDirectoryTest, MemberIdsOfDistinctIdsAndProfileIds) {
  const StaticPersonDirectory directory({{"u1", {"a1", "a2"}}}, {}, {"loner"});
  EXPECT_EQ(Members(directory, "a2"), (Ids{"u1", "a1", "a2"}));
  EXPECT_EQ(Members(directory, "u1"), (Ids{"u1", "a1", "a2"}));
  // An id of its own, seen or not.
  EXPECT_EQ(Members(directory, "loner"), Ids{"loner"});
  EXPECT_EQ(Members(directory, "never-seen"), Ids{"never-seen"});
  // A profile id: of the representative, of a former representative (any
  // member's key), of a known id of its own, of nobody.
  EXPECT_EQ(Members(directory, ProfileIdOf(PersonKeyOf("u1"))), (Ids{"u1", "a1", "a2"}));
  EXPECT_EQ(Members(directory, ProfileIdOf(PersonKeyOf("a1"))), (Ids{"u1", "a1", "a2"}));
  EXPECT_EQ(Members(directory, ProfileIdOf(PersonKeyOf("loner"))), Ids{"loner"});
  EXPECT_EQ(Members(directory, ProfileIdOf(PersonKeyOf("never-seen"))), Ids{});
}

Profile ProfileOf(std::string workspace_id, std::string person) {
  Profile profile;
  profile.workspace_id = std::move(workspace_id);
  profile.person = std::move(person);
  return profile;
}

TEST(StaticPersonDirectoryTest, ScansTheProfilesOfOneWorkspace) {
  const StaticPersonDirectory directory(
      {}, {ProfileOf("ws_test", "u1"), ProfileOf("ws_other", "u1"), ProfileOf("ws_test", "u2")});
  std::vector<std::string> seen;
  ASSERT_TRUE(directory
                  .ScanProfiles("ws_test",
                                [&](const Profile& profile) {
                                  seen.push_back(profile.person);
                                  return true;
                                })
                  .ok());
  EXPECT_EQ(seen, (Ids{"u1", "u2"}));
  seen.clear();
  ASSERT_TRUE(directory
                  .ScanProfiles("ws_test",
                                [&](const Profile& profile) {
                                  seen.push_back(profile.person);
                                  return false;  // enough
                                })
                  .ok());
  EXPECT_EQ(seen, Ids{"u1"});
  // Profiles' ids are known ids.
  EXPECT_EQ(Members(directory, ProfileIdOf(PersonKeyOf("u2"))), Ids{"u2"});
}

}  // namespace
}  // namespace cdp::query::testing
