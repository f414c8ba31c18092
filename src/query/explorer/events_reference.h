#pragma once

#include <span>
#include <string_view>

#include "model/event.h"
#include "query/explorer/events_request.h"
#include "query/explorer/events_result.h"
#include "query/person_directory.h"

namespace cdp::query::testing {

// The explorer's page, straight from the definition, over `events` (of any
// workspace: those of `workspace_id` count): keep the events in the range
// that satisfy every predicate (EventMatches), whose person (PersonOf under
// the snapshot of `persons`) is the person the requested person_id names,
// and that come after the cursor; sort them by (timestamp, message_id) in
// the request's order; take `limit`. Each row is written from ColumnValueOf,
// its person_id as ProfileIdOf(PersonOf(event)). What the engine is tested
// against.
//
// The person a person_id names, without the directory's MemberIds (which the
// engine uses): with a directory, a profile id names the person of the id
// whose key it holds (snapshot.Resolve(key)) and any other text the person of
// that id; without one (nullptr: nobody merged, no profiles), every value is
// a distinct id.
EventsPage ReferenceEventsPage(std::span<const Event> events, std::string_view workspace_id,
                               const EventsRequest& request,
                               const PersonDirectory* persons = nullptr);

}  // namespace cdp::query::testing
