#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "identity/identity_graph.h"

namespace cdp::identity {
namespace {

// The placeholders identity_graph.h lists, as clients spell them.
const std::vector<std::string> kPlaceholders = {
    "anonymous",       "guest",     "distinct_id", "distinctid", "id",   "not_authenticated",
    "email",           "undefined", "null",        "0",          "true", "false",
    "[object Object]", "nan",       "none",
};

std::string Upper(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

TEST(LegalDistinctIdTest, EveryPlaceholderIsIllegal) {
  for (const std::string& placeholder : kPlaceholders) {
    EXPECT_FALSE(IsLegalDistinctId(placeholder)) << placeholder;
  }
}

TEST(LegalDistinctIdTest, PlaceholdersAreRecognizedInAnyCaseAndPadding) {
  for (const std::string& placeholder : kPlaceholders) {
    for (const std::string& variant :
         {Upper(placeholder), " " + placeholder, placeholder + "\n",
          "\t " + Upper(placeholder) + "\r\n", "\v\f" + placeholder + " "}) {
      EXPECT_FALSE(IsLegalDistinctId(variant)) << "[" << variant << "]";
    }
  }
  EXPECT_FALSE(IsLegalDistinctId("Null"));
  EXPECT_FALSE(IsLegalDistinctId("[OBJECT OBJECT]"));
  EXPECT_FALSE(IsLegalDistinctId("NaN"));
  EXPECT_FALSE(IsLegalDistinctId("Distinct_Id"));
}

TEST(LegalDistinctIdTest, EmptyAndWhitespaceAreIllegal) {
  EXPECT_FALSE(IsLegalDistinctId(""));
  EXPECT_FALSE(IsLegalDistinctId(" "));
  EXPECT_FALSE(IsLegalDistinctId(" \t\r\n\v\f "));
}

TEST(LegalDistinctIdTest, LookAlikesAndRealIdsAreLegal) {
  for (const std::string id : {"0a",
                               "00",
                               "a0",
                               "nullable",
                               "guest-42",
                               "guest_42",
                               "anonymous1",
                               "ids",
                               "identity",
                               "[object]",
                               "object Object",
                               "user@example.com",
                               "emails",
                               "nonempty",
                               "null null",
                               "null\x01",
                               "nan0",
                               "falsey",
                               "1",
                               "-",
                               "0.0",
                               "7c9e6679-7425-40de-944b-e07cc4f3f3ab",
                               "Ärger",
                               "\xC2\xA0null"}) {
    EXPECT_TRUE(IsLegalDistinctId(id)) << "[" << id << "]";
  }
  // Only surrounding whitespace is trimmed: the id itself is never changed.
  EXPECT_TRUE(IsLegalDistinctId(" user 1 "));
  // A NUL byte is not whitespace: "null" followed by one is another id.
  EXPECT_TRUE(IsLegalDistinctId(std::string_view("null\0", 5)));
}

}  // namespace
}  // namespace cdp::identity
