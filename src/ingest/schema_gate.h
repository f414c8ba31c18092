#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "core/string_map.h"
#include "model/event.h"
#include "meta/schema_registry.h"

namespace cdp::ingest {

// What an event shows of its workspace's schema: its name (a track event's
// name, else its type's name), and the type of each non-null property,
// trait (both $set and $set_once) and context field.
SchemaObservation ObservationOf(const Event& event);

// The field path of a conflicting property in the event model
// ("properties.plan") and the sentence a client reads.
std::string ConflictField(const SchemaConflict& conflict);
std::string ConflictMessage(const SchemaConflict& conflict);

// The schema check of ingestion: each event's property types against its
// workspace's registry, registering what is new.
//
// Most events carry nothing new, so each workspace's registry is kept in
// memory (a WorkspaceSchema) and an event that matches it costs no store
// call. The store stays the authority: anything new goes to RegisterSchema,
// and so does an event that conflicts with the cached schema, since the
// schema may have been fixed (ChangePropertyType, DeleteProperty) since the
// cache was loaded. A workspace's cache is reloaded every `refresh`, which
// bounds how long another process's fix goes unseen here; a fix made through
// this process calls Invalidate and is seen at once. Each event name is also
// reported to the store at least every `refresh`, so that its last_seen
// stays that fresh (see RegisterSchema).
//
// Thread safety: all methods may be called concurrently. No lock is held
// across a store call; two threads that both see something new both register
// it, which the store makes harmless.
class SchemaGate {
 public:
  static constexpr std::chrono::seconds kDefaultRefresh{60};

  // REQUIRES: `registry` and `clock` outlive this.
  SchemaGate(SchemaRegistry& registry, const Clock& clock,
             std::chrono::seconds refresh = kDefaultRefresh);
  ~SchemaGate();
  SchemaGate(const SchemaGate&) = delete;
  SchemaGate& operator=(const SchemaGate&) = delete;

  // The observation's conflicts with the workspace's registry, as the store
  // reports them; when there are none, the observation is registered. Errors
  // are the store's (NotFound for an unknown workspace, Unavailable...).
  Result<std::vector<SchemaConflict>> Admit(std::string_view workspace_id,
                                            const SchemaObservation& observation);

  // Drops the cached schema of a workspace whose registry changed.
  void Invalidate(std::string_view workspace_id);

 private:
  struct CachedSchema;  // one workspace's registry and report times (in the .cc)
  Result<std::shared_ptr<CachedSchema>> CacheOf(std::string_view workspace_id);

  SchemaRegistry& registry_;
  const Clock& clock_;
  const std::chrono::seconds refresh_;
  std::mutex mu_;
  StringMap<std::shared_ptr<CachedSchema>> cache_;  // GUARDED_BY(mu_)
};

}  // namespace cdp::ingest
