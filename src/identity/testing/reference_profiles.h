#pragma once

// Test support for the identity service and loader tests: the whole of
// identity stitching written from scratch over the events applied so far, to
// compare the service (and the store behind it) with. Persons come from the
// graph's reference model (reference_identity.h); profiles are recomputed
// from every event at each question. Header-only, slow, obvious.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "identity/identity_graph.h"
#include "identity/testing/reference_identity.h"
#include "meta/identity_store.h"
#include "model/event.h"
#include "model/person_map.h"

namespace cdp::identity::testing {

// A trait value as JSON means it, so that "3" and "3.0" compare equal.
using TraitValue = std::variant<std::monostate, std::string, double, bool>;

inline TraitValue TraitValueOf(const Property& property) { return property.value; }

// A profile's traits_json as a map; a test failure (and an empty map) when it
// is not a JSON object of scalars.
inline std::map<std::string, TraitValue> ParseTraits(const std::string& traits_json) {
  std::map<std::string, TraitValue> traits;
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(traits_json).get_object().get(object) != simdjson::SUCCESS) {
    ADD_FAILURE() << "traits_json is not an object: " << traits_json;
    return traits;
  }
  for (const auto field : object) {
    TraitValue value;
    switch (field.value.type()) {
      case simdjson::dom::element_type::STRING:
        value = std::string(std::string_view(field.value.get_string()));
        break;
      case simdjson::dom::element_type::INT64:
      case simdjson::dom::element_type::UINT64:
      case simdjson::dom::element_type::DOUBLE:
        value = double(field.value.get_double());
        break;
      case simdjson::dom::element_type::BOOL:
        value = bool(field.value.get_bool());
        break;
      case simdjson::dom::element_type::NULL_VALUE:
        break;
      default:
        ADD_FAILURE() << "trait " << field.key << " is not a scalar: " << traits_json;
    }
    traits.emplace(std::string(field.key), std::move(value));
  }
  return traits;
}

// The link an event asks for, as the brief words it (independent of the
// service's own LinkRequestOf).
struct ReferenceLinkRequest {
  std::string from;
  std::string to;
  LinkKind kind = LinkKind::kIdentify;
};

inline std::optional<ReferenceLinkRequest> ReferenceLinkOf(const Event& event) {
  ReferenceLinkRequest link;
  if (event.type == EventType::kIdentify) {
    link = {event.anonymous_id, event.user_id, LinkKind::kIdentify};
  } else if (event.type == EventType::kAlias) {
    link = {event.previous_id, event.user_id, LinkKind::kAlias};
  } else {
    return std::nullopt;
  }
  if (link.from.empty() || link.to.empty() || link.from == link.to) return std::nullopt;
  if (!IsLegalDistinctId(link.from) || !IsLegalDistinctId(link.to)) return std::nullopt;
  for (const Property& property : event.context) {
    if (property.name == "merge_dangerously" && property.value == TraitValue(true)) {
      link.kind = LinkKind::kMergeDangerously;
    }
  }
  return link;
}

// Identity stitching of many workspaces, from scratch.
class ReferenceStitching {
 public:
  struct IdStats {
    int64_t events = 0;
    TimePoint first_seen;
    TimePoint last_seen;
    bool seen_as_user_id = false;
  };
  struct TraitSet {
    TraitValue value;
    TimePoint at;
    int64_t order = 0;  // the order applied, for ties
    bool set_once = false;
  };

  // Applies one event as the service must: its link (if legal) on the
  // workspace's graph with the next seq, its activity and traits. Returns the
  // link's result when it asked for one.
  std::optional<LinkResult> Apply(const Event& event) {
    std::optional<LinkResult> result;
    if (const std::optional<ReferenceLinkRequest> link = ReferenceLinkOf(event)) {
      result = Link(event.workspace_id, link->from, link->to, link->kind);
    }
    ApplyActivity(event);
    return result;
  }

  // A link with the workspace's next seq.
  LinkResult Link(const std::string& workspace_id, const std::string& from, const std::string& to,
                  LinkKind kind) {
    Workspace& workspace = workspaces_[workspace_id];
    workspace.link_ids.insert(from);
    workspace.link_ids.insert(to);
    return workspace.graph.Link(from, to, kind, ++workspace.last_seq);
  }

  // An event's activity and traits alone (its link, if any, given to Link
  // separately: in the order the service recorded them).
  void ApplyActivity(const Event& event) {
    const std::string id = event.user_id.empty() ? event.anonymous_id : event.user_id;
    if (id.empty()) return;
    ++events_with_id_[event.workspace_id];
    Workspace& workspace = workspaces_[event.workspace_id];
    IdStats& stats = workspace.stats[id];
    if (stats.events == 0) stats.first_seen = stats.last_seen = event.timestamp;
    stats.events += 1;
    stats.first_seen = std::min(stats.first_seen, event.timestamp);
    stats.last_seen = std::max(stats.last_seen, event.timestamp);
    stats.seen_as_user_id |= !event.user_id.empty();
    if (event.type != EventType::kGroup) {
      for (const bool set_once : {false, true}) {
        for (const Property& trait : set_once ? event.traits_set_once : event.traits) {
          workspace.traits[id][trait.name].push_back(
              {TraitValueOf(trait), event.timestamp, ++order_, set_once});
        }
      }
    }
  }

  ReferenceIdentity& graph(const std::string& workspace_id) {
    return workspaces_[workspace_id].graph;
  }
  int64_t last_seq(const std::string& workspace_id) { return workspaces_[workspace_id].last_seq; }
  int64_t events_with_id(const std::string& workspace_id) { return events_with_id_[workspace_id]; }

  // Whether the store has a row for `id`: some event resolved to it, or some
  // recorded link named it.
  bool IsKnown(const std::string& workspace_id, const std::string& id) {
    Workspace& workspace = workspaces_[workspace_id];
    return workspace.stats.contains(id) || workspace.link_ids.contains(id);
  }

  // The profile of `id`'s person: nullopt when the store knows none of its
  // ids. Ids without events of their own (named only by links) are
  // anonymous ids after those with events, by id.
  std::optional<Profile> ProfileOf(const std::string& workspace_id, const std::string& id) {
    Workspace& workspace = workspaces_[workspace_id];
    std::vector<std::string> members;
    for (const std::string& member : workspace.graph.MembersOf(id)) {
      if (IsKnown(workspace_id, member)) members.push_back(member);
    }
    if (members.empty()) return std::nullopt;
    Profile profile;
    profile.workspace_id = workspace_id;
    profile.person = workspace.graph.RepresentativeOf(id);
    std::vector<std::pair<TimePoint, std::string>> users, others;
    std::vector<std::string> without_events;
    bool first = true;
    for (const std::string& member : members) {
      const auto found = workspace.stats.find(member);
      if (found == workspace.stats.end()) {
        without_events.push_back(member);
        continue;
      }
      const IdStats& stats = found->second;
      (stats.seen_as_user_id ? users : others).emplace_back(stats.first_seen, member);
      profile.event_count += stats.events;
      profile.first_seen =
          first ? stats.first_seen : std::min(profile.first_seen, stats.first_seen);
      profile.last_seen = first ? stats.last_seen : std::max(profile.last_seen, stats.last_seen);
      first = false;
    }
    if (first) profile.first_seen = profile.last_seen = TimePoint{};  // the store's "never"
    std::sort(users.begin(), users.end());
    std::sort(others.begin(), others.end());
    for (auto& [at, member] : users) profile.user_ids.push_back(member);
    for (auto& [at, member] : others) profile.anonymous_ids.push_back(member);
    std::sort(without_events.begin(), without_events.end());
    profile.anonymous_ids.insert(profile.anonymous_ids.end(), without_events.begin(),
                                 without_events.end());
    return profile;
  }

  // The person's traits: per name, the latest plain set over its ids (a tie
  // goes to the later applied), else the earliest set_once (a tie to the
  // earlier applied).
  std::map<std::string, TraitValue> TraitsOf(const std::string& workspace_id,
                                             const std::string& id) {
    Workspace& workspace = workspaces_[workspace_id];
    std::map<std::string, const TraitSet*> plain, once;
    for (const std::string& member : workspace.graph.MembersOf(id)) {
      for (const auto& [name, sets] : workspace.traits[member]) {
        for (const TraitSet& set : sets) {
          const TraitSet*& kept = (set.set_once ? once : plain)[name];
          const bool wins =
              kept == nullptr ||
              (set.set_once ? std::tie(set.at, set.order) < std::tie(kept->at, kept->order)
                            : std::tie(set.at, set.order) > std::tie(kept->at, kept->order));
          if (wins) kept = &set;
        }
      }
    }
    std::map<std::string, TraitValue> traits;
    for (const auto& [name, set] : once) traits[name] = set->value;
    for (const auto& [name, set] : plain) traits[name] = set->value;
    return traits;
  }

 private:
  struct Workspace {
    ReferenceIdentity graph;
    int64_t last_seq = 0;
    std::map<std::string, IdStats> stats;
    std::set<std::string> link_ids;  // every id some link named
    // id -> trait name -> every set, in the order applied.
    std::map<std::string, std::map<std::string, std::vector<TraitSet>>> traits;
  };
  std::map<std::string, Workspace> workspaces_;
  std::map<std::string, int64_t> events_with_id_;
  int64_t order_ = 0;
};

}  // namespace cdp::identity::testing
