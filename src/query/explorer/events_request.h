#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "query/explorer/events_columns.h"
#include "query/explorer/events_cursor.h"
#include "store/event_store.h"
#include "store/scan.h"

namespace cdp::query {

// A request of the event explorer (POST /query/events), validated:
//
//   {"from": "2026-03-01", "to": "2026-03-08T00:00:00Z",
//    "types": ["track", "page"], "events": ["Signed Up", "Order Completed"],
//    "person_id": "prs_3f2a...", "anonymous_id": "anon-7", "user_id": "u42",
//    "filters": [{"property": "properties.plan", "operator": "equals", "value": "pro"}],
//    "columns": ["event", "properties.plan", "context"],
//    "order": "newest", "limit": 100, "cursor": "<next_cursor of the previous page>"}
//
// Every key is optional. "from" (inclusive) and "to" (exclusive) default to
// the 30 days up to now; "types" and "events" match any of theirs;
// "person_id" names a person by a profile id ("prs_" + 16 hex digits) or by
// any of its distinct ids, and matches the events of every id of that person
// (the merged timeline; a profile id of nobody matches nothing);
// "anonymous_id" and "user_id" match those columns; all conditions hold
// together. "columns" (1 to
// 200, each named once) are what rows show after the key columns
// message_id, timestamp and person_id, which every row starts with; the
// default is type, event, anonymous_id, user_id and properties (see
// EventsColumn). "order" is "newest" (the default) or "oldest"; "limit" is
// 1 to 10,000 (100); "cursor" is the next_cursor of the page before, read
// in the same order.
struct EventsRequest {
  static constexpr int64_t kMaxLimit = 10'000;
  static constexpr int64_t kDefaultLimit = 100;
  static constexpr auto kDefaultRange = std::chrono::hours(24 * 30);

  TimePoint from{};
  TimePoint to{};
  // types, events, anonymous_id, user_id and filters, as store predicates
  // (ANDed); the store evaluates them.
  std::vector<Predicate> predicates;
  // Not a store predicate: a person is a set of ids, found at query time
  // (PersonDirectory::MemberIds), each matched in one column or the other.
  std::optional<std::string> person_id;
  // kEventsKeyColumns, then the chosen (or default) ones, each once.
  std::vector<EventsColumn> columns;
  EventsOrder order = EventsOrder::kNewestFirst;
  size_t limit = kDefaultLimit;
  // The page starts after this row.
  std::optional<EventPosition> after;
};

// Parses and validates `body`; BadRequest naming the field otherwise.
// `stored` lists the workspace's columns (EventStore::Columns); `now` is the
// end of the default range.
Result<EventsRequest> ParseEventsRequest(std::string_view body,
                                         const std::vector<StoredColumn>& stored, TimePoint now);

}  // namespace cdp::query
