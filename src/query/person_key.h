#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "model/event.h"
#include "model/person_map.h"
#include "store/scan.h"

namespace cdp::query {

// Who did an event, as analyses count persons ("unique persons", funnels,
// retention, sessions, paths).
//
// Persons are resolved at query time (ARCHITECTURE.md, identity stitching):
// an event names one distinct id, ResolutionIdOf(anonymous_id, user_id) (its
// user id, else its anonymous id), and the query's PersonMap snapshot
// (PersonSnapshotOf in query_context.h) names that id's person, so that a
// merge applies to every event ingested before it. An event with neither id
// has no person (key 0) and counts for nobody.
//
// PersonKey, PersonKeyOf and ResolutionIdOf come from model/person_map.h;
// PersonOf and PersonKeyReader below are the only way analyses read
// anonymous_id and user_id for persons.

// The columns a scan reads to know each row's person, in this order.
inline constexpr std::string_view kPersonColumns[] = {"anonymous_id", "user_id"};

// The person of an event under `persons`: the one definition every engine
// follows and the reference implementations use directly. 0 when the event
// has neither id.
PersonKey PersonOf(const Event& event, const PersonMap& persons);
PersonKey PersonOf(std::string_view anonymous_id, std::string_view user_id,
                   const PersonMap& persons);

// The person keys of a batch's rows under one snapshot, hashing and resolving
// each dictionary entry of the block at most once (and only those the
// selected rows use) rather than each row: the per-row cost is a null test
// and an array load. One per scan worker.
class PersonKeyReader {
 public:
  // REQUIRES: `persons` outlives the reader.
  explicit PersonKeyReader(const PersonMap& persons) : persons_(&persons) {}

  // Appends to `keys` the person of each row of batch.selection, in order;
  // the batch's columns anonymous_id and user_id are at the given indices.
  void Read(const ScanBatch& batch, size_t anonymous_id_column, size_t user_id_column,
            std::vector<PersonKey>& keys);

 private:
  const PersonMap* persons_;
  std::vector<PersonKey> anonymous_keys_;  // per dictionary code of the block
  std::vector<PersonKey> user_keys_;
};

}  // namespace cdp::query
