#include "query/explorer/events_reference.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/json_writer.h"
#include "query/event_filter.h"
#include "query/explorer/events_columns.h"
#include "query/person_key.h"
#include "store/event_columns.h"

namespace cdp::query::testing {

namespace {

const std::vector<Property>& SectionOf(const Event& event, std::string_view prefix) {
  if (prefix == kContextPrefix) return event.context;
  if (prefix == kTraitsPrefix) return event.traits;
  if (prefix == kTraitsSetOncePrefix) return event.traits_set_once;
  return event.properties;
}

std::string RowOf(const Event& event, const EventsRequest& request, const PersonMap& persons) {
  JsonWriter writer;
  writer.BeginObject();
  for (const EventsColumn& column : request.columns) {
    writer.Key(column.name);
    switch (column.kind) {
      case EventsColumn::Kind::kStored:
        WriteEventsValue(writer, ColumnValueOf(event, column.name));
        break;
      case EventsColumn::Kind::kPersonId:
        if (PersonOf(event, persons) == 0) {
          writer.Null();
        } else {
          writer.String(ProfileIdOf(PersonOf(event, persons)));
        }
        break;
      case EventsColumn::Kind::kSection: {
        // The event's property names, each once, by name; those whose value
        // is null are left out.
        std::vector<std::string> names;
        for (const Property& property : SectionOf(event, column.prefix)) {
          names.push_back(property.name);
        }
        std::sort(names.begin(), names.end());
        names.erase(std::unique(names.begin(), names.end()), names.end());
        writer.BeginObject();
        for (const std::string& name : names) {
          const ScalarValue value = ColumnValueOf(event, column.prefix + name);
          if (std::holds_alternative<std::monostate>(value)) continue;
          writer.Key(name);
          WriteEventsValue(writer, value);
        }
        writer.EndObject();
        break;
      }
    }
  }
  writer.EndObject();
  return std::move(writer).Take();
}

}  // namespace

EventsPage ReferenceEventsPage(std::span<const Event> events, std::string_view workspace_id,
                               const EventsRequest& request, const PersonDirectory* persons) {
  const std::shared_ptr<const PersonMap> snapshot =
      persons != nullptr ? persons->Snapshot(workspace_id) : std::make_shared<PersonMap>();
  std::optional<PersonKey> wanted;
  if (request.person_id) {
    const std::optional<PersonKey> profile = ParseProfileId(*request.person_id);
    wanted = persons != nullptr && profile ? snapshot->Resolve(*profile)
                                           : snapshot->ResolveId(*request.person_id);
  }
  std::vector<const Event*> matches;
  for (const Event& event : events) {
    if (event.workspace_id != workspace_id) continue;
    if (event.timestamp < request.from || event.timestamp >= request.to) continue;
    if (!EventMatches(event, request.predicates)) continue;
    if (wanted && PersonOf(event, *snapshot) != *wanted) continue;
    if (request.after &&
        !ComesAfter(request.order, UnixMicros(event.timestamp), event.message_id, *request.after)) {
      continue;
    }
    matches.push_back(&event);
  }
  std::sort(matches.begin(), matches.end(), [&](const Event* a, const Event* b) {
    return ComesAfter(request.order, UnixMicros(b->timestamp), b->message_id,
                      UnixMicros(a->timestamp), a->message_id);
  });
  EventsPage page;
  for (size_t i = 0; i < matches.size() && i < request.limit; ++i) {
    page.rows.push_back(RowOf(*matches[i], request, *snapshot));
  }
  if (matches.size() > request.limit) {
    const Event& last = *matches[request.limit - 1];
    page.next = EventPosition{UnixMicros(last.timestamp), last.message_id};
  }
  return page;
}

}  // namespace cdp::query::testing
