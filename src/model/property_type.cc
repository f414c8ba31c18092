#include "model/property_type.h"

namespace cdp {

std::optional<PropertyType> ParsePropertyType(std::string_view name) {
  for (PropertyType type : {PropertyType::kString, PropertyType::kNumber, PropertyType::kBoolean,
                            PropertyType::kTimestamp}) {
    if (PropertyTypeName(type) == name) return type;
  }
  return std::nullopt;
}

}  // namespace cdp
