#include "query/event_filter.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "store/event_columns.h"

namespace cdp::query {

namespace {

struct OperatorName {
  std::string_view name;
  CompareOp op;
};

constexpr OperatorName kOperators[] = {
    {"equals", CompareOp::kEquals},
    {"not_equals", CompareOp::kNotEquals},
    {"gt", CompareOp::kGreater},
    {"gte", CompareOp::kGreaterOrEqual},
    {"lt", CompareOp::kLess},
    {"lte", CompareOp::kLessOrEqual},
    {"in", CompareOp::kIn},
    {"contains", CompareOp::kContains},
    {"not_contains", CompareOp::kNotContains},
    {"starts_with", CompareOp::kStartsWith},
    {"ends_with", CompareOp::kEndsWith},
    {"regex", CompareOp::kRegex},
    {"not_regex", CompareOp::kNotRegex},
    {"is_set", CompareOp::kIsSet},
    {"is_not_set", CompareOp::kIsNotSet},
};

bool IsStringOperator(CompareOp op) {
  switch (op) {
    case CompareOp::kContains:
    case CompareOp::kNotContains:
    case CompareOp::kStartsWith:
    case CompareOp::kEndsWith:
    case CompareOp::kRegex:
    case CompareOp::kNotRegex:
      return true;
    default:
      return false;
  }
}

Result<ScalarValue> OperandOf(simdjson::dom::element value, const std::string& path) {
  if (value.is_string()) return ScalarValue(std::string(value.get_string().value_unsafe()));
  if (value.is_number()) return ScalarValue(double(value));
  if (value.is_bool()) return ScalarValue(value.get_bool().value_unsafe());
  return FieldError(path, "a string, a number or a boolean");
}

Result<ScalarValue> Converted(const ScalarValue& operand, ColumnKind kind,
                              const std::string& path) {
  const std::string* text = std::get_if<std::string>(&operand);
  const double* number = std::get_if<double>(&operand);
  const bool* boolean = std::get_if<bool>(&operand);
  switch (kind) {
    case ColumnKind::kString:
      if (text != nullptr) return operand;
      if (number != nullptr) return ScalarValue(fmt::format("{}", *number));
      return ScalarValue(std::string(*boolean ? "true" : "false"));
    case ColumnKind::kNumber: {
      if (number != nullptr) return operand;
      double parsed = 0;
      if (text != nullptr) {
        const auto [end, error] =
            std::from_chars(text->data(), text->data() + text->size(), parsed);
        if (error == std::errc() && end == text->data() + text->size()) return ScalarValue(parsed);
      }
      return FieldError(path, "a number: the property is numeric");
    }
    case ColumnKind::kTime: {
      if (text != nullptr) {
        if (const std::optional<TimePoint> time = ParseRequestTime(*text)) {
          return ScalarValue(TimeValue{UnixMicros(*time)});
        }
      }
      return FieldError(path, "an ISO-8601 date-time: the property is a timestamp");
    }
    case ColumnKind::kBoolean:
      if (boolean != nullptr) return operand;
      if (text != nullptr && (*text == "true" || *text == "false")) {
        return ScalarValue(*text == "true");
      }
      return FieldError(path, "true or false: the property is boolean");
  }
  return operand;
}

}  // namespace

Status CheckColumnName(std::string_view column, const std::string& path) {
  for (const StoredColumn& fixed : FixedEventColumns()) {
    if (fixed.name == column) return Status::Ok();
  }
  for (const std::string_view prefix :
       {kPropertiesPrefix, kContextPrefix, kTraitsPrefix, kTraitsSetOncePrefix}) {
    if (column.size() > prefix.size() && column.starts_with(prefix)) return Status::Ok();
  }
  return Status::BadRequest(
      fmt::format("{}: unknown property '{}'; name a fixed column (event, user_id, ...) or "
                  "properties.<name>, context.<name>, traits.<name>, traits_set_once.<name>",
                  path, column),
      path);
}

Result<std::vector<PropertyFilter>> ParseFilters(const RequestObject& parent,
                                                 std::string_view key) {
  CDP_ASSIGN_OR_RETURN(const std::vector<RequestObject::Element> elements,
                       parent.Array(key, 0, 100));
  std::vector<PropertyFilter> filters;
  for (const RequestObject::Element& element : elements) {
    CDP_ASSIGN_OR_RETURN(const RequestObject object,
                         RequestObject::Of(element.value, element.path));
    CDP_RETURN_IF_ERROR(object.RejectUnknownKeys({"property", "operator", "value"}));
    PropertyFilter filter;
    filter.path = element.path;
    CDP_ASSIGN_OR_RETURN(const std::string_view column, object.String("property"));
    CDP_RETURN_IF_ERROR(CheckColumnName(column, object.PathOf("property")));
    filter.column = std::string(column);
    CDP_ASSIGN_OR_RETURN(const std::string_view op, object.String("operator"));
    const auto* known = std::find_if(std::begin(kOperators), std::end(kOperators),
                                     [&](const OperatorName& o) { return o.name == op; });
    if (known == std::end(kOperators)) {
      std::string names;
      for (const OperatorName& o : kOperators)
        names += (names.empty() ? "" : ", ") + std::string(o.name);
      return FieldError(object.PathOf("operator"), "one of " + names);
    }
    filter.op = known->op;
    const std::string value_path = object.PathOf("value");
    const std::optional<simdjson::dom::element> value = object.Value("value");
    if (filter.op == CompareOp::kIsSet || filter.op == CompareOp::kIsNotSet) {
      if (value) return FieldError(value_path, "absent: the operator takes no value");
    } else if (filter.op == CompareOp::kIn) {
      CDP_ASSIGN_OR_RETURN(const std::vector<RequestObject::Element> items,
                           object.Array("value", 1, 1000));
      for (const RequestObject::Element& item : items) {
        CDP_ASSIGN_OR_RETURN(ScalarValue operand, OperandOf(item.value, item.path));
        filter.operands.push_back(std::move(operand));
      }
    } else {
      if (!value) return Status::BadRequest(fmt::format("{} is required", value_path), value_path);
      CDP_ASSIGN_OR_RETURN(ScalarValue operand, OperandOf(*value, value_path));
      if (IsStringOperator(filter.op) && !std::holds_alternative<std::string>(operand)) {
        return FieldError(value_path, "a string for this operator");
      }
      filter.operands.push_back(std::move(operand));
    }
    filters.push_back(std::move(filter));
  }
  return filters;
}

Result<EventSelector> ParseEventSelector(const RequestObject& object) {
  EventSelector selector;
  selector.path = object.path();
  CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> event, object.OptionalString("event"));
  if (event) selector.event = std::string(*event);
  CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> type, object.OptionalString("type"));
  if (type) {
    selector.type = ParseEventType(*type);
    if (!selector.type) {
      return FieldError(object.PathOf("type"),
                        "one of track, identify, page, screen, group, alias");
    }
  }
  CDP_ASSIGN_OR_RETURN(selector.filters, ParseFilters(object));
  return selector;
}

Result<ColumnCatalog> ColumnCatalog::Load(EventStore& store, std::string_view workspace_id) {
  CDP_ASSIGN_OR_RETURN(std::vector<StoredColumn> columns, store.Columns(workspace_id));
  return ColumnCatalog(std::move(columns));
}

std::optional<ColumnKind> ColumnCatalog::KindOf(std::string_view column) const {
  for (const StoredColumn& stored : columns_) {
    if (stored.name == column) return stored.kind;
  }
  return std::nullopt;
}

Result<Predicate> ToPredicate(const PropertyFilter& filter, const ColumnCatalog& catalog) {
  const std::string value_path = filter.path + ".value";
  const std::optional<ColumnKind> kind = catalog.KindOf(filter.column);
  if (IsStringOperator(filter.op)) {
    if (kind && *kind != ColumnKind::kString) {
      return FieldError(filter.path + ".operator",
                        fmt::format("an operator for {} properties: '{}' holds {}s",
                                    ColumnKindName(*kind), filter.column, ColumnKindName(*kind)));
    }
    if (filter.op == CompareOp::kRegex || filter.op == CompareOp::kNotRegex) {
      return RegexPredicate(filter.column, std::get<std::string>(filter.operands[0]),
                            filter.op == CompareOp::kNotRegex, value_path);
    }
  }
  Predicate predicate{.column = filter.column, .op = filter.op, .values = {}, .regex = nullptr};
  for (size_t i = 0; i < filter.operands.size(); ++i) {
    if (!kind) {
      predicate.values.push_back(filter.operands[i]);  // no row has the column
      continue;
    }
    const std::string path =
        filter.op == CompareOp::kIn ? fmt::format("{}[{}]", value_path, i) : value_path;
    CDP_ASSIGN_OR_RETURN(ScalarValue value, Converted(filter.operands[i], *kind, path));
    predicate.values.push_back(std::move(value));
  }
  return predicate;
}

Result<std::vector<Predicate>> ToPredicates(const EventSelector& selector,
                                            const ColumnCatalog& catalog) {
  std::vector<Predicate> predicates;
  if (selector.type) {
    predicates.push_back({.column = "type",
                          .op = CompareOp::kEquals,
                          .values = {std::string(EventTypeName(*selector.type))},
                          .regex = nullptr});
  }
  if (selector.event) {
    predicates.push_back({.column = "event",
                          .op = CompareOp::kEquals,
                          .values = {*selector.event},
                          .regex = nullptr});
  }
  for (const PropertyFilter& filter : selector.filters) {
    CDP_ASSIGN_OR_RETURN(Predicate predicate, ToPredicate(filter, catalog));
    predicates.push_back(std::move(predicate));
  }
  return predicates;
}

bool EventMatches(const Event& event, std::span<const Predicate> predicates) {
  return std::all_of(predicates.begin(), predicates.end(), [&](const Predicate& predicate) {
    return SatisfiesPredicate(ColumnValueOf(event, predicate.column), predicate);
  });
}

}  // namespace cdp::query
