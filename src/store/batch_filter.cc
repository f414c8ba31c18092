#include "store/batch_filter.h"

#include <compare>
#include <optional>
#include <string_view>

#include "store/event_columns.h"

namespace cdp {

namespace {

// Keeps the selected rows for which `keep(row)` holds.
template <typename Keep>
void Retain(std::vector<uint32_t>& selection, Keep keep) {
  size_t kept = 0;
  for (const uint32_t row : selection) {
    selection[kept] = row;
    kept += keep(row) ? 1 : 0;
  }
  selection.resize(kept);
}

// Whether a row value satisfies the predicate, for non-null rows. Strings are
// compared without building a ScalarValue.
bool StringSatisfies(std::string_view text, const Predicate& predicate) {
  const auto operand = [&](size_t i) -> const std::string* {
    return i < predicate.values.size() ? std::get_if<std::string>(&predicate.values[i]) : nullptr;
  };
  const auto compare = [&](auto accept) {
    const std::string* value = operand(0);
    return value != nullptr && accept(text.compare(*value) <=> 0);
  };
  switch (predicate.op) {
    case CompareOp::kIsSet:
      return true;
    case CompareOp::kIsNotSet:
      return false;
    case CompareOp::kEquals:
      return operand(0) != nullptr && text == *operand(0);
    case CompareOp::kNotEquals:
      return !predicate.values.empty() && (operand(0) == nullptr || text != *operand(0));
    case CompareOp::kLess:
      return compare([](auto order) { return order < 0; });
    case CompareOp::kLessOrEqual:
      return compare([](auto order) { return order <= 0; });
    case CompareOp::kGreater:
      return compare([](auto order) { return order > 0; });
    case CompareOp::kGreaterOrEqual:
      return compare([](auto order) { return order >= 0; });
    case CompareOp::kIn:
      for (size_t i = 0; i < predicate.values.size(); ++i) {
        if (operand(i) != nullptr && text == *operand(i)) return true;
      }
      return false;
    case CompareOp::kContains:
    case CompareOp::kNotContains:
    case CompareOp::kStartsWith:
    case CompareOp::kEndsWith:
    case CompareOp::kRegex:
    case CompareOp::kNotRegex:
      return StringOperatorMatches(text, predicate);
  }
  return false;
}

void FilterStrings(const StringColumn& column, const Predicate& predicate,
                   std::vector<uint32_t>& selection, FilterScratch& scratch) {
  std::vector<uint8_t>& matches = scratch.dictionary_matches;
  matches.resize(column.dictionary.size());
  for (size_t code = 0; code < column.dictionary.size(); ++code) {
    matches[code] = StringSatisfies(column.dictionary[code], predicate) ? 1 : 0;
  }
  const bool null_matches = predicate.op == CompareOp::kIsNotSet;
  Retain(selection, [&](uint32_t row) {
    return column.nulls.IsNull(row) ? null_matches : matches[column.codes[row]] != 0;
  });
}

// Numbers, times and booleans: few enough kinds of work per row that the
// reference rules are applied to each value.
template <typename Values, typename Wrap>
void FilterValues(const Values& values, NullMask nulls, const Predicate& predicate,
                  std::vector<uint32_t>& selection, Wrap wrap) {
  const bool null_matches = predicate.op == CompareOp::kIsNotSet;
  Retain(selection, [&](uint32_t row) {
    if (nulls.IsNull(row)) return null_matches;
    return SatisfiesPredicate(wrap(values[row]), predicate);
  });
}

}  // namespace

void FilterSelection(const ColumnData& column, const Predicate& predicate,
                     std::vector<uint32_t>& selection, FilterScratch& scratch) {
  switch (column.index()) {
    case 0:  // the column is absent: every row is null
      if (predicate.op != CompareOp::kIsNotSet) selection.clear();
      return;
    case 1:
      FilterStrings(std::get<StringColumn>(column), predicate, selection, scratch);
      return;
    case 2: {
      const auto& times = std::get<TimeColumn>(column);
      FilterValues(times.micros, times.nulls, predicate, selection,
                   [](int64_t micros) { return ScalarValue(TimeValue{micros}); });
      return;
    }
    case 3: {
      const auto& numbers = std::get<NumberColumn>(column);
      FilterValues(numbers.values, numbers.nulls, predicate, selection,
                   [](double value) { return ScalarValue(value); });
      return;
    }
    case 4: {
      const auto& booleans = std::get<BooleanColumn>(column);
      FilterValues(booleans.values, booleans.nulls, predicate, selection,
                   [](uint8_t value) { return ScalarValue(value != 0); });
      return;
    }
  }
}

}  // namespace cdp
