#include "queries/query_case.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "ingest/flatten.h"
#include "query/request_json.h"

namespace cdp::query::cases {

namespace {

using simdjson::dom::element;

Status CaseError(std::string_view name, const std::string& what) {
  return Status::Internal(fmt::format("{}.json: {}", name, what));
}

Result<TimePoint> CaseTime(std::string_view name, const std::string& where, element value) {
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) {
    if (const std::optional<TimePoint> time = ParseRequestTime(text)) return *time;
  }
  return CaseError(name, where + " must be an ISO-8601 date-time such as 2026-03-01T10:00:00Z");
}

// An event object as the format describes it, flattened the way ingestion
// flattens (so property names are what the store really holds).
Result<Event> EventOf(std::string_view name, size_t index, element value) {
  const std::string where = fmt::format("events[{}]", index);
  if (!value.is_object()) return CaseError(name, where + " must be an object");
  Event event;
  event.workspace_id = std::string(kCaseWorkspace);
  bool has_timestamp = false;
  bool has_received_at = false;
  const simdjson::dom::object object = value.get_object().value_unsafe();
  for (const auto field : object) {
    const std::string_view key = field.key;
    const std::string path = fmt::format("{}.{}", where, key);
    std::vector<Property>* section = key == "properties"        ? &event.properties
                                     : key == "context"         ? &event.context
                                     : key == "traits"          ? &event.traits
                                     : key == "traits_set_once" ? &event.traits_set_once
                                                                : nullptr;
    if (section != nullptr) {
      simdjson::dom::object members;
      if (field.value.get_object().get(members) != simdjson::SUCCESS) {
        return CaseError(name, path + " must be an object");
      }
      const Status flattened = ingest::FlattenObject(members, path, *section);
      if (!flattened.ok()) return CaseError(name, flattened.message());
      continue;
    }
    if (key == "timestamp" || key == "received_at" || key == "sent_at") {
      CDP_ASSIGN_OR_RETURN(const TimePoint time, CaseTime(name, path, field.value));
      if (key == "timestamp") {
        event.timestamp = time;
        event.original_timestamp = time;
        has_timestamp = true;
      } else if (key == "received_at") {
        event.received_at = time;
        has_received_at = true;
      } else {
        event.sent_at = time;
      }
      continue;
    }
    std::string_view text;
    if (field.value.get_string().get(text) != simdjson::SUCCESS) {
      return CaseError(name, path + " must be a string");
    }
    if (key == "type") {
      const std::optional<EventType> type = ParseEventType(text);
      if (!type) {
        return CaseError(name, path + " must be track, identify, page, screen, group or alias");
      }
      event.type = *type;
    } else if (key == "event") {
      event.event = std::string(text);
    } else if (key == "message_id") {
      event.message_id = std::string(text);
    } else if (key == "anonymous_id") {
      event.anonymous_id = std::string(text);
    } else if (key == "user_id") {
      event.user_id = std::string(text);
    } else if (key == "group_id") {
      event.group_id = std::string(text);
    } else if (key == "previous_id") {
      event.previous_id = std::string(text);
    } else {
      return CaseError(name, fmt::format("unknown key {} (see tests/queries/README.md)", path));
    }
  }
  if (!has_timestamp) return CaseError(name, where + ".timestamp is required");
  if (!has_received_at) event.received_at = event.timestamp;
  return event;
}

Result<std::vector<std::string>> Strings(std::string_view name, const std::string& where,
                                         element value) {
  simdjson::dom::array items;
  if (value.get_array().get(items) != simdjson::SUCCESS) {
    return CaseError(name, where + " must be an array of strings");
  }
  std::vector<std::string> strings;
  for (const element item : items) {
    std::string_view text;
    if (item.get_string().get(text) != simdjson::SUCCESS || text.empty()) {
      return CaseError(name, where + " must be an array of non-empty strings");
    }
    strings.emplace_back(text);
  }
  return strings;
}

// "persons": {"<representative>": ["<member id>", ...], ...}
Result<query::testing::StaticPersonDirectory::Persons> PersonsOf(std::string_view name,
                                                                 element value) {
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) {
    return CaseError(name, "persons must be an object: representative -> [member ids]");
  }
  query::testing::StaticPersonDirectory::Persons persons;
  std::set<std::string> seen;
  for (const auto field : object) {
    const std::string representative(field.key);
    const std::string where = fmt::format("persons.{}", representative);
    CDP_ASSIGN_OR_RETURN(std::vector<std::string> members, Strings(name, where, field.value));
    members.push_back(representative);
    for (const std::string& id : members) {
      // The representative may be listed among its members; nothing twice else.
      if (!seen.insert(id).second && id != representative) {
        return CaseError(name, fmt::format("{}: the id {} belongs to two persons", where, id));
      }
    }
    members.pop_back();
    persons.emplace(representative, std::move(members));
  }
  return persons;
}

// A profile as PersonDirectory::ScanProfiles lists it:
//   {"person": "u1", "user_ids": [...], "anonymous_ids": [...], "traits": {...},
//    "first_seen_at": "...", "last_seen_at": "...", "event_count": 3}
Result<Profile> ProfileOf(std::string_view name, size_t index, element value) {
  const std::string where = fmt::format("profiles[{}]", index);
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) {
    return CaseError(name, where + " must be an object");
  }
  Profile profile;
  profile.workspace_id = std::string(kCaseWorkspace);
  for (const auto field : object) {
    const std::string_view key = field.key;
    const std::string path = fmt::format("{}.{}", where, key);
    if (key == "person") {
      std::string_view person;
      if (field.value.get_string().get(person) != simdjson::SUCCESS || person.empty()) {
        return CaseError(name, path + " must be a non-empty string");
      }
      profile.person = std::string(person);
    } else if (key == "user_ids") {
      CDP_ASSIGN_OR_RETURN(profile.user_ids, Strings(name, path, field.value));
    } else if (key == "anonymous_ids") {
      CDP_ASSIGN_OR_RETURN(profile.anonymous_ids, Strings(name, path, field.value));
    } else if (key == "traits") {
      if (!field.value.is_object()) return CaseError(name, path + " must be an object");
      profile.traits_json = simdjson::minify(field.value);
    } else if (key == "first_seen_at") {
      CDP_ASSIGN_OR_RETURN(profile.first_seen, CaseTime(name, path, field.value));
    } else if (key == "last_seen_at") {
      CDP_ASSIGN_OR_RETURN(profile.last_seen, CaseTime(name, path, field.value));
    } else if (key == "event_count") {
      int64_t count = 0;
      if (field.value.get_int64().get(count) != simdjson::SUCCESS || count < 0) {
        return CaseError(name, path + " must be a whole number >= 0");
      }
      profile.event_count = count;
    } else {
      return CaseError(name, fmt::format("unknown key {} (see tests/queries/README.md)", path));
    }
  }
  if (profile.person.empty()) return CaseError(name, where + ".person is required");
  return profile;
}

}  // namespace

query::testing::StaticPersonDirectory PersonDirectoryOf(const QueryCase& query_case) {
  std::vector<std::string> known;
  for (const Event& event : query_case.events) {
    for (const std::string* id : {&event.anonymous_id, &event.user_id}) {
      if (!id->empty()) known.push_back(*id);
    }
  }
  return query::testing::StaticPersonDirectory(query_case.persons, query_case.profiles,
                                               std::move(known));
}

std::vector<QueryCaseFile> ListQueryCaseFiles(const std::filesystem::path& root) {
  std::vector<QueryCaseFile> files;
  for (const QueryKind kind : kQueryKinds) {
    const std::filesystem::path folder = root / std::string(QueryKindName(kind));
    std::error_code error;
    std::vector<QueryCaseFile> of_kind;
    for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
      of_kind.push_back({kind, entry.path(),
                         fmt::format("{}/{}", QueryKindName(kind), entry.path().stem().string())});
    }
    std::sort(of_kind.begin(), of_kind.end(),
              [](const QueryCaseFile& a, const QueryCaseFile& b) { return a.name < b.name; });
    files.insert(files.end(), of_kind.begin(), of_kind.end());
  }
  return files;
}

Result<QueryCase> LoadQueryCase(const QueryCaseFile& file) {
  std::ifstream in(file.path, std::ios::binary);
  if (!in) return CaseError(file.name, "cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return ParseQueryCase(file.kind, file.name, text.str());
}

Result<QueryCase> ParseQueryCase(QueryKind kind, std::string_view name, std::string_view text) {
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(text.data(), text.size()).get(root) != simdjson::SUCCESS) {
    return CaseError(name, "is not valid JSON");
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return CaseError(name, "must be a JSON object");
  }
  QueryCase query_case;
  query_case.kind = kind;
  query_case.name = std::string(name);
  bool has_events = false;
  for (const auto field : object) {
    const std::string_view key = field.key;
    if (key == "description") {
      std::string_view description;
      if (field.value.get_string().get(description) != simdjson::SUCCESS) {
        return CaseError(name, "description must be a string");
      }
      query_case.description = std::string(description);
    } else if (key == "events") {
      simdjson::dom::array events;
      if (field.value.get_array().get(events) != simdjson::SUCCESS) {
        return CaseError(name, "events must be an array");
      }
      has_events = true;
      size_t index = 0;
      for (const element item : events) {
        CDP_ASSIGN_OR_RETURN(Event event, EventOf(name, index, item));
        if (event.message_id.empty()) {
          event.message_id = fmt::format("{}-{}", name, index);
        }
        query_case.events.push_back(std::move(event));
        ++index;
      }
    } else if (key == "persons") {
      CDP_ASSIGN_OR_RETURN(query_case.persons, PersonsOf(name, field.value));
      query_case.has_persons = true;
    } else if (key == "profiles") {
      simdjson::dom::array profiles;
      if (field.value.get_array().get(profiles) != simdjson::SUCCESS) {
        return CaseError(name, "profiles must be an array");
      }
      size_t index = 0;
      for (const element item : profiles) {
        CDP_ASSIGN_OR_RETURN(Profile profile, ProfileOf(name, index++, item));
        query_case.profiles.push_back(std::move(profile));
      }
      query_case.has_persons = true;
    } else if (key == "request" || key == "expected") {
      if (!field.value.is_object()) return CaseError(name, std::string(key) + " must be an object");
      (key == "request" ? query_case.request : query_case.expected) = simdjson::minify(field.value);
    } else {
      return CaseError(name, fmt::format("unknown key {} (expected description, events, request, "
                                         "expected, persons, profiles)",
                                         key));
    }
  }
  if (query_case.description.empty()) return CaseError(name, "description is required");
  if (!has_events) return CaseError(name, "events is required (it may be empty)");
  if (query_case.request.empty()) return CaseError(name, "request is required");
  if (query_case.expected.empty()) return CaseError(name, "expected is required");
  return query_case;
}

}  // namespace cdp::query::cases
