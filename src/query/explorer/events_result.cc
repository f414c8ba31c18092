#include "query/explorer/events_result.h"

#include "core/json_writer.h"
#include "query/explorer/events_columns.h"

namespace cdp::query {

std::string WriteEventsResult(const EventsRequest& request, const EventsPage& page) {
  JsonWriter writer;
  writer.BeginObject();
  writer.Key("from").String(FormatMicrosIso8601(UnixMicros(request.from)));
  writer.Key("to").String(FormatMicrosIso8601(UnixMicros(request.to)));
  writer.Key("columns").BeginArray();
  for (const EventsColumn& column : request.columns) writer.String(column.name);
  writer.EndArray();
  writer.Key("events").BeginArray();
  for (const std::string& row : page.rows) writer.Raw(row);
  writer.EndArray();
  writer.Key("next_cursor");
  if (page.next) {
    writer.String(EncodeEventsCursor(request.order, *page.next));
  } else {
    writer.Null();
  }
  writer.EndObject();
  return std::move(writer).Take();
}

}  // namespace cdp::query
