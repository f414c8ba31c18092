#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "meta/identity_store.h"
#include "model/event.h"

namespace cdp::identity {

// Sums one batch of events per id before it reaches the store, so that a
// batch costs one activity row per id and one trait write per (id, trait)
// however many events repeat them. The sums are what the store would have
// computed from the events one by one: counts add, times widen, a plain set
// keeps the latest timestamp (a tie goes to the later event), a set_once the
// earliest (a tie goes to the earlier event), timestamps compared to the
// millisecond as the store keeps them.
//
// Each event counts for the id it resolves to (ResolutionIdOf: its user id,
// else its anonymous id); an event with neither counts for nobody. Traits are
// Event::traits (identify traits, capture $set) and Event::traits_set_once
// (capture $set_once), except for group events, whose traits describe the
// group rather than the person.
// Not thread-safe.
class IdentityBatchBuilder {
 public:
  void AddEvent(const Event& event);

  // Gives the rows a person each, the one `person_of(workspace_id, id)`
  // returns, and moves them into `batch`: activity in order of first
  // appearance, trait writes in the order of the events they kept (the store
  // numbers writes in batch order, and breaks ties of equal timestamps across
  // a person's ids by that number). Leaves the builder empty.
  void Finish(const std::function<std::string(std::string_view, std::string_view)>& person_of,
              IdentityBatch& batch);

  bool empty() const { return activity_.empty(); }

 private:
  void AddTraits(const Event& event, std::string_view id, const std::vector<Property>& traits,
                 bool set_once);

  std::vector<IdActivity> activity_;
  std::unordered_map<std::string, size_t> activity_index_;  // workspace \0 id -> activity_
  std::vector<TraitWrite> traits_;
  std::vector<uint64_t> trait_events_;  // by traits_: the number of the event kept
  uint64_t events_ = 0;                 // events added
  // workspace \0 id \0 name \0 set_once -> traits_
  std::unordered_map<std::string, size_t> trait_index_;
};

// A property's value as JSON text: "null", a JSON string (a timestamp string
// too: the text as sent), a number in the shortest form that reads back as
// the same double, true or false.
std::string PropertyValueJson(const Property& property);

}  // namespace cdp::identity
