#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "meta/identity_store.h"

namespace cdp {

// An IdentityBatch aggregated in memory per workspace, before any SQL: so
// that the store writes each id, trait and person once per batch however
// often the batch names it. Internal to src/meta/sqlite.

struct IdentityStringHash {
  using is_transparent = void;  // lookups by string_view without a copy
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};
template <typename Value>
using IdentityStringMap =
    std::unordered_map<std::string, Value, IdentityStringHash, std::equal_to<>>;
using IdentityStringSet = std::unordered_set<std::string, IdentityStringHash, std::equal_to<>>;

// The value of `key`, or null.
template <typename Value>
const Value* FindIn(const IdentityStringMap<Value>& map, std::string_view key) {
  const auto found = map.find(key);
  return found == map.end() ? nullptr : &found->second;
}

// What the batch's activity did to one id. Times are Unix milliseconds, the
// precision the store keeps.
struct IdActivityDelta {
  std::string given_person;  // the person the id's first activity named
  bool is_user = false;
  int64_t events = 0;
  std::optional<int64_t> first_seen;  // set when events > 0
  std::optional<int64_t> last_seen;
};

// The write of one (id, name, set_once) that wins within the batch: for a
// plain set the latest `at` (ties: the later write), for a set_once the
// earliest (ties: the first write).
struct TraitWinner {
  const TraitWrite* write = nullptr;  // into the batch
  int64_t at = 0;                     // Unix ms, as stored and compared
  int64_t order = 0;                  // its index in the batch's traits
};

struct WorkspaceBatchPlan {
  std::vector<std::string> activity_order;  // first appearance: a stable write order
  IdentityStringMap<IdActivityDelta> activity;
  std::vector<std::string> assignment_order;
  IdentityStringMap<std::string> assignments;  // the last one per id
  // Every person an assignment named (repeats possible): each is a member of
  // itself, unless assigned in turn.
  std::vector<std::string> assignment_persons;
  std::vector<TraitWinner> traits;
  IdentityStringMap<std::string> trait_person;  // id -> the person its first write names
};

// By workspace id. REQUIRES: `batch` outlives the plans (they point into it).
std::map<std::string_view, WorkspaceBatchPlan> PlanIdentityBatch(const IdentityBatch& batch);

}  // namespace cdp
