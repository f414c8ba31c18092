#pragma once

#include <optional>
#include <string_view>

#include "identity/identity_graph.h"
#include "model/event.h"

namespace cdp::identity {

// The link an event asks for (identity_service.h): identify links its
// anonymous id to its user id, alias its previous id to its user id, each
// only when both ids are set and differ. Either is a kMergeDangerously when
// the event's context carries merge_dangerously = true (Segment's
// "context": {"merge_dangerously": true}; capture's $merge_dangerously event
// arrives as such an alias). The ids are not checked for legality here.
struct LinkRequest {
  std::string_view from;  // views into the event
  std::string_view to;
  LinkKind kind = LinkKind::kIdentify;
};

// nullopt when the event asks for no link.
std::optional<LinkRequest> LinkRequestOf(const Event& event);

}  // namespace cdp::identity
