#pragma once

#include <cstddef>
#include <string_view>

#include "meta/identity_store.h"
#include "query/sql/row_chunk.h"

namespace cdp::query {

// The SQL table `profiles`: one row per person of the workspace, as the
// person directory lists them (PersonDirectory::ScanProfiles).
//
//   id             TEXT     the profile id, ProfileIdOf(PersonKeyOf(person)):
//                           what events.person_id holds for the person's events
//   user_id        TEXT     the person's first user id; NULL when it has none
//   user_ids       TEXT     every user id, first seen first, as a JSON array
//   anonymous_ids  TEXT     every other id, first seen first, as a JSON array
//   traits         TEXT     the traits as a JSON object (json_extract(traits,
//                           '$.plan') or traits ->> 'plan')
//   first_seen_at  TEXT     times as the events table shows timestamp
//   last_seen_at   TEXT     (sql_time_text.h)
//   event_count    INTEGER
//
// The columns are in this order; the index of each is its field in a row.
enum ProfilesColumn : size_t {
  kProfileId = 0,
  kProfileUserId,
  kProfileUserIds,
  kProfileAnonymousIds,
  kProfileTraits,
  kProfileFirstSeenAt,
  kProfileLastSeenAt,
  kProfileEventCount,
  kProfilesColumns,  // how many
};

// What sqlite3_declare_vtab is given for the table.
std::string_view ProfilesTableSql();

// Appends the row of `profile` to `rows` (of width kProfilesColumns).
void AppendProfileRow(const Profile& profile, RowChunk& rows);

}  // namespace cdp::query
