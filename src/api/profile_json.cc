#include "api/profile_json.h"

#include <span>

#include "model/person_map.h"

namespace cdp::api {

namespace {

void WriteIds(JsonWriter& json, std::span<const std::string> ids) {
  json.BeginArray();
  for (const std::string& id : ids) json.String(id);
  json.EndArray();
}

// Every field of a profile but the closing brace, so that the view can add
// its merges to the same object.
void WriteProfileFields(JsonWriter& json, const std::string& profile_id, const Profile& profile) {
  json.BeginObject().Key("id").String(profile_id).Key("user_id");
  if (profile.user_ids.empty()) {
    json.Null();
  } else {
    json.String(profile.user_ids.front());
  }
  json.Key("user_ids");
  WriteIds(json, profile.user_ids);
  json.Key("anonymous_ids");
  WriteIds(json, profile.anonymous_ids);
  // The store keeps the traits as one JSON object; an empty text is a person
  // without traits.
  json.Key("traits").Raw(profile.traits_json.empty() ? "{}" : profile.traits_json);
  json.Key("first_seen_at")
      .String(FormatIso8601(profile.first_seen))
      .Key("last_seen_at")
      .String(FormatIso8601(profile.last_seen))
      .Key("event_count")
      .Int(profile.event_count);
}

// A side of a merge: its representative and the profile id that named it.
void WritePerson(JsonWriter& json, const std::string& representative) {
  json.BeginObject()
      .Key("id")
      .String(representative)
      .Key("profile_id")
      .String(ProfileIdOf(PersonKeyOf(representative)))
      .EndObject();
}

void WriteMerge(JsonWriter& json, const IdentityLinkRecord& merge) {
  json.BeginObject()
      .Key("merge_id")
      .String(merge.merge_id)
      .Key("kind")
      .String(merge.kind)
      .Key("from_id")
      .String(merge.from_id)
      .Key("to_id")
      .String(merge.to_id)
      .Key("message_id")
      .String(merge.message_id)
      .Key("event_timestamp")
      .String(FormatIso8601(merge.event_timestamp))
      .Key("merged_at")
      .String(FormatIso8601(merge.applied_at))
      .Key("winner");
  WritePerson(json, merge.winner);
  json.Key("loser");
  WritePerson(json, merge.loser);
  json.Key("moved_ids");
  WriteIds(json, merge.moved_ids);
  json.Key("unmerged_at");
  if (merge.unmerged_at) {
    json.String(FormatIso8601(*merge.unmerged_at));
  } else {
    json.Null();
  }
  json.EndObject();
}

}  // namespace

void WriteProfile(JsonWriter& json, const Profile& profile) {
  WriteProfileFields(json, ProfileIdOf(PersonKeyOf(profile.person)), profile);
  json.EndObject();
}

void WriteProfileView(JsonWriter& json, const identity::ProfileView& view) {
  WriteProfileFields(json, view.profile_id, view.profile);
  json.Key("merges").BeginArray();
  for (const IdentityLinkRecord& merge : view.merges) WriteMerge(json, merge);
  json.EndArray().EndObject();
}

std::string ProfileViewJson(const identity::ProfileView& view) {
  JsonWriter json;
  WriteProfileView(json, view);
  return std::move(json).Take();
}

std::string UnmergeOutcomeJson(const identity::UnmergeOutcome& outcome) {
  JsonWriter json;
  json.BeginObject().Key("kept");
  WriteProfileView(json, outcome.kept);
  json.Key("split_off");
  WriteProfileView(json, outcome.split_off);
  return std::move(json.EndObject()).Take();
}

}  // namespace cdp::api
