#include "meta/sqlite/sqlite_profile_row.h"

#include <algorithm>
#include <map>
#include <string_view>
#include <tuple>
#include <utility>

#include "meta/sqlite/sqlite_identity_json.h"
#include "model/person_map.h"

namespace cdp {

namespace {

// The winning write of one trait name so far.
struct TraitChoice {
  const IdentityTraitRow* plain = nullptr;  // latest (at, write_seq)
  const IdentityTraitRow* once = nullptr;   // earliest (at, write_seq)
};

bool Earlier(const IdentityTraitRow& a, const IdentityTraitRow& b) {
  return std::tie(a.at, a.write_seq) < std::tie(b.at, b.write_seq);
}

// Members by first_seen, ids without events last, then by id.
bool SeenFirst(const IdentityMemberRow& a, const IdentityMemberRow& b) {
  const bool a_seen = a.first_seen.has_value();
  const bool b_seen = b.first_seen.has_value();
  if (a_seen != b_seen) return a_seen;
  if (a_seen && *a.first_seen != *b.first_seen) return *a.first_seen < *b.first_seen;
  return a.id < b.id;
}

// What search finds of a trait value; nullopt for null (and anything that is
// no scalar, which flattened traits never are).
std::optional<std::string> SearchableText(const std::string& value_json) {
  const std::optional<JsonScalarKind> kind = ClassifyJsonScalar(value_json);
  if (!kind.has_value() || *kind == JsonScalarKind::kNull) return std::nullopt;
  if (*kind == JsonScalarKind::kString) return DecodeJsonString(value_json);
  const size_t begin = value_json.find_first_not_of(" \t\r\n");
  const size_t end = value_json.find_last_not_of(" \t\r\n");
  return value_json.substr(begin, end - begin + 1);
}

}  // namespace

std::string AsciiLower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

ProfileRow BuildProfileRow(std::string person, std::vector<IdentityMemberRow> members,
                           const std::vector<IdentityTraitRow>& traits) {
  ProfileRow row;
  row.person_key = static_cast<int64_t>(PersonKeyOf(person));
  row.person = std::move(person);

  std::optional<int64_t> first_seen;
  std::optional<int64_t> last_seen;
  for (const IdentityMemberRow& member : members) {
    row.event_count += member.event_count;
    if (member.first_seen && (!first_seen || *member.first_seen < *first_seen)) {
      first_seen = member.first_seen;
    }
    if (member.last_seen && (!last_seen || *member.last_seen > *last_seen)) {
      last_seen = member.last_seen;
    }
  }
  row.first_seen = first_seen.value_or(0);
  row.last_seen = last_seen.value_or(0);

  std::sort(members.begin(), members.end(), SeenFirst);
  std::vector<std::string> user_ids;
  std::vector<std::string> anonymous_ids;
  std::string search;
  for (IdentityMemberRow& member : members) {
    search += member.id;
    search += '\n';
    (member.is_user ? user_ids : anonymous_ids).push_back(std::move(member.id));
  }
  row.user_ids_json = JsonStringArray(user_ids);
  row.anonymous_ids_json = JsonStringArray(anonymous_ids);

  // std::map: the object's keys in byte order, whatever order rows came in.
  std::map<std::string_view, TraitChoice> choices;
  for (const IdentityTraitRow& trait : traits) {
    TraitChoice& choice = choices[trait.name];
    if (trait.set_once) {
      if (choice.once == nullptr || Earlier(trait, *choice.once)) choice.once = &trait;
    } else {
      if (choice.plain == nullptr || Earlier(*choice.plain, trait)) choice.plain = &trait;
    }
  }
  std::string object = "{";
  for (const auto& [name, choice] : choices) {
    const IdentityTraitRow& chosen = choice.plain != nullptr ? *choice.plain : *choice.once;
    if (object.size() > 1) object += ',';
    AppendJsonStringExact(object, name);
    object += ':';
    object += chosen.value_json;
    if (std::optional<std::string> text = SearchableText(chosen.value_json)) {
      search += *text;
      search += '\n';
    }
  }
  object += '}';
  row.traits_json = std::move(object);
  if (!search.empty()) search.pop_back();  // the last line's newline
  row.search_text = AsciiLower(std::move(search));
  return row;
}

}  // namespace cdp
