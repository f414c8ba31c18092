#include "meta/sqlite/sqlite_profile_query.h"

#include <fmt/format.h>

#include <optional>
#include <utility>

#include "meta/sqlite/sqlite_identity_json.h"
#include "meta/sqlite/sqlite_profile_row.h"

namespace cdp {

namespace {

// The SQL of a trait of the right kind for a value of `kind` (json_each's
// `type` of the trait `t`).
std::string_view SameKind(JsonScalarKind kind) {
  switch (kind) {
    case JsonScalarKind::kString:
      return "t.type = 'text'";
    case JsonScalarKind::kNumber:
      return "t.type IN ('integer', 'real')";
    case JsonScalarKind::kBoolean:
      return "t.type IN ('true', 'false')";
    case JsonScalarKind::kNull:
      break;
  }
  return "0";  // unreachable: values are checked first
}

std::string_view ComparisonOperator(TraitCondition::Op op) {
  switch (op) {
    case TraitCondition::Op::kGt:
      return ">";
    case TraitCondition::Op::kGte:
      return ">=";
    case TraitCondition::Op::kLt:
      return "<";
    case TraitCondition::Op::kLte:
      return "<=";
    default:
      return "=";
  }
}

// A LIKE pattern matching `text` anywhere; `\` escapes the wildcards.
std::string ContainsPattern(std::string_view text) {
  std::string pattern = "%";
  for (const char c : text) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  pattern += '%';
  return pattern;
}

}  // namespace

Result<ProfileListQuery> BuildProfileListQuery(const ProfileListRequest& request) {
  if (request.limit < 1 || request.limit > kMaxProfilePageSize) {
    return Status::BadRequest(fmt::format("limit must be between 1 and {}", kMaxProfilePageSize),
                              "limit");
  }
  ProfileListQuery query;
  auto bind = [&query](std::variant<int64_t, std::string> value) {
    query.bindings.push_back(std::move(value));
    return query.bindings.size();  // its parameter number
  };
  query.sql = fmt::format("SELECT {} FROM profiles p WHERE p.workspace_id = ?{}", kProfileColumns,
                          bind(request.workspace_id));
  if (request.after.has_value()) {
    // The first term lets SQLite seek the (workspace_id, last_seen DESC,
    // person) index to the cursor.
    const size_t last_seen = bind(UnixMillis(request.after->first));
    const size_t person = bind(request.after->second);
    query.sql += fmt::format(" AND p.last_seen <= ?{0} AND (p.last_seen < ?{0} OR p.person > ?{1})",
                             last_seen, person);
  }
  if (request.search.has_value()) {
    query.sql += fmt::format(" AND p.search_text LIKE ?{} ESCAPE '\\'",
                             bind(ContainsPattern(AsciiLower(*request.search))));
  }
  for (size_t i = 0; i < request.conditions.size(); ++i) {
    const TraitCondition& condition = request.conditions[i];
    const std::string path = fmt::format("conditions[{}]", i);
    if (condition.name.empty()) {
      return Status::BadRequest(path + ".name is required", path + ".name");
    }
    // The trait, if the profile has it: `t` of json_each over the object.
    const std::string trait = fmt::format(
        "SELECT 1 FROM json_each(p.traits_json) t WHERE t.key = ?{}", bind(condition.name));
    if (condition.op == TraitCondition::Op::kIsSet) {
      query.sql += fmt::format(" AND EXISTS ({} AND t.type <> 'null')", trait);
      continue;
    }
    if (condition.op == TraitCondition::Op::kIsNotSet) {
      query.sql += fmt::format(" AND NOT EXISTS ({} AND t.type <> 'null')", trait);
      continue;
    }
    const std::optional<JsonScalarKind> kind = ClassifyJsonScalar(condition.value_json);
    if (!kind.has_value() || *kind == JsonScalarKind::kNull) {
      return Status::BadRequest(path + ".value must be a JSON string, number or boolean",
                                path + ".value");
    }
    // json_extract of a JSON scalar is its SQL value: text, integer, real,
    // or 1 / 0 for booleans, as json_each's `atom` of the trait.
    const std::string value =
        fmt::format("json_extract(?{}, '$')", bind(std::string(condition.value_json)));
    switch (condition.op) {
      case TraitCondition::Op::kEquals:
        query.sql +=
            fmt::format(" AND EXISTS ({} AND {} AND t.atom = {})", trait, SameKind(*kind), value);
        break;
      case TraitCondition::Op::kNotEquals:
        query.sql +=
            fmt::format(" AND EXISTS ({} AND t.type <> 'null' AND NOT ({} AND t.atom = {}))", trait,
                        SameKind(*kind), value);
        break;
      case TraitCondition::Op::kContains:
        if (*kind != JsonScalarKind::kString) {
          return Status::BadRequest(path + ".value must be a JSON string for contains",
                                    path + ".value");
        }
        query.sql += fmt::format(" AND EXISTS ({} AND t.type = 'text' AND instr(t.atom, {}) > 0)",
                                 trait, value);
        break;
      default:  // kGt, kGte, kLt, kLte
        query.sql += fmt::format(" AND EXISTS ({} AND {} AND t.atom {} {})", trait, SameKind(*kind),
                                 ComparisonOperator(condition.op), value);
        break;
    }
  }
  query.sql += fmt::format(" ORDER BY p.last_seen DESC, p.person LIMIT ?{}",
                           bind(int64_t{request.limit} + 1));
  return query;
}

}  // namespace cdp
