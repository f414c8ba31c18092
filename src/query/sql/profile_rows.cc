#include "query/sql/profile_rows.h"

#include <string>
#include <vector>

#include "core/json_writer.h"
#include "model/person_map.h"

namespace cdp::query {

namespace {

std::string JsonArray(const std::vector<std::string>& ids) {
  JsonWriter writer;
  writer.BeginArray();
  for (const std::string& id : ids) writer.String(id);
  writer.EndArray();
  return std::move(writer).Take();
}

}  // namespace

std::string_view ProfilesTableSql() {
  return "CREATE TABLE x(id TEXT, user_id TEXT, user_ids TEXT, anonymous_ids TEXT, traits TEXT, "
         "first_seen_at TEXT, last_seen_at TEXT, event_count INTEGER)";
}

void AppendProfileRow(const Profile& profile, RowChunk& rows) {
  rows.AddRow();
  rows.SetText(kProfileId, ProfileIdOf(PersonKeyOf(profile.person)));
  if (!profile.user_ids.empty()) rows.SetText(kProfileUserId, profile.user_ids.front());
  rows.SetText(kProfileUserIds, JsonArray(profile.user_ids));
  rows.SetText(kProfileAnonymousIds, JsonArray(profile.anonymous_ids));
  rows.SetText(kProfileTraits, profile.traits_json.empty() ? "{}" : profile.traits_json);
  rows.SetTime(kProfileFirstSeenAt, UnixMicros(profile.first_seen));
  rows.SetTime(kProfileLastSeenAt, UnixMicros(profile.last_seen));
  rows.SetInteger(kProfileEventCount, profile.event_count);
}

}  // namespace cdp::query
