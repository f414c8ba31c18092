#pragma once

#include <optional>
#include <string_view>

namespace cdp {

// The type a property has in the schema registry. Ingestion decides which a
// value has (a string that is an ISO-8601 date-time is a timestamp); null
// values carry no type and are not observed.
enum class PropertyType { kString, kNumber, kBoolean, kTimestamp };

// "string" / "number" / "boolean" / "timestamp".
constexpr std::string_view PropertyTypeName(PropertyType type) {
  switch (type) {
    case PropertyType::kString:
      return "string";
    case PropertyType::kNumber:
      return "number";
    case PropertyType::kBoolean:
      return "boolean";
    case PropertyType::kTimestamp:
      return "timestamp";
  }
  return "";
}
std::optional<PropertyType> ParsePropertyType(std::string_view name);

}  // namespace cdp
