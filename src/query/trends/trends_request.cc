#include "query/trends/trends_request.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "query/calendar_fields.h"
#include "query/request_json.h"
#include "store/event_columns.h"

namespace cdp::query {

namespace {

struct MathName {
  std::string_view name;
  TrendsMath math;
};

constexpr MathName kMaths[] = {
    {"total", TrendsMath::kTotal},
    {"unique_persons", TrendsMath::kUniquePersons},
    {"dau", TrendsMath::kDau},
    {"wau", TrendsMath::kWau},
    {"mau", TrendsMath::kMau},
    {"count_per_person_avg", TrendsMath::kCountPerPersonAvg},
    {"count_per_person_median", TrendsMath::kCountPerPersonMedian},
    {"count_per_person_p90", TrendsMath::kCountPerPersonP90},
    {"sum", TrendsMath::kSum},
    {"avg", TrendsMath::kAvg},
    {"min", TrendsMath::kMin},
    {"max", TrendsMath::kMax},
    {"median", TrendsMath::kMedian},
    {"p90", TrendsMath::kP90},
    {"p95", TrendsMath::kP95},
    {"p99", TrendsMath::kP99},
};

Result<TrendsMath> ParseMath(const RequestObject& object) {
  const std::string path = object.PathOf("math");
  CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> name, object.OptionalString("math"));
  if (!name) return TrendsMath::kTotal;
  for (const MathName& known : kMaths) {
    if (known.name == *name) return known.math;
  }
  std::string names;
  for (const MathName& known : kMaths)
    names += (names.empty() ? "" : ", ") + std::string(known.name);
  return FieldError(path, "one of " + names);
}

// The property of a property math: a property column that some stored event
// holds as a number. A column no event has yet is accepted (every value is
// null); one stored only as strings, booleans or times is refused. A column
// whose type changed keeps its old kind in older parts: those rows are not
// numbers and are skipped.
Status CheckMathProperty(const std::string& path, std::string_view column,
                         std::span<const StoredColumn> columns) {
  CDP_RETURN_IF_ERROR(CheckColumnName(column, path));
  bool stored = false;
  for (const StoredColumn& stored_column : columns) {
    if (stored_column.name != column) continue;
    if (stored_column.kind == ColumnKind::kNumber) return Status::Ok();
    stored = true;
  }
  if (!stored) return Status::Ok();
  return FieldError(path, fmt::format("a numeric property: '{}' holds no numbers", column));
}

std::string DefaultName(const EventSelector& selector) {
  if (selector.event) return *selector.event;
  if (selector.type) return fmt::format("all {} events", EventTypeName(*selector.type));
  return "all events";
}

Result<TrendsSeries> ParseSeries(const RequestObject::Element& element, Interval interval,
                                 std::span<const StoredColumn> columns,
                                 const ColumnCatalog& catalog) {
  CDP_ASSIGN_OR_RETURN(const RequestObject object, RequestObject::Of(element.value, element.path));
  CDP_RETURN_IF_ERROR(
      object.RejectUnknownKeys({"event", "type", "filters", "math", "math_property", "name"}));
  TrendsSeries series;
  CDP_ASSIGN_OR_RETURN(series.selector, ParseEventSelector(object));
  CDP_ASSIGN_OR_RETURN(series.predicates, ToPredicates(series.selector, catalog));
  CDP_ASSIGN_OR_RETURN(series.math, ParseMath(object));
  if (WindowDaysOf(series.math) > 0 && interval == Interval::kMonth) {
    return FieldError(object.PathOf("math"),
                      "a math other than wau or mau for interval month (their rolling 7 or 30 "
                      "days need an interval of hour, day or week)");
  }
  const std::string property_path = object.PathOf("math_property");
  CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> property,
                       object.OptionalString("math_property"));
  if (IsPropertyMath(series.math)) {
    if (!property) {
      return Status::BadRequest(
          fmt::format("{} is required for math '{}'", property_path, TrendsMathName(series.math)),
          property_path);
    }
    CDP_RETURN_IF_ERROR(CheckMathProperty(property_path, *property, columns));
    series.math_property = std::string(*property);
  } else if (property) {
    return FieldError(property_path, fmt::format("absent for math '{}', which reads no property",
                                                 TrendsMathName(series.math)));
  }
  CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> name, object.OptionalString("name"));
  series.name = name ? std::string(*name) : DefaultName(series.selector);
  return series;
}

Result<std::optional<TrendsBreakdown>> ParseBreakdown(const RequestObject& body) {
  CDP_ASSIGN_OR_RETURN(const std::optional<RequestObject> object, body.OptionalObject("breakdown"));
  if (!object) return std::optional<TrendsBreakdown>();
  CDP_RETURN_IF_ERROR(object->RejectUnknownKeys({"property", "limit"}));
  TrendsBreakdown breakdown;
  CDP_ASSIGN_OR_RETURN(const std::string_view column, object->String("property"));
  CDP_RETURN_IF_ERROR(CheckColumnName(column, object->PathOf("property")));
  breakdown.column = std::string(column);
  CDP_ASSIGN_OR_RETURN(const int64_t limit, object->Int("limit", TrendsBreakdown::kDefaultLimit, 1,
                                                        TrendsBreakdown::kMaxLimit));
  breakdown.limit = size_t(limit);
  return std::optional<TrendsBreakdown>(std::move(breakdown));
}

}  // namespace

std::string_view TrendsMathName(TrendsMath math) {
  for (const MathName& known : kMaths) {
    if (known.math == math) return known.name;
  }
  return "";
}

bool IsPropertyMath(TrendsMath math) { return math >= TrendsMath::kSum; }

bool IsPersonMath(TrendsMath math) {
  return math >= TrendsMath::kUniquePersons && math <= TrendsMath::kCountPerPersonP90;
}

bool IsCountMath(TrendsMath math) { return math <= TrendsMath::kMau; }

int WindowDaysOf(TrendsMath math) {
  if (math == TrendsMath::kWau) return 7;
  if (math == TrendsMath::kMau) return 30;
  return 0;
}

std::optional<double> QuantileOf(TrendsMath math) {
  switch (math) {
    case TrendsMath::kCountPerPersonMedian:
    case TrendsMath::kMedian:
      return 0.5;
    case TrendsMath::kCountPerPersonP90:
    case TrendsMath::kP90:
      return 0.9;
    case TrendsMath::kP95:
      return 0.95;
    case TrendsMath::kP99:
      return 0.99;
    default:
      return std::nullopt;
  }
}

TimePoint WindowStart(const TimeZone& zone, TimePoint end, int days) {
  const TimePoint whole = std::chrono::floor<std::chrono::seconds>(end);
  const cctz::civil_second civil = zone.Civil(end);
  const cctz::civil_day day = cctz::civil_day(civil) - days;
  const cctz::civil_second earlier(day.year(), day.month(), day.day(), civil.hour(), civil.minute(),
                                   civil.second());
  return zone.Instant(earlier) + (end - whole);
}

Result<TrendsRequest> ParseTrendsRequest(std::string_view body,
                                         std::span<const StoredColumn> columns) {
  simdjson::dom::parser parser;
  CDP_ASSIGN_OR_RETURN(const RequestObject object, RequestObject::Parse(parser, body));
  CDP_RETURN_IF_ERROR(object.RejectUnknownKeys(
      {"from", "to", "interval", "time_zone", "series", "breakdown", "formula", "compare"}));
  TrendsRequest request;
  CDP_ASSIGN_OR_RETURN(const TimeRange range, ParseTimeRange(object));
  request.from = range.from;
  request.to = range.to;
  CDP_ASSIGN_OR_RETURN(request.interval, ParseInterval(object));
  CDP_ASSIGN_OR_RETURN(request.time_zone, ParseTimeZone(object));

  const ColumnCatalog catalog{std::vector<StoredColumn>(columns.begin(), columns.end())};
  CDP_ASSIGN_OR_RETURN(const std::vector<RequestObject::Element> elements,
                       object.Array("series", 1, TrendsRequest::kMaxSeries));
  for (const RequestObject::Element& element : elements) {
    CDP_ASSIGN_OR_RETURN(TrendsSeries series,
                         ParseSeries(element, request.interval, columns, catalog));
    request.series.push_back(std::move(series));
  }
  CDP_ASSIGN_OR_RETURN(request.breakdown, ParseBreakdown(object));
  CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> formula,
                       object.OptionalString("formula"));
  if (formula) {
    CDP_ASSIGN_OR_RETURN(request.formula,
                         TrendsFormula::Parse(*formula, request.series.size(), "formula"));
  }
  CDP_ASSIGN_OR_RETURN(request.compare, object.Bool("compare", false));

  CDP_ASSIGN_OR_RETURN(TimeBuckets buckets, TimeBuckets::Make(request.time_zone, request.interval,
                                                              request.from, request.to, "to"));
  request.periods.push_back({request.from, request.to, std::move(buckets)});
  if (request.compare) {
    // TimePoint spans the years 1678 to 2261; a previous period (and its
    // rolling windows) must stay inside.
    constexpr int64_t kEarliestMicros = -8'520'336'000'000'000;  // 1700-01-01
    if (UnixMicros(request.from) - UnixMicros(request.to) + UnixMicros(request.from) <
        kEarliestMicros) {
      return FieldError("compare", "false for a range whose previous period starts before 1700");
    }
    const TimePoint previous_from = request.from - (request.to - request.from);
    CDP_ASSIGN_OR_RETURN(
        TimeBuckets previous,
        TimeBuckets::Make(request.time_zone, request.interval, previous_from, request.from, "to"));
    request.periods.push_back({previous_from, request.from, std::move(previous)});
  }

  // The answer's size, bounded before any work: every series has one entry
  // per breakdown value (and "other") per period, each a value per bucket.
  size_t points = 0;
  for (const TrendsPeriod& period : request.periods) points += period.buckets.size();
  const size_t entries = request.breakdown ? request.breakdown->limit + 1 : 1;
  if (points * entries * request.series.size() > TrendsRequest::kMaxResultPoints) {
    const std::string field = request.breakdown ? "breakdown.limit" : "interval";
    return Status::BadRequest(
        fmt::format("{}: the answer would hold more than {} values (series x breakdown values x "
                    "buckets); lower the breakdown limit, choose a longer interval or a shorter "
                    "range",
                    field, TrendsRequest::kMaxResultPoints),
        field);
  }
  return request;
}

}  // namespace cdp::query
