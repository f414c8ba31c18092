#include "identity/link_request.h"

#include <variant>

namespace cdp::identity {

namespace {

// Only a real boolean true counts: a string "true" from a careless client
// must not merge two identified users.
bool AsksToMergeDangerously(const Event& event) {
  for (const Property& property : event.context) {
    if (property.name != "merge_dangerously") continue;
    const bool* flag = std::get_if<bool>(&property.value);
    if (flag != nullptr && *flag) return true;
  }
  return false;
}

}  // namespace

std::optional<LinkRequest> LinkRequestOf(const Event& event) {
  LinkRequest request;
  switch (event.type) {
    case EventType::kIdentify:
      request = {event.anonymous_id, event.user_id, LinkKind::kIdentify};
      break;
    case EventType::kAlias:
      request = {event.previous_id, event.user_id, LinkKind::kAlias};
      break;
    default:
      return std::nullopt;
  }
  if (request.from.empty() || request.to.empty() || request.from == request.to) {
    return std::nullopt;
  }
  if (AsksToMergeDangerously(event)) request.kind = LinkKind::kMergeDangerously;
  return request;
}

}  // namespace cdp::identity
