#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/result.h"
#include "meta/identity_store.h"

namespace cdp {

// ListProfiles as one SELECT on the profiles table (migration 0006). Internal
// to src/meta/sqlite.

// The most profiles one page may hold.
inline constexpr int kMaxProfilePageSize = 1000;

// The columns every profile SELECT reads, in the order ReadProfile expects;
// the table is aliased `p`.
inline constexpr char kProfileColumns[] =
    "p.workspace_id, p.person, p.user_ids, p.anonymous_ids, p.traits_json, p.first_seen, "
    "p.last_seen, p.event_count";

struct ProfileListQuery {
  std::string sql;
  // Parameter ?N+1 is bindings[N].
  std::vector<std::variant<int64_t, std::string>> bindings;
};

// The page's SELECT: the request's conditions, search and cursor, most
// recently seen first then by person, one profile more than `limit` (whether
// another page follows). BadRequest for a limit outside 1..kMaxProfilePageSize
// (field "limit"), a condition without a name ("conditions[i].name"), or a
// value that is not a JSON string, number or boolean, or not a string for
// kContains ("conditions[i].value").
//
// Conditions follow the filters of events (store/scan.h): a trait that is
// absent or null fails every operator but kIsNotSet; a trait of another kind
// than the value (a number against a string) fails every comparison but
// kNotEquals, which it passes; kContains is a case-sensitive substring of a
// string trait. Search is a case-insensitive (ASCII) substring of the
// profile's search text: any of its ids or trait values.
Result<ProfileListQuery> BuildProfileListQuery(const ProfileListRequest& request);

}  // namespace cdp
