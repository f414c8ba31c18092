#pragma once

// Test helpers: flattened properties as a name → "type:value" map, so that a
// test can state all of an event's properties in one comparison.

#include <fmt/format.h>

#include <map>
#include <string>
#include <vector>

#include "model/event.h"

namespace cdp::ingest {

// "s:text", "t:text" (a string that is also a timestamp), "n:1.5", "b:true"
// or "null".
inline std::string DescribeValue(const Property& property) {
  if (property.is_null()) return "null";
  if (const auto* text = std::get_if<std::string>(&property.value)) {
    return (property.timestamp ? "t:" : "s:") + *text;
  }
  if (const auto* number = std::get_if<double>(&property.value)) {
    return fmt::format("n:{}", *number);
  }
  return std::get<bool>(property.value) ? "b:true" : "b:false";
}

// Names map to their value; a name given twice maps to "DUPLICATE".
inline std::map<std::string, std::string> Describe(const std::vector<Property>& properties) {
  std::map<std::string, std::string> out;
  for (const Property& property : properties) {
    const auto [it, inserted] = out.emplace(property.name, DescribeValue(property));
    if (!inserted) it->second = "DUPLICATE";
  }
  return out;
}

using PropertyMap = std::map<std::string, std::string>;

}  // namespace cdp::ingest
