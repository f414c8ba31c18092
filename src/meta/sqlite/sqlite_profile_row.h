#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cdp {

// How the SQLite identity store turns a person's member ids and their trait
// rows into the person's profile row (table profiles, migration 0006). Pure
// functions, internal to src/meta/sqlite. Times are Unix milliseconds.

// One id of a person (a row of identity_ids).
struct IdentityMemberRow {
  std::string id;
  bool is_user = false;
  int64_t event_count = 0;
  // Both nullopt when the id had no event of its own.
  std::optional<int64_t> first_seen;
  std::optional<int64_t> last_seen;
};

// One trait row of an id of the person (identity_traits).
struct IdentityTraitRow {
  std::string name;
  bool set_once = false;
  std::string value_json;
  int64_t at = 0;
  int64_t write_seq = 0;  // the order of writes: ties of `at` go by it
};

// A row of the profiles table, JSON columns as text.
struct ProfileRow {
  std::string person;
  int64_t person_key = 0;  // PersonKeyOf(person), as SQLite stores it
  int64_t first_seen = 0;  // 0 (the epoch) when no member had an event
  int64_t last_seen = 0;
  int64_t event_count = 0;
  std::string traits_json = "{}";
  std::string user_ids_json = "[]";
  std::string anonymous_ids_json = "[]";
  std::string search_text;
};

// The profile of `person` from its members and their trait rows:
//  - stats: the sum of the counts, the earliest first_seen, the latest
//    last_seen;
//  - user_ids: the members some event had as user id, anonymous_ids the
//    others, each by first_seen then id (ids without events last);
//  - traits: per name, the plain set with the latest (at, write_seq) over all
//    members, else the set_once with the earliest; keys in byte order;
//  - search_text: the ids, then the trait values (strings as text, numbers and
//    booleans as written; not nulls), one per line, ASCII lower-cased.
ProfileRow BuildProfileRow(std::string person, std::vector<IdentityMemberRow> members,
                           const std::vector<IdentityTraitRow>& traits);

// ASCII letters lower-cased; other bytes as they are.
std::string AsciiLower(std::string text);

}  // namespace cdp
