#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace cdp::query {

// An arithmetic formula over a trends request's series: "A / B * 100".
//
// Grammar (whitespace anywhere between tokens):
//   expression := term (("+" | "-") term)*
//   term       := factor (("*" | "/") factor)*
//   factor     := "-" factor | number | letter | "(" expression ")"
// A letter (uppercase A to T) is the value of the series with that index (A =
// series[0]); a number is decimal digits with an optional fraction ("100",
// "0.5"). "*" and "/" bind tighter than "+" and "-"; operators of one level
// group from the left ("A - B - C" is "(A - B) - C").
//
// Evaluation is over nullable doubles: a null operand makes the result null,
// and so does a division by zero (or any result that is not finite), so that
// a ratio over an empty bucket reads "no value" rather than 0 or infinity.
//
// Immutable after Parse; safe to share between threads.
class TrendsFormula {
 public:
  static constexpr size_t kMaxLength = 1000;
  static constexpr int kMaxDepth = 64;  // nested parentheses and negations

  // BadRequest naming `field` when `text` is empty, too long, not in the
  // grammar, names no series at all, or names a letter past `series_count`.
  static Result<TrendsFormula> Parse(std::string_view text, size_t series_count,
                                     const std::string& field);

  const std::string& text() const { return text_; }
  // The formula's value where series i is `series_values[i]`.
  // REQUIRES: series_values.size() covers every letter the formula names.
  std::optional<double> Evaluate(std::span<const std::optional<double>> series_values) const;

 private:
  friend class FormulaParser;
  enum class NodeKind { kNumber, kSeries, kNegate, kAdd, kSubtract, kMultiply, kDivide };
  struct Node {
    NodeKind kind = NodeKind::kNumber;
    double number = 0;  // kNumber
    size_t series = 0;  // kSeries
    int left = -1;      // operands: indices into nodes_
    int right = -1;
  };

  std::optional<double> EvaluateNode(int node,
                                     std::span<const std::optional<double>> series_values) const;

  std::string text_;
  std::vector<Node> nodes_;
  int root_ = -1;
};

}  // namespace cdp::query
