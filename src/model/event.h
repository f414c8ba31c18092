#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.h"
#include "model/property_type.h"

namespace cdp {

// The six Segment message types; PostHog-style capture events map onto them.
enum class EventType { kTrack, kIdentify, kPage, kScreen, kGroup, kAlias };

std::string_view EventTypeName(EventType type);  // "track", "identify", ...
std::optional<EventType> ParseEventType(std::string_view name);

// One flattened property: {"a":{"b":1}} becomes name "a_b"; names are
// snake_case; an array is kept as its JSON text (type string); null values
// are kept as null (they carry no type).
struct Property {
  std::string name;
  std::variant<std::monostate, std::string, double, bool> value;
  // Set for strings that parse as ISO-8601 date-times.
  std::optional<TimePoint> timestamp;

  bool is_null() const { return std::holds_alternative<std::monostate>(value); }
  // The registry type; REQUIRES: !is_null().
  PropertyType type() const;
};

// An accepted event, normalized: what ingestion appends to the event log.
struct Event {
  std::string workspace_id;
  EventType type = EventType::kTrack;
  std::string message_id;  // the client's, or a UUIDv7 when it sent none
  std::string anonymous_id;
  std::string user_id;
  std::string group_id;     // group
  std::string previous_id;  // alias
  std::string event;        // track: the event name; page / screen: the name

  TimePoint received_at{};                      // server time
  std::optional<TimePoint> sent_at;             // the client's sentAt
  std::optional<TimePoint> original_timestamp;  // the client's timestamp
  TimePoint timestamp{};                        // skew-corrected (see ingest docs)

  std::vector<Property> context;          // flattened context: ip, user_agent, page_url, ...
  std::vector<Property> properties;       // track / page / screen properties
  std::vector<Property> traits;           // identify / group traits; capture $set
  std::vector<Property> traits_set_once;  // capture $set_once
  // Segment's "integrations" object (which destinations get the event) as
  // compact JSON, a batch's keys merged under the item's; empty when none was
  // sent. Kept as sent: destination names are not property names.
  std::string integrations;
};

}  // namespace cdp
