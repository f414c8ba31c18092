#include "ingest/linkable_id.h"

#include <gtest/gtest.h>

#include <string>

#include "ingest/linkable_id_test_values.h"

namespace cdp::ingest {
namespace {

using testing::kLookAlikeIds;
using testing::RefusedIds;

TEST(LinkableIdTest, AnEmptyIdIsNotGivenAndPasses) {
  EXPECT_TRUE(RequireLinkableId("", "userId").ok());
}

TEST(LinkableIdTest, APlaceholderIsRefusedNamingTheFieldTheValueAndTheRule) {
  const Status status = RequireLinkableId("null", "userId");
  EXPECT_EQ(status.code(), ErrorCode::kBadRequest);
  EXPECT_EQ(status.http_status(), 400);
  EXPECT_EQ(status.field(), "userId");
  EXPECT_EQ(status.message(),
            "userId \"null\" is not a usable id: placeholder values would merge unrelated people");

  // The value is quoted as sent, case and whitespace included.
  EXPECT_EQ(RequireLinkableId(" [object Object]", "properties.alias").message(),
            "properties.alias \" [object Object]\" is not a usable id: placeholder values would "
            "merge unrelated people");
}

TEST(LinkableIdTest, ABlankIdIsRefusedWithItsWhitespaceShownEscaped) {
  const Status status = RequireLinkableId(" \t\n", "anonymousId");
  EXPECT_EQ(status.code(), ErrorCode::kBadRequest);
  EXPECT_EQ(status.field(), "anonymousId");
  EXPECT_EQ(
      status.message(),
      "anonymousId \" \\t\\n\" is not a usable id: blank values would merge unrelated people");
}

TEST(LinkableIdTest, ALongValueIsCutInTheMessage) {
  const Status status = RequireLinkableId(std::string(10'000, ' '), "previousId");
  EXPECT_EQ(status.code(), ErrorCode::kBadRequest);
  EXPECT_EQ(status.message(), "previousId \"" + std::string(40, ' ') +
                                  "\"... is not a usable id: blank values would merge unrelated "
                                  "people");
}

TEST(LinkableIdTest, EveryPlaceholderAndBlankIdOfTheContractIsRefused) {
  for (const std::string& id : RefusedIds()) {
    const Status status = RequireLinkableId(id, "distinct_id");
    EXPECT_EQ(status.code(), ErrorCode::kBadRequest) << testing::Json(id);
    EXPECT_EQ(status.field(), "distinct_id") << testing::Json(id);
    const bool blank = id.find_first_not_of(" \t\r\n") == std::string::npos;
    EXPECT_NE(status.message().find(blank ? "blank values" : "placeholder values"),
              std::string::npos)
        << status.message();
  }
}

TEST(LinkableIdTest, LookAlikesAndOrdinaryIdsPass) {
  for (const std::string& id : kLookAlikeIds) {
    EXPECT_TRUE(RequireLinkableId(id, "userId").ok()) << testing::Json(id);
  }
  for (const char* id : {"u42", "a7", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "ada@example.com"}) {
    EXPECT_TRUE(RequireLinkableId(id, "userId").ok()) << id;
  }
}

}  // namespace
}  // namespace cdp::ingest
