#include "model/event.h"

#include <array>
#include <cassert>
#include <utility>

namespace cdp {

namespace {

constexpr std::array<std::pair<EventType, std::string_view>, 6> kEventTypeNames = {{
    {EventType::kTrack, "track"},
    {EventType::kIdentify, "identify"},
    {EventType::kPage, "page"},
    {EventType::kScreen, "screen"},
    {EventType::kGroup, "group"},
    {EventType::kAlias, "alias"},
}};

}  // namespace

std::string_view EventTypeName(EventType type) {
  for (const auto& [candidate, name] : kEventTypeNames) {
    if (candidate == type) return name;
  }
  assert(false && "unknown EventType");
  return "";
}

std::optional<EventType> ParseEventType(std::string_view name) {
  for (const auto& [type, candidate] : kEventTypeNames) {
    if (candidate == name) return type;
  }
  return std::nullopt;
}

PropertyType Property::type() const {
  assert(!is_null());
  if (timestamp.has_value()) return PropertyType::kTimestamp;
  if (std::holds_alternative<double>(value)) return PropertyType::kNumber;
  if (std::holds_alternative<bool>(value)) return PropertyType::kBoolean;
  return PropertyType::kString;
}

}  // namespace cdp
