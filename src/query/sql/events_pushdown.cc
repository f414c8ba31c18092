#include "query/sql/events_pushdown.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "query/sql/sql_time_text.h"

namespace cdp::query {

namespace {

bool IsTimestampText(const EventsTableColumn& column) {
  return column.source == EventsTableColumn::Source::kStore && column.name == "timestamp";
}

bool IsTimestampMicros(const EventsTableColumn& column) {
  return column.source == EventsTableColumn::Source::kTimestampMicros;
}

bool IsStringColumn(const EventsTableColumn& column) {
  return column.source == EventsTableColumn::Source::kStore && column.kind == ColumnKind::kString;
}

bool IsRangeOp(PushedOp op) { return op != PushedOp::kIn; }

// Narrows [from, to) to the times whose text compares with `text` as `op`
// says (timestamp is shown as text, compared bytewise).
void NarrowByText(PushedOp op, const std::string& text, PushedScan& scan) {
  const auto at_least = [&](int64_t from) { scan.from_micros = std::max(scan.from_micros, from); };
  const auto below = [&](int64_t to) { scan.to_micros = std::min(scan.to_micros, to); };
  switch (op) {
    case PushedOp::kEquals:
      at_least(FirstSqlTimeNotBefore(text));
      below(FirstSqlTimeAfter(text));
      break;
    case PushedOp::kGreater:
      at_least(FirstSqlTimeAfter(text));
      break;
    case PushedOp::kGreaterOrEqual:
      at_least(FirstSqlTimeNotBefore(text));
      break;
    case PushedOp::kLess:
      below(FirstSqlTimeNotBefore(text));
      break;
    case PushedOp::kLessOrEqual:
      below(FirstSqlTimeAfter(text));
      break;
    case PushedOp::kIn:
      break;
  }
}

// Narrows [from, to) to the microseconds m with `m op value`, for a value
// given as a double (integers convert exactly up to 2^53; beyond that the
// clamp to the representable times decides).
void NarrowByNumber(PushedOp op, double value, PushedScan& scan) {
  // Clamped a step outside the times, so the conversions below cannot overflow.
  const double low = double(MinSqlTimeMicros()) - 2;
  const double high = double(MaxSqlTimeMicros()) + 2;
  value = std::clamp(value, low, high);
  const int64_t ceiling = static_cast<int64_t>(std::ceil(value));
  const int64_t floor = static_cast<int64_t>(std::floor(value));
  const auto at_least = [&](int64_t from) { scan.from_micros = std::max(scan.from_micros, from); };
  const auto below = [&](int64_t to) { scan.to_micros = std::min(scan.to_micros, to); };
  switch (op) {
    case PushedOp::kEquals:
      at_least(ceiling);
      below(floor + 1);
      break;
    case PushedOp::kGreater:
      at_least(floor + 1);
      break;
    case PushedOp::kGreaterOrEqual:
      at_least(ceiling);
      break;
    case PushedOp::kLess:
      below(ceiling);
      break;
    case PushedOp::kLessOrEqual:
      below(floor + 1);
      break;
    case PushedOp::kIn:
      break;
  }
}

void NarrowByInteger(PushedOp op, int64_t value, PushedScan& scan) {
  // Outside the times, an integer behaves as the clamped double would.
  if (value < MinSqlTimeMicros() || value > MaxSqlTimeMicros()) {
    NarrowByNumber(op, double(value), scan);
    return;
  }
  const auto at_least = [&](int64_t from) { scan.from_micros = std::max(scan.from_micros, from); };
  const auto below = [&](int64_t to) { scan.to_micros = std::min(scan.to_micros, to); };
  switch (op) {
    case PushedOp::kEquals:
      at_least(value);
      below(value + 1);
      break;
    case PushedOp::kGreater:
      at_least(value + 1);
      break;
    case PushedOp::kGreaterOrEqual:
      at_least(value);
      break;
    case PushedOp::kLess:
      below(value);
      break;
    case PushedOp::kLessOrEqual:
      below(value + 1);
      break;
    case PushedOp::kIn:
      break;
  }
}

// A string column = or IN: the texts it may equal. A NULL never equals
// anything (x IN (NULL, 'a') is 'a' alone); a number or a blob could equal a
// row only through conversions this does not repeat, so then nothing is
// pushed (`pushable` false).
struct EqualTexts {
  std::vector<ScalarValue> texts;
  bool pushable = true;
};

EqualTexts TextsOf(const std::vector<PushedValue>& values) {
  EqualTexts result;
  for (const PushedValue& value : values) {
    if (value.type == PushedValue::Type::kNull) continue;
    if (value.type != PushedValue::Type::kText) {
      result.pushable = false;
      break;
    }
    result.texts.emplace_back(value.text);
  }
  return result;
}

}  // namespace

bool CanPushDown(const EventsTableColumn& column, PushedOp op) {
  if (IsTimestampText(column) || IsTimestampMicros(column)) return IsRangeOp(op);
  if (IsStringColumn(column)) return op == PushedOp::kEquals || op == PushedOp::kIn;
  return false;
}

bool PushDownComparesText(const EventsTableColumn& column) {
  return IsTimestampText(column) || IsStringColumn(column);
}

PushedScan PushDown(const EventsTableSchema& schema,
                    std::span<const PushedConstraint> constraints) {
  PushedScan scan;
  scan.from_micros = MinSqlTimeMicros();
  scan.to_micros = MaxSqlTimeMicros() + 1;
  for (const PushedConstraint& constraint : constraints) {
    const EventsTableColumn& column = schema.columns()[constraint.column];
    if (constraint.op != PushedOp::kIn) {
      // A comparison with NULL is never true.
      if (constraint.values.empty() || constraint.values[0].type == PushedValue::Type::kNull) {
        scan.empty = true;
        continue;
      }
    }
    if (IsTimestampText(column)) {
      if (constraint.values[0].type == PushedValue::Type::kText) {
        NarrowByText(constraint.op, constraint.values[0].text, scan);
      }
    } else if (IsTimestampMicros(column)) {
      const PushedValue& value = constraint.values[0];
      if (value.type == PushedValue::Type::kInteger)
        NarrowByInteger(constraint.op, value.integer, scan);
      if (value.type == PushedValue::Type::kReal && !std::isnan(value.real)) {
        NarrowByNumber(constraint.op, value.real, scan);
      }
    } else if (IsStringColumn(column)) {
      EqualTexts equal = TextsOf(constraint.values);
      if (!equal.pushable) continue;
      if (equal.texts.empty()) {
        scan.empty = true;
        continue;
      }
      Predicate predicate;
      predicate.column = column.name;
      predicate.op = equal.texts.size() == 1 ? CompareOp::kEquals : CompareOp::kIn;
      predicate.values = std::move(equal.texts);
      scan.predicates.push_back(std::move(predicate));
    }
  }
  if (scan.from_micros >= scan.to_micros) scan.empty = true;
  return scan;
}

}  // namespace cdp::query
