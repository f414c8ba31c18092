#include "query/explorer/events_columns.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <variant>

#include "query/request_json.h"
#include "store/event_columns.h"

namespace cdp::query {

namespace {

constexpr std::string_view kSectionPrefixes[] = {kPropertiesPrefix, kContextPrefix, kTraitsPrefix,
                                                 kTraitsSetOncePrefix};

bool IsFixedColumn(std::string_view name) {
  const std::span<const StoredColumn> fixed = FixedEventColumns();
  return std::any_of(fixed.begin(), fixed.end(),
                     [&](const StoredColumn& column) { return column.name == name; });
}

}  // namespace

Result<EventsColumn> ParseEventsColumn(std::string_view name, const std::string& path,
                                       std::span<const StoredColumn> stored) {
  EventsColumn column;
  column.name = std::string(name);
  if (name == "person_id") {
    column.kind = EventsColumn::Kind::kPersonId;
    return column;
  }
  if (IsFixedColumn(name)) return column;
  for (const std::string_view prefix : kSectionPrefixes) {
    // "properties" is the section; "properties.plan" one of its columns.
    if (name == prefix.substr(0, prefix.size() - 1)) {
      column.kind = EventsColumn::Kind::kSection;
      column.prefix = std::string(prefix);
      for (const StoredColumn& candidate : stored) {
        if (candidate.name.size() > prefix.size() && candidate.name.starts_with(prefix)) {
          column.section_columns.push_back(candidate.name);
        }
      }
      std::sort(column.section_columns.begin(), column.section_columns.end());
      return column;
    }
    if (name.size() > prefix.size() && name.starts_with(prefix)) return column;
  }
  return FieldError(path,
                    "a column: a fixed one (event, type, timestamp, user_id, ...), person_id, "
                    "properties.<name>, context.<name>, traits.<name>, traits_set_once.<name>, "
                    "or a whole section (properties, context, traits, traits_set_once)");
}

std::string FormatMicrosIso8601(int64_t micros) {
  using namespace std::chrono;
  const sys_time<microseconds> time{microseconds(micros)};
  const sys_days day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss clock{time - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     clock.hours().count(), clock.minutes().count(), clock.seconds().count(),
                     clock.subseconds().count());
}

void WriteEventsValue(JsonWriter& writer, const ScalarValue& value) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          writer.Null();
        } else if constexpr (std::is_same_v<T, std::string>) {
          writer.String(v);
        } else if constexpr (std::is_same_v<T, TimeValue>) {
          writer.String(FormatMicrosIso8601(v.micros));
        } else if constexpr (std::is_same_v<T, double>) {
          writer.Double(v);
        } else {
          writer.Bool(v);
        }
      },
      value);
}

}  // namespace cdp::query
