#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "core/string_map.h"
#include "meta/schema_registry.h"
#include "model/event.h"

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
// Most events also repeat a shape already seen: the same name with the same
// properties, of the same types, in the same order (an SDK sends its fields
// in a fixed order). So the gate remembers a 128-bit fingerprint of each
// shape the current cache admitted, and admits an event of a known shape
// without building its observation or checking it; any other order or type
// is a different shape and takes the full check. Fingerprints belong to one
// load of the cache: Invalidate and the refresh forget them. At most
// `max_shapes` are kept per workspace and load (at most 64 bytes each);
// shapes beyond are checked each time, so that a client inventing shapes
// cannot grow memory without bound.
//
// Thread safety: all methods may be called concurrently. Threads are spread
// over kShards shards round-robin, each with its own lock and the shapes its
// threads met; an event of a known shape takes only its shard's lock, so the
// few ingest threads do not wait for each other. No lock is held across a
// store call; two threads that both see something new both register it,
// which the store makes harmless.
class SchemaGate {
 public:
  static constexpr std::chrono::seconds kDefaultRefresh{60};
  static constexpr size_t kDefaultMaxShapes = 100'000;

  // REQUIRES: `registry` and `clock` outlive this.
  SchemaGate(SchemaRegistry& registry, const Clock& clock,
             std::chrono::seconds refresh = kDefaultRefresh, size_t max_shapes = kDefaultMaxShapes);
  ~SchemaGate();
  SchemaGate(const SchemaGate&) = delete;
  SchemaGate& operator=(const SchemaGate&) = delete;

  // The event's conflicts with the workspace's registry, as the store reports
  // them; when there are none, its observation (ObservationOf) is registered.
  // Errors are the store's (NotFound for an unknown workspace, Unavailable...).
  // The observation is built only when the event's shape is not known.
  Result<std::vector<SchemaConflict>> Admit(std::string_view workspace_id, const Event& event);
  // The same for an observation already built.
  Result<std::vector<SchemaConflict>> Admit(std::string_view workspace_id,
                                            const SchemaObservation& observation);

  // Drops the cached schema of a workspace whose registry changed, and the
  // shapes it admitted.
  void Invalidate(std::string_view workspace_id);

  // Since construction, for metrics and tests.
  struct Counters {
    uint64_t known_shapes = 0;  // events admitted by their shape alone
    uint64_t checked = 0;       // events checked against the cached schema
  };
  Counters counters() const;

 private:
  static constexpr size_t kShards = 16;
  // In the .cc:
  struct Shape;         // the fingerprint of an observation's shape
  struct Generation;    // one load of a workspace's cache
  struct CachedSchema;  // one workspace's registry and report times
  struct Shard;         // the shapes known to some threads

  Result<std::shared_ptr<CachedSchema>> CacheOf(std::string_view workspace_id);
  // Whether `shape` was admitted by the workspace's current cache.
  bool IsKnown(Shard& shard, std::string_view workspace_id, const Shape& shape,
               TimePoint now) const;
  // Admit past the shapes: the check against the cache, and the store.
  Result<std::vector<SchemaConflict>> Check(std::string_view workspace_id,
                                            const SchemaObservation& observation,
                                            const Shape& shape, Shard& shard);
  // Records that `generation` admitted `shape`, within max_shapes_.
  void Remember(Shard& shard, std::string_view workspace_id,
                const std::shared_ptr<Generation>& generation, const Shape& shape);
  Shard& ShardOfThisThread() const;

  SchemaRegistry& registry_;
  const Clock& clock_;
  const std::chrono::seconds refresh_;
  const size_t max_shapes_;
  const uint64_t seed_;  // of the fingerprints: random, so that no client can aim at a collision
  std::array<std::unique_ptr<Shard>, kShards> shards_;
  std::mutex mu_;
  StringMap<std::shared_ptr<CachedSchema>> cache_;  // GUARDED_BY(mu_)
};

}  // namespace cdp::ingest
