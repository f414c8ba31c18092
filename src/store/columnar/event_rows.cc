#include "store/columnar/event_rows.h"

#include <string>
#include <vector>

#include "store/event_columns.h"

namespace cdp::columnar {

namespace {

void SetText(ColumnTable& table, std::string_view column, const std::string& value) {
  if (!value.empty()) table.SetString(column, value);
}

// Sets each property of a section under "<prefix><name>"; `name` is a reused
// buffer. The first of two equal names wins, as in ColumnValueOf.
void SetSection(ColumnTable& table, std::string_view prefix, const std::vector<Property>& section,
                std::string& name) {
  for (size_t i = 0; i < section.size(); ++i) {
    const Property& property = section[i];
    if (property.is_null()) continue;
    bool repeated = false;
    for (size_t j = 0; j < i && !repeated; ++j) repeated = section[j].name == property.name;
    if (repeated) continue;
    name.assign(prefix);
    name += property.name;
    if (property.timestamp.has_value()) {
      table.SetTime(name, UnixMicros(*property.timestamp));
    } else if (const auto* text = std::get_if<std::string>(&property.value)) {
      table.SetString(name, *text);
    } else if (const auto* number = std::get_if<double>(&property.value)) {
      table.SetNumber(name, *number);
    } else {
      table.SetBoolean(name, std::get<bool>(property.value));
    }
  }
}

}  // namespace

void AppendEventRow(const Event& event, ColumnTable& table) {
  table.StartRow();
  table.SetString("type", EventTypeName(event.type));
  SetText(table, "event", event.event);
  SetText(table, "message_id", event.message_id);
  SetText(table, "anonymous_id", event.anonymous_id);
  SetText(table, "user_id", event.user_id);
  SetText(table, "group_id", event.group_id);
  SetText(table, "previous_id", event.previous_id);
  table.SetTime("timestamp", UnixMicros(event.timestamp));
  if (event.sent_at) table.SetTime("sent_at", UnixMicros(*event.sent_at));
  table.SetTime("received_at", UnixMicros(event.received_at));
  if (event.original_timestamp) {
    table.SetTime("original_timestamp", UnixMicros(*event.original_timestamp));
  }
  SetText(table, "integrations", event.integrations);
  std::string name;
  SetSection(table, kContextPrefix, event.context, name);
  SetSection(table, kPropertiesPrefix, event.properties, name);
  SetSection(table, kTraitsPrefix, event.traits, name);
  SetSection(table, kTraitsSetOncePrefix, event.traits_set_once, name);
}

}  // namespace cdp::columnar
