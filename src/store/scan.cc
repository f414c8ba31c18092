#include "store/scan.h"

#include <fmt/format.h>
#include <re2/re2.h>

namespace cdp {

std::string_view ColumnKindName(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kString:
      return "string";
    case ColumnKind::kTime:
      return "time";
    case ColumnKind::kNumber:
      return "number";
    case ColumnKind::kBoolean:
      return "boolean";
  }
  return "";
}

ColumnKind ColumnKindOf(PropertyType type) {
  switch (type) {
    case PropertyType::kString:
      return ColumnKind::kString;
    case PropertyType::kNumber:
      return ColumnKind::kNumber;
    case PropertyType::kBoolean:
      return ColumnKind::kBoolean;
    case PropertyType::kTimestamp:
      return ColumnKind::kTime;
  }
  return ColumnKind::kString;
}

Result<Predicate> RegexPredicate(std::string column, std::string_view pattern, bool negated,
                                 std::string field) {
  RE2::Options options;
  options.set_log_errors(false);
  auto regex = std::make_shared<const RE2>(pattern, options);
  if (!regex->ok()) {
    return Status::BadRequest(
        fmt::format("invalid regular expression '{}': {}", pattern, regex->error()),
        std::move(field));
  }
  Predicate predicate;
  predicate.column = std::move(column);
  predicate.op = negated ? CompareOp::kNotRegex : CompareOp::kRegex;
  predicate.values.emplace_back(std::string(pattern));
  predicate.regex = std::move(regex);
  return predicate;
}

bool StringOperatorMatches(std::string_view text, const Predicate& predicate) {
  const std::string* operand =
      predicate.values.empty() ? nullptr : std::get_if<std::string>(&predicate.values[0]);
  if (operand == nullptr) return false;
  switch (predicate.op) {
    case CompareOp::kContains:
      return text.find(*operand) != std::string_view::npos;
    case CompareOp::kNotContains:
      return text.find(*operand) == std::string_view::npos;
    case CompareOp::kStartsWith:
      return text.starts_with(*operand);
    case CompareOp::kEndsWith:
      return text.ends_with(*operand);
    case CompareOp::kRegex:
      return predicate.regex != nullptr && RE2::PartialMatch(text, *predicate.regex);
    case CompareOp::kNotRegex:
      return predicate.regex != nullptr && !RE2::PartialMatch(text, *predicate.regex);
    default:
      return false;
  }
}

}  // namespace cdp
