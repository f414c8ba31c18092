#include "query/service/canonical_json.h"

#include <simdjson.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "core/json_writer.h"

namespace cdp::query {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

std::string KeyPath(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

Status Write(element value, const std::string& path, JsonWriter& out) {
  switch (value.type()) {
    case element_type::OBJECT: {
      std::vector<std::pair<std::string_view, element>> members;
      const simdjson::dom::object object = value.get_object().value_unsafe();
      for (const auto field : object) {
        members.emplace_back(field.key, field.value);
      }
      std::sort(members.begin(), members.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      for (size_t i = 1; i < members.size(); ++i) {
        if (members[i].first == members[i - 1].first) {
          const std::string field = KeyPath(path, members[i].first);
          return Status::BadRequest("duplicate key " + field, field);
        }
      }
      out.BeginObject();
      for (const auto& [key, member] : members) {
        out.Key(key);
        CDP_RETURN_IF_ERROR(Write(member, KeyPath(path, key), out));
      }
      out.EndObject();
      return Status::Ok();
    }
    case element_type::ARRAY: {
      out.BeginArray();
      size_t index = 0;
      const simdjson::dom::array array = value.get_array().value_unsafe();
      for (const element item : array) {
        CDP_RETURN_IF_ERROR(Write(item, path + "[" + std::to_string(index++) + "]", out));
      }
      out.EndArray();
      return Status::Ok();
    }
    case element_type::STRING:
      out.String(value.get_string().value_unsafe());
      return Status::Ok();
    case element_type::INT64:
      out.Int(value.get_int64().value_unsafe());
      return Status::Ok();
    case element_type::UINT64:
      out.Uint(value.get_uint64().value_unsafe());
      return Status::Ok();
    case element_type::DOUBLE:
      out.Double(value.get_double().value_unsafe());
      return Status::Ok();
    case element_type::BOOL:
      out.Bool(value.get_bool().value_unsafe());
      return Status::Ok();
    case element_type::NULL_VALUE:
      out.Null();
      return Status::Ok();
  }
  return Status::Internal("unknown JSON element type");
}

}  // namespace

Result<std::string> CanonicalJsonObject(std::string_view body) {
  // The same messages as RequestObject::Parse, which the analyses use.
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) {
    return Status::BadRequest("the body is not valid JSON");
  }
  if (!root.is_object()) return Status::BadRequest("the body must be a JSON object");
  JsonWriter out;
  CDP_RETURN_IF_ERROR(Write(root, "", out));
  return std::move(out).Take();
}

}  // namespace cdp::query
