#include "query/trends/trends_formula.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cdp::query {
namespace {

std::optional<double> Eval(std::string_view text, std::vector<std::optional<double>> series) {
  Result<TrendsFormula> formula = TrendsFormula::Parse(text, series.size(), "formula");
  EXPECT_TRUE(formula.ok()) << text << ": " << formula.status().ToString();
  if (!formula.ok()) return std::nullopt;
  return formula->Evaluate(series);
}

TEST(TrendsFormulaTest, MultiplicationAndDivisionBindTighterThanAdditionAndSubtraction) {
  EXPECT_EQ(Eval("A + B * C", {1, 2, 3}), 7);
  EXPECT_EQ(Eval("A * B + C", {1, 2, 3}), 5);
  EXPECT_EQ(Eval("A - B / C", {1, 2, 4}), 0.5);
  EXPECT_EQ(Eval("A / B * 100", {1, 4}), 25);
}

TEST(TrendsFormulaTest, OperatorsOfOneLevelGroupFromTheLeft) {
  EXPECT_EQ(Eval("A - B - C", {10, 3, 2}), 5);
  EXPECT_EQ(Eval("A / B / C", {12, 3, 2}), 2);
  EXPECT_EQ(Eval("A - B + C", {10, 3, 2}), 9);
}

TEST(TrendsFormulaTest, ParenthesesOverridePrecedence) {
  EXPECT_EQ(Eval("(A + B) * C", {1, 2, 3}), 9);
  EXPECT_EQ(Eval("A / (B * (C - 1))", {12, 2, 4}), 2);
  EXPECT_EQ(Eval("((A))", {7}), 7);
}

TEST(TrendsFormulaTest, NumbersAndNegation) {
  EXPECT_EQ(Eval("A * 0.5 + 10", {4}), 12);
  EXPECT_EQ(Eval("-A", {4}), -4);
  EXPECT_EQ(Eval("--A", {4}), 4);
  EXPECT_EQ(Eval("2 * -A", {4}), -8);
  EXPECT_EQ(Eval("-(A + 1) * 2", {4}), -10);
  EXPECT_EQ(Eval(" A\t/\n.5 ", {4}), 8);
}

TEST(TrendsFormulaTest, EveryLetterNamesItsSeries) {
  std::vector<std::optional<double>> series(20);
  for (size_t i = 0; i < series.size(); ++i) series[i] = double(i);
  EXPECT_EQ(Eval("T - A + C", series), 21);
}

TEST(TrendsFormulaTest, DivisionByZeroAndNullOperandsAreNull) {
  EXPECT_EQ(Eval("A / B", {1, 0}), std::nullopt);
  EXPECT_EQ(Eval("A / (B - B)", {1, 3}), std::nullopt);
  EXPECT_EQ(Eval("A + B", {1, std::nullopt}), std::nullopt);
  EXPECT_EQ(Eval("-A", {std::nullopt}), std::nullopt);
  EXPECT_EQ(Eval("B / A", {0, 0}), std::nullopt);
  EXPECT_EQ(Eval("A * 0", {std::nullopt}), std::nullopt);
  // An overflow is no value either (JSON has no infinity).
  EXPECT_EQ(Eval("A * A", {1e200}), std::nullopt);
}

TEST(TrendsFormulaTest, ErrorsNameTheFormulaField) {
  const std::vector<std::string> bad = {
      "",      "   ",   "A +", "(A",      "A)", "A B",  "A * * B", "a",  "1.2.3", ".",
      "A ^ 2", "A % B", "100", "(1 + 2)", "D",  "A / ", "A(B)",    "2A", "A..B",  "A +\x01",
  };
  for (const std::string& text : bad) {
    const Result<TrendsFormula> formula = TrendsFormula::Parse(text, 3, "formula");
    ASSERT_FALSE(formula.ok()) << "'" << text << "' parsed";
    EXPECT_EQ(formula.status().code(), ErrorCode::kBadRequest) << text;
    EXPECT_EQ(formula.status().field(), "formula") << text;
  }
}

TEST(TrendsFormulaTest, RefusesHostileSizes) {
  const std::string deep = std::string(100, '(') + "A" + std::string(100, ')');
  EXPECT_EQ(TrendsFormula::Parse(deep, 1, "formula").status().field(), "formula");
  const std::string negations = std::string(100, '-') + "A";
  EXPECT_EQ(TrendsFormula::Parse(negations, 1, "formula").status().field(), "formula");
  std::string longest = "A";
  while (longest.size() < TrendsFormula::kMaxLength) longest += "+A";
  EXPECT_EQ(TrendsFormula::Parse(longest, 1, "formula").status().field(), "formula");
  const std::string nested = std::string(30, '(') + "A" + std::string(30, ')');
  EXPECT_TRUE(TrendsFormula::Parse(nested, 1, "formula").ok());
}

TEST(TrendsFormulaTest, ErrorMessagesSayWhereAndWhat) {
  const Result<TrendsFormula> formula = TrendsFormula::Parse("A / (B + 1", 2, "formula");
  ASSERT_FALSE(formula.ok());
  EXPECT_NE(formula.status().message().find("')'"), std::string::npos)
      << formula.status().message();
  const Result<TrendsFormula> letter = TrendsFormula::Parse("A + C", 2, "formula");
  EXPECT_NE(letter.status().message().find("series[2]"), std::string::npos)
      << letter.status().message();
}

}  // namespace
}  // namespace cdp::query
