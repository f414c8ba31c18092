#include "api/profile_list_request.h"

#include <fmt/format.h>
#include <simdjson.h>
#include <xxhash.h>

#include "api/page.h"
#include "query/request_json.h"

namespace cdp::api {

namespace {

using Op = TraitCondition::Op;

// What a condition's value may be, by operator.
enum class ValueRule { kNone, kScalar, kOrderable, kText };

ValueRule ValueRuleOf(Op op) {
  switch (op) {
    case Op::kEquals:
    case Op::kNotEquals:
      return ValueRule::kScalar;
    case Op::kGt:
    case Op::kGte:
    case Op::kLt:
    case Op::kLte:
      return ValueRule::kOrderable;
    case Op::kContains:
      return ValueRule::kText;
    case Op::kIsSet:
    case Op::kIsNotSet:
      return ValueRule::kNone;
  }
  return ValueRule::kNone;
}

bool IsNumber(simdjson::dom::element value) {
  return value.is_int64() || value.is_uint64() || value.is_double();
}

// The value of a condition as the store takes it: its JSON text.
Result<std::string> ConditionValue(const query::RequestObject& object, Op op) {
  const std::optional<simdjson::dom::element> value = object.Value("value");
  const std::string path = object.PathOf("value");
  const ValueRule rule = ValueRuleOf(op);
  if (rule == ValueRule::kNone) {
    if (value) return query::FieldError(path, "absent: is_set and is_not_set take no value");
    return std::string();
  }
  if (!value) return query::FieldError(path, "given for this operator");
  bool accepted = false;
  switch (rule) {
    case ValueRule::kScalar:
      accepted = value->is_string() || IsNumber(*value) || value->is_bool();
      break;
    case ValueRule::kOrderable:
      accepted = value->is_string() || IsNumber(*value);
      break;
    case ValueRule::kText:
      accepted = value->is_string();
      break;
    case ValueRule::kNone:
      break;
  }
  if (!accepted) {
    switch (rule) {
      case ValueRule::kScalar:
        return query::FieldError(path, "a string, a number or a boolean");
      case ValueRule::kOrderable:
        return query::FieldError(path, "a number or a string for a comparison");
      default:
        return query::FieldError(path, "a string for contains");
    }
  }
  return simdjson::minify(*value);
}

Result<TraitCondition> ParseCondition(simdjson::dom::element element, std::string path) {
  CDP_ASSIGN_OR_RETURN(const query::RequestObject object,
                       query::RequestObject::Of(element, std::move(path)));
  CDP_RETURN_IF_ERROR(object.RejectUnknownKeys({"trait", "operator", "value"}));
  TraitCondition condition;
  CDP_ASSIGN_OR_RETURN(const std::string_view trait, object.String("trait"));
  if (trait.empty()) return query::FieldError(object.PathOf("trait"), "a trait name");
  condition.name = std::string(trait);
  if (!object.Has("operator")) return query::FieldError(object.PathOf("operator"), "given");
  CDP_ASSIGN_OR_RETURN(condition.op, object.Choice<Op>("operator",
                                                       {{"equals", Op::kEquals},
                                                        {"not_equals", Op::kNotEquals},
                                                        {"gt", Op::kGt},
                                                        {"gte", Op::kGte},
                                                        {"lt", Op::kLt},
                                                        {"lte", Op::kLte},
                                                        {"contains", Op::kContains},
                                                        {"is_set", Op::kIsSet},
                                                        {"is_not_set", Op::kIsNotSet}},
                                                       Op::kEquals));
  CDP_ASSIGN_OR_RETURN(condition.value_json, ConditionValue(object, condition.op));
  return condition;
}

Result<std::vector<TraitCondition>> ParseConditions(std::string_view text) {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(text);
  simdjson::dom::element root;
  simdjson::dom::array array;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS || root.get_array().get(array)) {
    return query::FieldError("filters",
                             R"(a JSON array of {"trait", "operator", "value"} conditions)");
  }
  if (array.size() > kMaxProfileFilters) {
    return query::FieldError("filters", fmt::format("at most {} conditions", kMaxProfileFilters));
  }
  std::vector<TraitCondition> conditions;
  size_t index = 0;
  for (const simdjson::dom::element element : array) {
    CDP_ASSIGN_OR_RETURN(TraitCondition condition,
                         ParseCondition(element, fmt::format("filters[{}]", index++)));
    conditions.push_back(std::move(condition));
  }
  return conditions;
}

// The cursor's bytes: a version, the last seen time (nanoseconds since the
// epoch, 8 bytes big-endian), the representative, and a checksum of all that
// (4 bytes).
constexpr uint8_t kCursorVersion = 1;
constexpr size_t kCursorHeaderBytes = 9;
constexpr size_t kCursorCheckBytes = 4;
// Ids are short; a longer cursor is not one of ours.
constexpr size_t kMaxCursorChars = 4096;
constexpr uint64_t kCursorSeed = 0x6364705f70726f66;  // "cdp_prof"
constexpr std::string_view kHexDigits = "0123456789abcdef";

uint32_t CheckOf(std::string_view bytes) {
  return static_cast<uint32_t>(XXH3_64bits_withSeed(bytes.data(), bytes.size(), kCursorSeed));
}

void AppendBigEndian(std::string& out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

uint64_t ReadBigEndian(std::string_view bytes) {
  uint64_t value = 0;
  for (const char byte : bytes) value = (value << 8) | static_cast<uint8_t>(byte);
  return value;
}

int HexValue(char c) {
  const size_t found = kHexDigits.find(c);
  return found == std::string_view::npos ? -1 : static_cast<int>(found);
}

}  // namespace

std::string EncodeProfileCursor(TimePoint last_seen, std::string_view person) {
  std::string bytes;
  bytes.push_back(static_cast<char>(kCursorVersion));
  AppendBigEndian(bytes, static_cast<uint64_t>(last_seen.time_since_epoch().count()), 8);
  bytes += person;
  AppendBigEndian(bytes, CheckOf(bytes), kCursorCheckBytes);
  std::string text;
  text.reserve(bytes.size() * 2);
  for (const char byte : bytes) {
    text.push_back(kHexDigits[static_cast<uint8_t>(byte) >> 4]);
    text.push_back(kHexDigits[static_cast<uint8_t>(byte) & 15]);
  }
  return text;
}

Result<std::pair<TimePoint, std::string>> DecodeProfileCursor(std::string_view cursor) {
  const auto invalid = [] {
    return query::FieldError("cursor", "a next_cursor returned by an earlier page");
  };
  if (cursor.size() > kMaxCursorChars || cursor.size() % 2 != 0) return invalid();
  std::string bytes;
  bytes.reserve(cursor.size() / 2);
  for (size_t i = 0; i < cursor.size(); i += 2) {
    const int high = HexValue(cursor[i]);
    const int low = HexValue(cursor[i + 1]);
    if (high < 0 || low < 0) return invalid();
    bytes.push_back(static_cast<char>(high * 16 + low));
  }
  if (bytes.size() < kCursorHeaderBytes + kCursorCheckBytes) return invalid();
  const std::string_view body = std::string_view(bytes).substr(0, bytes.size() - kCursorCheckBytes);
  if (ReadBigEndian(std::string_view(bytes).substr(body.size())) != CheckOf(body)) return invalid();
  if (static_cast<uint8_t>(body[0]) != kCursorVersion) return invalid();
  const TimePoint last_seen(
      TimePoint::duration(static_cast<int64_t>(ReadBigEndian(body.substr(1, 8)))));
  return std::make_pair(last_seen, std::string(body.substr(kCursorHeaderBytes)));
}

Result<ProfileListRequest> ReadProfileListRequest(const http::Request& request,
                                                  std::string workspace_id) {
  ProfileListRequest list;
  list.workspace_id = std::move(workspace_id);
  CDP_ASSIGN_OR_RETURN(const PageRequest page, ReadPageRequest(request, kMaxProfilePageSize));
  list.limit = page.limit;
  if (!page.cursor.empty()) {
    CDP_ASSIGN_OR_RETURN(list.after, DecodeProfileCursor(page.cursor));
  }
  if (std::optional<std::string> search = request.QueryParam("search")) {
    if (search->size() > kMaxProfileSearchChars) {
      return query::FieldError("search",
                               fmt::format("at most {} characters", kMaxProfileSearchChars));
    }
    // "?search=" searches for nothing: every profile.
    if (!search->empty()) list.search = std::move(*search);
  }
  const std::optional<std::string> filters = request.QueryParam("filters");
  // "?filters=" is no condition, as no parameter.
  if (filters && !filters->empty()) {
    CDP_ASSIGN_OR_RETURN(list.conditions, ParseConditions(*filters));
  }
  return list;
}

}  // namespace cdp::api
