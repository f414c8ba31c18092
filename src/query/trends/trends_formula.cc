#include "query/trends/trends_formula.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace cdp::query {

// A recursive-descent parser over the grammar in the header, one method per
// rule. Depth is bounded so that a hostile "((((...": a 400, not a stack
// overflow.
class FormulaParser {
 public:
  FormulaParser(std::string_view text, size_t series_count, const std::string& field,
                TrendsFormula& formula)
      : text_(text), series_count_(series_count), field_(field), formula_(formula) {}

  Status Run() {
    CDP_ASSIGN_OR_RETURN(formula_.root_, Expression(0));
    SkipSpaces();
    if (position_ < text_.size()) return Error("an operator or the end of the formula");
    if (!names_series_) {
      return Status::BadRequest(
          fmt::format("{} must name at least one series (A for series[0], B for series[1], ...)",
                      field_),
          field_);
    }
    return Status::Ok();
  }

 private:
  using Node = TrendsFormula::Node;
  using NodeKind = TrendsFormula::NodeKind;

  Result<int> Expression(int depth) {
    CDP_ASSIGN_OR_RETURN(int left, Term(depth));
    while (true) {
      SkipSpaces();
      if (!Peek('+') && !Peek('-')) return left;
      const NodeKind kind = text_[position_++] == '+' ? NodeKind::kAdd : NodeKind::kSubtract;
      CDP_ASSIGN_OR_RETURN(const int right, Term(depth));
      left = Add({.kind = kind, .left = left, .right = right});
    }
  }

  Result<int> Term(int depth) {
    CDP_ASSIGN_OR_RETURN(int left, Factor(depth));
    while (true) {
      SkipSpaces();
      if (!Peek('*') && !Peek('/')) return left;
      const NodeKind kind = text_[position_++] == '*' ? NodeKind::kMultiply : NodeKind::kDivide;
      CDP_ASSIGN_OR_RETURN(const int right, Factor(depth));
      left = Add({.kind = kind, .left = left, .right = right});
    }
  }

  Result<int> Factor(int depth) {
    if (depth >= TrendsFormula::kMaxDepth) {
      return Status::BadRequest(
          fmt::format("{} nests deeper than {} levels", field_, TrendsFormula::kMaxDepth), field_);
    }
    SkipSpaces();
    if (position_ == text_.size()) return Error("a series letter, a number, '(' or '-'");
    const char c = text_[position_];
    if (c == '-') {
      ++position_;
      CDP_ASSIGN_OR_RETURN(const int operand, Factor(depth + 1));
      return Add({.kind = NodeKind::kNegate, .left = operand});
    }
    if (c == '(') {
      ++position_;
      CDP_ASSIGN_OR_RETURN(const int inner, Expression(depth + 1));
      SkipSpaces();
      if (!Peek(')')) return Error("')'");
      ++position_;
      return inner;
    }
    if (c >= 'A' && c <= 'Z') {
      const size_t series = size_t(c - 'A');
      if (series >= series_count_) {
        return Status::BadRequest(
            fmt::format("{}: '{}' names series[{}], but the request has {} series", field_, c,
                        series, series_count_),
            field_);
      }
      ++position_;
      names_series_ = true;
      return Add({.kind = NodeKind::kSeries, .series = series});
    }
    if ((c >= '0' && c <= '9') || c == '.') return Number();
    return Error("a series letter (A, B, ...), a number, '(' or '-'");
  }

  Result<int> Number() {
    const size_t first = position_;
    while (position_ < text_.size() &&
           ((text_[position_] >= '0' && text_[position_] <= '9') || text_[position_] == '.')) {
      ++position_;
    }
    double value = 0;
    const char* begin = text_.data() + first;
    const char* end = text_.data() + position_;
    const auto [parsed_end, error] = std::from_chars(begin, end, value, std::chars_format::fixed);
    if (error != std::errc() || parsed_end != end) {
      position_ = first;
      return Error("a number such as 100 or 0.5");
    }
    return Add({.kind = NodeKind::kNumber, .number = value});
  }

  void SkipSpaces() {
    while (position_ < text_.size() && (text_[position_] == ' ' || text_[position_] == '\t' ||
                                        text_[position_] == '\n' || text_[position_] == '\r')) {
      ++position_;
    }
  }
  bool Peek(char c) const { return position_ < text_.size() && text_[position_] == c; }

  int Add(Node node) {
    formula_.nodes_.push_back(node);
    return static_cast<int>(formula_.nodes_.size()) - 1;
  }

  // "formula: expected ')' at character 7 of 'A / (B + 1'".
  Status Error(std::string_view expected) const {
    const std::string found =
        position_ < text_.size() ? fmt::format("'{}'", text_[position_]) : "the end";
    return Status::BadRequest(fmt::format("{}: expected {} at character {}, found {}", field_,
                                          expected, position_ + 1, found),
                              field_);
  }

  std::string_view text_;
  size_t series_count_;
  const std::string& field_;
  TrendsFormula& formula_;
  size_t position_ = 0;
  bool names_series_ = false;
};

Result<TrendsFormula> TrendsFormula::Parse(std::string_view text, size_t series_count,
                                           const std::string& field) {
  if (text.size() > kMaxLength) {
    return Status::BadRequest(fmt::format("{} is longer than {} characters", field, kMaxLength),
                              field);
  }
  TrendsFormula formula;
  formula.text_ = std::string(text);
  CDP_RETURN_IF_ERROR(FormulaParser(text, series_count, field, formula).Run());
  return formula;
}

std::optional<double> TrendsFormula::Evaluate(
    std::span<const std::optional<double>> series_values) const {
  return EvaluateNode(root_, series_values);
}

std::optional<double> TrendsFormula::EvaluateNode(
    int index, std::span<const std::optional<double>> series_values) const {
  const Node& node = nodes_[size_t(index)];
  switch (node.kind) {
    case NodeKind::kNumber:
      return node.number;
    case NodeKind::kSeries:
      return series_values[node.series];
    case NodeKind::kNegate: {
      const std::optional<double> operand = EvaluateNode(node.left, series_values);
      if (!operand) return std::nullopt;
      return -*operand;
    }
    default:
      break;
  }
  const std::optional<double> left = EvaluateNode(node.left, series_values);
  const std::optional<double> right = EvaluateNode(node.right, series_values);
  if (!left || !right) return std::nullopt;
  double value = 0;
  switch (node.kind) {
    case NodeKind::kAdd:
      value = *left + *right;
      break;
    case NodeKind::kSubtract:
      value = *left - *right;
      break;
    case NodeKind::kMultiply:
      value = *left * *right;
      break;
    case NodeKind::kDivide:
      if (*right == 0) return std::nullopt;
      value = *left / *right;
      break;
    default:
      break;
  }
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

}  // namespace cdp::query
