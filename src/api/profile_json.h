#pragma once

#include <string>

#include "core/json_writer.h"
#include "identity/identity_service.h"
#include "meta/identity_store.h"

namespace cdp::api {

// How the profile API writes persons (docs/openapi.yaml, "Profile"):
//
//   {"id": "prs_…", "user_id": "u42" or null, "user_ids": [...],
//    "anonymous_ids": [...], "traits": {...}, "first_seen_at": "…Z",
//    "last_seen_at": "…Z", "event_count": 12}
//
// "id" is the profile id (ProfileIdOf of the representative's key);
// "user_id" is the first of "user_ids" (by first seen), null for a person
// only ever seen anonymously.
void WriteProfile(JsonWriter& json, const Profile& profile);

// A profile as GET /profiles/{id} shows it: the fields of WriteProfile plus
// "merges", the merges that joined its ids, oldest first:
//
//   {"merge_id", "kind" (identify | alias | merge_dangerously), "from_id",
//    "to_id", "message_id", "event_timestamp", "merged_at",
//    "winner": {"id", "profile_id"}, "loser": {"id", "profile_id"},
//    "moved_ids": [...], "unmerged_at": "…Z" or null}
//
// "winner" and "loser" are the two persons as they were just before the
// merge, each named by its representative id and the profile id it had
// then: the loser's profile id is the one that stopped existing.
void WriteProfileView(JsonWriter& json, const identity::ProfileView& view);
std::string ProfileViewJson(const identity::ProfileView& view);

// POST /profiles/{id}/unmerge's answer: {"kept": <view>, "split_off": <view>}.
std::string UnmergeOutcomeJson(const identity::UnmergeOutcome& outcome);

}  // namespace cdp::api
