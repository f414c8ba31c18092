#include "ingest/enrich/literal_set_matcher.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace cdp::ingest::enrich {
namespace {

std::vector<int> Find(const LiteralSetMatcher& matcher, std::string_view text) {
  std::vector<int> found;
  matcher.Find(text, found);
  return found;
}

TEST(LiteralSetMatcherTest, FindsEveryLiteralOnce) {
  const LiteralSetMatcher matcher({"he", "she", "his", "hers", "chrome", "x"});
  EXPECT_EQ(Find(matcher, "ushers"), (std::vector<int>{0, 1, 3}));
  EXPECT_EQ(Find(matcher, "hehehe"), (std::vector<int>{0}));
  EXPECT_EQ(Find(matcher, "headlesschrome/120"), (std::vector<int>{0, 4}));
  EXPECT_EQ(Find(matcher, "nothing"), (std::vector<int>{}));
  EXPECT_EQ(Find(matcher, ""), (std::vector<int>{}));
  EXPECT_EQ(Find(matcher, "xx"), (std::vector<int>{5}));
}

TEST(LiteralSetMatcherTest, LiteralsInsideOthersAndDuplicates) {
  const LiteralSetMatcher matcher({"abcd", "bc", "c", "", "bc"});
  // "bc" twice: the first id; the empty literal never matches.
  EXPECT_EQ(Find(matcher, "abcd"), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(Find(matcher, "abc"), (std::vector<int>{1, 2}));
}

TEST(LiteralSetMatcherTest, AppendsAfterWhatIsThere) {
  const LiteralSetMatcher matcher({"ab"});
  std::vector<int> found = {7};
  matcher.Find("xaby", found);
  EXPECT_EQ(found, (std::vector<int>{7, 0}));
}

TEST(LiteralSetMatcherTest, AgreesWithNaiveSearch) {
  std::mt19937 random(42);
  auto random_text = [&](size_t length) {
    std::string text;
    for (size_t i = 0; i < length; ++i) text += static_cast<char>('a' + random() % 3);
    return text;
  };
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> literals;
    for (int i = 0; i < 8; ++i) literals.push_back(random_text(1 + random() % 4));
    const LiteralSetMatcher matcher(literals);
    const std::string text = random_text(random() % 30);
    std::vector<int> expected;
    for (size_t id = 0; id < literals.size(); ++id) {
      bool first_of_its_kind = true;
      for (size_t earlier = 0; earlier < id; ++earlier) {
        if (literals[earlier] == literals[id]) first_of_its_kind = false;
      }
      if (first_of_its_kind && text.find(literals[id]) != std::string::npos) {
        expected.push_back(static_cast<int>(id));
      }
    }
    ASSERT_EQ(Find(matcher, text), expected) << "text " << text;
  }
}

}  // namespace
}  // namespace cdp::ingest::enrich
