#include "store/batch_filter.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>

#include "store/event_columns.h"

namespace cdp {
namespace {

constexpr size_t kRows = 500;

// One random block of each kind, with its reference values per row.
struct RandomBlock {
  std::vector<std::string> dictionary_text;
  std::vector<std::string_view> dictionary;
  std::vector<uint32_t> codes;
  std::vector<int64_t> times;
  std::vector<double> numbers;
  std::vector<uint8_t> booleans;
  std::vector<uint64_t> null_words;
};

RandomBlock MakeBlock(std::mt19937_64& random) {
  RandomBlock block;
  block.dictionary_text = {"", "a", "ab", "abc", "b", "ba", "pro", "prof", "z\xff"};
  for (const std::string& text : block.dictionary_text) block.dictionary.push_back(text);
  block.null_words.assign((kRows + 63) / 64, 0);
  for (size_t row = 0; row < kRows; ++row) {
    block.codes.push_back(random() % block.dictionary.size());
    block.times.push_back(int64_t(random() % 20) - 10);
    block.numbers.push_back(double(int64_t(random() % 20) - 10) / 2);
    block.booleans.push_back(random() % 2);
    if (random() % 5 == 0) block.null_words[row / 64] |= uint64_t{1} << (row % 64);
  }
  return block;
}

ScalarValue RandomOperand(std::mt19937_64& random, const RandomBlock& block) {
  switch (random() % 5) {
    case 0:
      return block.dictionary_text[random() % block.dictionary_text.size()];
    case 1:
      return TimeValue{int64_t(random() % 20) - 10};
    case 2:
      return double(int64_t(random() % 20) - 10) / 2;
    case 3:
      return random() % 2 == 0;
    default:
      return std::string("pr");
  }
}

TEST(BlockFilterTest, AgreesWithTheReferenceOnEveryKindAndOperator) {
  std::mt19937_64 random(3);
  FilterScratch scratch;
  for (int round = 0; round < 400; ++round) {
    const RandomBlock block = MakeBlock(random);
    const NullMask nulls = random() % 3 == 0 ? NullMask() : NullMask(block.null_words);
    const int kind = static_cast<int>(random() % 5);
    ColumnData column;
    switch (kind) {
      case 1:
        column = StringColumn{block.dictionary, block.codes, nulls};
        break;
      case 2:
        column = TimeColumn{block.times, nulls};
        break;
      case 3:
        column = NumberColumn{block.numbers, nulls};
        break;
      case 4:
        column = BooleanColumn{block.booleans, nulls};
        break;
    }
    const auto reference = [&](size_t row) -> ScalarValue {
      if (kind == 0 || nulls.IsNull(row)) return std::monostate{};
      switch (kind) {
        case 1:
          return block.dictionary_text[block.codes[row]];
        case 2:
          return TimeValue{block.times[row]};
        case 3:
          return block.numbers[row];
        default:
          return block.booleans[row] != 0;
      }
    };
    Predicate predicate;
    predicate.op = static_cast<CompareOp>(random() % (int(CompareOp::kNotRegex) + 1));
    if (predicate.op == CompareOp::kRegex || predicate.op == CompareOp::kNotRegex) {
      static const char* const kPatterns[] = {"^ab", "b$", "r.f", "^$", "a|z"};
      predicate = *RegexPredicate("c", kPatterns[random() % 5],
                                  predicate.op == CompareOp::kNotRegex, "filter");
    }
    const size_t operands = predicate.op == CompareOp::kIn ? random() % 4 : 1;
    for (size_t i = predicate.values.size(); i < operands; ++i)
      predicate.values.push_back(RandomOperand(random, block));

    std::vector<uint32_t> selection;
    for (uint32_t row = 0; row < kRows; ++row) {
      if (random() % 4 != 0) selection.push_back(row);
    }
    std::vector<uint32_t> expected;
    for (const uint32_t row : selection) {
      if (SatisfiesPredicate(reference(row), predicate)) expected.push_back(row);
    }
    FilterSelection(column, predicate, selection, scratch);
    ASSERT_EQ(selection, expected)
        << "round " << round << " kind " << kind << " op " << int(predicate.op);
  }
}

TEST(RegexPredicateTest, MatchesAnywhereUnlessAnchored) {
  const Predicate starts = *RegexPredicate("c", "^ab", false, "filter");
  EXPECT_TRUE(SatisfiesPredicate(std::string("abc"), starts));
  EXPECT_FALSE(SatisfiesPredicate(std::string("cab"), starts));
  const Predicate anywhere = *RegexPredicate("c", "a.c", false, "filter");
  EXPECT_TRUE(SatisfiesPredicate(std::string("xxabcxx"), anywhere));
  const Predicate negated = *RegexPredicate("c", "a.c", true, "filter");
  EXPECT_FALSE(SatisfiesPredicate(std::string("xxabcxx"), negated));
  EXPECT_TRUE(SatisfiesPredicate(std::string("ac"), negated));
  // Null and non-string rows match neither form.
  EXPECT_FALSE(SatisfiesPredicate(std::monostate{}, negated));
  EXPECT_FALSE(SatisfiesPredicate(1.0, negated));
}

TEST(RegexPredicateTest, RefusesAnInvalidPatternNamingTheField) {
  const Result<Predicate> predicate = RegexPredicate("c", "(unclosed", false, "filters[2].value");
  ASSERT_FALSE(predicate.ok());
  EXPECT_EQ(predicate.status().code(), ErrorCode::kBadRequest);
  EXPECT_EQ(predicate.status().field(), "filters[2].value");
}

}  // namespace
}  // namespace cdp
