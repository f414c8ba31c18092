#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace cdp {

// Persistence of identity stitching and profiles (ARCHITECTURE.md: the
// MetaStore keeps profiles). The identity service (identity/identity_service.h)
// is the only writer; it computes every change and hands them over in
// batches, each applied atomically with the log offsets it consumed through,
// so that a restart resumes exactly where the last batch ended.
//
// Persons are named by their representative id (identity_graph.h); an id that
// no merge touched is its own person and its own representative.

// One recorded link request: an identify, alias or merge_dangerously event,
// in the order the identity service applied them (seq, per workspace, from 1).
struct IdentityLinkRecord {
  std::string workspace_id;
  int64_t seq = 0;
  std::string kind;           // LinkKindName: "identify", "alias", "merge_dangerously"
  std::string from_id;        // the anonymous / previous id
  std::string to_id;          // the user id
  std::string message_id;     // of the event that asked for it
  TimePoint event_timestamp;  // that event's timestamp
  TimePoint applied_at;       // when the identity service applied it
  std::string outcome;        // LinkOutcomeName: "merged", "same_person", "refused_identified"
  // outcome "merged" only: the merge's id (UUIDv7), the representatives of
  // the surviving and the absorbed person, and the absorbed person's ids.
  std::string merge_id;
  std::string winner;
  std::string loser;
  std::vector<std::string> moved_ids;
  std::optional<TimePoint> unmerged_at;  // set once the merge is undone

  friend bool operator==(const IdentityLinkRecord&, const IdentityLinkRecord&) = default;
};

// What a batch of events did to one id (the events resolved to it:
// ResolutionIdOf). Counts add up; times widen.
struct IdActivity {
  std::string workspace_id;
  std::string id;
  std::string person;            // the id's representative when the batch was applied
  bool seen_as_user_id = false;  // some event had it as its user_id
  int64_t events = 0;
  TimePoint first_seen;
  TimePoint last_seen;
};

// A trait an event set on an id: identify traits and capture $set
// (set_once false: the value of the latest event timestamp wins), or capture
// $set_once (set_once true: the value of the earliest timestamp is kept, and
// only shows when no plain set exists for the name across the person).
struct TraitWrite {
  std::string workspace_id;
  std::string id;
  std::string person;  // the id's representative when the batch was applied
  std::string name;
  std::string value_json;  // the flattened value as JSON: "\"pro\"", "3", "true", "null"
  TimePoint at;            // the event's timestamp
  bool set_once = false;
};

// An id that moved to another person (a merge or an unmerge). The person
// named is a representative: it belongs to itself (unless assigned in turn),
// and the store records it as an id, without events, if it has none yet.
struct PersonAssignment {
  std::string workspace_id;
  std::string id;
  std::string person;  // the new representative
};

// Everything one step of the identity service changes, applied atomically.
struct IdentityBatch {
  std::vector<IdActivity> activity;
  std::vector<TraitWrite> traits;
  std::vector<IdentityLinkRecord> new_links;
  std::vector<PersonAssignment> assignments;  // in order: a later one wins
  // Merges undone: (workspace_id, merge_id) with the time.
  std::vector<std::pair<std::string, std::string>> unmerged;
  TimePoint unmerged_at;
  // The event log offsets consumed through: (partition, next offset). Empty
  // for an unmerge, which consumes nothing.
  std::vector<std::pair<int, uint64_t>> offsets;
};

// A person as the profile API shows it.
struct Profile {
  std::string workspace_id;
  std::string person;  // the representative id; the profile id is ProfileIdOf(PersonKeyOf(person))
  // The person's user ids (ids some event carried as user_id), by first_seen
  // then id (ids without events of their own last); the first is "the" user id.
  std::vector<std::string> user_ids;
  // Every other id of the person, in the same order.
  std::vector<std::string> anonymous_ids;
  // The person's traits as a JSON object: per name, the value of the latest
  // plain set over all its ids, else of the earliest set_once.
  std::string traits_json = "{}";
  // Over the events of all its ids; the epoch when none of its ids had an
  // event of its own (an anonymous id seen only in an identify).
  TimePoint first_seen;
  TimePoint last_seen;
  int64_t event_count = 0;

  friend bool operator==(const Profile&, const Profile&) = default;
};

// A condition on a trait for ListProfiles, read as the filters of events
// (store/scan.h): numbers compare numerically, strings bytewise, booleans as
// false < true; a trait that is absent or null fails every operator but
// kIsNotSet; a trait of another kind than the value fails every comparison
// but kNotEquals, which it passes; kContains is a case-sensitive substring of
// a string trait (its value must be a string).
struct TraitCondition {
  enum class Op { kEquals, kNotEquals, kGt, kGte, kLt, kLte, kContains, kIsSet, kIsNotSet };
  std::string name;
  Op op = Op::kEquals;
  std::string value_json;  // a JSON string, number or boolean; unused for kIsSet / kIsNotSet
};

struct ProfileListRequest {
  std::string workspace_id;
  std::vector<TraitCondition> conditions;  // all must hold
  // Case-insensitive (ASCII letters) substring of any id of the person or of
  // any trait value (strings as text, numbers and booleans as written).
  std::optional<std::string> search;
  int limit = 100;  // 1 to 1000, else BadRequest (field "limit")
  // Profiles come most recently seen first, then by person; the cursor is
  // the (last_seen, person) of the previous page's last profile.
  std::optional<std::pair<TimePoint, std::string>> after;
};

struct ProfilePage {
  std::vector<Profile> profiles;
  bool has_more = false;
};

// Times are kept to the millisecond (what a round trip returns). Thread
// safety: every method may be called from any thread. Errors: Unavailable
// when the database is busy, Internal otherwise, plus those documented.
class IdentityStore {
 public:
  virtual ~IdentityStore() = default;

  virtual Status Apply(const IdentityBatch& batch) = 0;
  // The offsets the last batch consumed through: (partition, next offset).
  virtual Result<std::vector<std::pair<int, uint64_t>>> ConsumedOffsets() = 0;
  // Every link of every workspace, by workspace then seq: what rebuilds the
  // graphs at start (IdentityGraph::Replay).
  virtual Status ForEachLink(const std::function<Status(const IdentityLinkRecord&)>& each) = 0;

  // The representative of `id`'s person; nullopt when no event ever had it.
  virtual Result<std::optional<std::string>> PersonOf(std::string_view workspace_id,
                                                      std::string_view id) = 0;
  // The ids whose PersonKeyOf is `key` (normally one).
  virtual Result<std::vector<std::string>> IdsWithKey(std::string_view workspace_id,
                                                      uint64_t key) = 0;
  // The profile of a person (by its representative). NotFound when no
  // event ever had an id of it.
  virtual Result<Profile> GetProfile(std::string_view workspace_id, std::string_view person) = 0;
  virtual Result<ProfilePage> ListProfiles(const ProfileListRequest& request) = 0;
  // Every profile of the workspace, in no particular order, until `each`
  // returns false: the SQL sandbox's profiles table.
  virtual Status ScanProfiles(std::string_view workspace_id,
                              const std::function<bool(const Profile&)>& each) = 0;
  // The link records whose merge joined ids of the person, by seq (undone
  // ones included, with unmerged_at). NotFound as GetProfile.
  virtual Result<std::vector<IdentityLinkRecord>> MergesOf(std::string_view workspace_id,
                                                           std::string_view person) = 0;
};

}  // namespace cdp
