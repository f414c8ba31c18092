#include "store/event_columns.h"

#include <array>
#include <vector>

namespace cdp {

namespace {

const std::array<StoredColumn, 12> kFixedColumns = {{
    {"type", ColumnKind::kString},
    {"event", ColumnKind::kString},
    {"message_id", ColumnKind::kString},
    {"anonymous_id", ColumnKind::kString},
    {"user_id", ColumnKind::kString},
    {"group_id", ColumnKind::kString},
    {"previous_id", ColumnKind::kString},
    {"timestamp", ColumnKind::kTime},
    {"sent_at", ColumnKind::kTime},
    {"received_at", ColumnKind::kTime},
    {"original_timestamp", ColumnKind::kTime},
    {"integrations", ColumnKind::kString},
}};

ScalarValue TextOrNull(const std::string& text) {
  if (text.empty()) return std::monostate{};
  return text;
}

ScalarValue TimeOf(TimePoint t) { return TimeValue{UnixMicros(t)}; }

ScalarValue PropertyValue(const std::vector<Property>& section, std::string_view name) {
  for (const Property& property : section) {
    if (property.name != name) continue;
    if (property.timestamp.has_value()) return TimeOf(*property.timestamp);
    return std::visit([](const auto& value) -> ScalarValue { return value; }, property.value);
  }
  return std::monostate{};
}

// The order of two non-null values of one kind; nullopt when their kinds
// differ or they are unordered (NaN).
std::optional<std::partial_ordering> Order(const ScalarValue& a, const ScalarValue& b) {
  if (a.index() != b.index() || a.index() == 0) return std::nullopt;
  const std::partial_ordering order = std::visit(
      [&](const auto& left) -> std::partial_ordering {
        using T = std::decay_t<decltype(left)>;
        const T& right = std::get<T>(b);
        if constexpr (std::is_same_v<T, std::monostate>) {
          return std::partial_ordering::equivalent;
        } else if constexpr (std::is_same_v<T, TimeValue>) {
          return left.micros <=> right.micros;
        } else {
          return left <=> right;
        }
      },
      a);
  if (order == std::partial_ordering::unordered) return std::nullopt;
  return order;
}

bool Equal(const ScalarValue& a, const ScalarValue& b) {
  const auto order = Order(a, b);
  return order.has_value() && *order == 0;
}

}  // namespace

std::span<const StoredColumn> FixedEventColumns() { return kFixedColumns; }

ScalarValue ColumnValueOf(const Event& event, std::string_view column) {
  if (column == "type") return std::string(EventTypeName(event.type));
  if (column == "event") return TextOrNull(event.event);
  if (column == "message_id") return TextOrNull(event.message_id);
  if (column == "anonymous_id") return TextOrNull(event.anonymous_id);
  if (column == "user_id") return TextOrNull(event.user_id);
  if (column == "group_id") return TextOrNull(event.group_id);
  if (column == "previous_id") return TextOrNull(event.previous_id);
  if (column == "timestamp") return TimeOf(event.timestamp);
  if (column == "received_at") return TimeOf(event.received_at);
  if (column == "sent_at") return event.sent_at ? TimeOf(*event.sent_at) : std::monostate{};
  if (column == "original_timestamp") {
    return event.original_timestamp ? TimeOf(*event.original_timestamp) : std::monostate{};
  }
  if (column == "integrations") return TextOrNull(event.integrations);
  const auto in_section = [&](std::string_view prefix, const std::vector<Property>& section) {
    return PropertyValue(section, column.substr(prefix.size()));
  };
  if (column.starts_with(kContextPrefix)) return in_section(kContextPrefix, event.context);
  if (column.starts_with(kPropertiesPrefix)) return in_section(kPropertiesPrefix, event.properties);
  if (column.starts_with(kTraitsSetOncePrefix)) {
    return in_section(kTraitsSetOncePrefix, event.traits_set_once);
  }
  if (column.starts_with(kTraitsPrefix)) return in_section(kTraitsPrefix, event.traits);
  return std::monostate{};
}

bool SatisfiesPredicate(const ScalarValue& value, const Predicate& predicate) {
  const bool is_null = std::holds_alternative<std::monostate>(value);
  if (predicate.op == CompareOp::kIsNotSet) return is_null;
  if (is_null) return false;
  const auto compare = [&](auto accept) {
    if (predicate.values.empty()) return false;
    const auto order = Order(value, predicate.values[0]);
    return order.has_value() && accept(*order);
  };
  switch (predicate.op) {
    case CompareOp::kIsSet:
      return true;
    case CompareOp::kEquals:
      return !predicate.values.empty() && Equal(value, predicate.values[0]);
    case CompareOp::kNotEquals:
      return !predicate.values.empty() && !Equal(value, predicate.values[0]);
    case CompareOp::kLess:
      return compare([](auto order) { return order < 0; });
    case CompareOp::kLessOrEqual:
      return compare([](auto order) { return order <= 0; });
    case CompareOp::kGreater:
      return compare([](auto order) { return order > 0; });
    case CompareOp::kGreaterOrEqual:
      return compare([](auto order) { return order >= 0; });
    case CompareOp::kIn:
      for (const ScalarValue& candidate : predicate.values) {
        if (Equal(value, candidate)) return true;
      }
      return false;
    case CompareOp::kContains:
    case CompareOp::kNotContains:
    case CompareOp::kStartsWith:
    case CompareOp::kEndsWith:
    case CompareOp::kRegex:
    case CompareOp::kNotRegex: {
      const std::string* text = std::get_if<std::string>(&value);
      return text != nullptr && StringOperatorMatches(*text, predicate);
    }
    case CompareOp::kIsNotSet:
      break;
  }
  return false;
}

}  // namespace cdp
