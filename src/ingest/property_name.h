#pragma once

#include <string>
#include <string_view>

namespace cdp::ingest {

// Property names are snake_case so that every client's spelling of a field
// lands in one column of the schema registry. The rule, applied to each JSON
// key (ASCII only; every other byte counts as punctuation):
//  1. A word boundary comes before an upper-case letter that follows a
//     lower-case letter or a digit ("firstName", "v2API"), and before the last
//     upper-case letter of a run that a lower-case letter follows
//     ("HTTPStatus" → "HTTP|Status"). Digits never start a word by themselves:
//     "userID2" → "user_id2", "address2" → "address2".
//  2. Letters are lower-cased; each run of characters other than [a-z0-9]
//     (and each word boundary) becomes one '_'; '_' at either end is dropped:
//     "First Name" → "first_name", "$current_url" → "current_url".
//  3. A name that would start with a digit gets a '_' prefix: "2fa" → "_2fa".
//  4. A key with no letter or digit has no name (the caller refuses it).
// A nested key's name is its parent's name, '_', and its own snake_case form.

// Appends the snake_case form of `key` to `name`, after a '_' if `name` is
// not empty (a nested key). Returns false, leaving `name` unchanged, when
// `key` has no letter or digit.
bool AppendSnakeCase(std::string_view key, std::string& name);

// The snake_case form of a top-level key; empty when it has none.
std::string ToSnakeCase(std::string_view key);

}  // namespace cdp::ingest
