#include "ingest/schema_gate.h"

#include <fmt/format.h>

#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t on the stack
#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <unordered_map>

#include "core/random.h"

namespace cdp::ingest {

namespace {

void Observe(SchemaSection section, const std::vector<Property>& properties,
             std::vector<ObservedProperty>& out) {
  for (const Property& property : properties) {
    if (!property.is_null()) out.push_back({section, property.name, property.type()});
  }
}

// The event name of an event's observation.
std::string_view ObservedEventName(const Event& event) {
  return event.type == EventType::kTrack ? std::string_view(event.event)
                                         : EventTypeName(event.type);
}

// A 128-bit fingerprint; {0, 0} marks an empty slot of a FingerprintSet.
struct Fingerprint {
  uint64_t low = 0;
  uint64_t high = 0;
  friend bool operator==(const Fingerprint&, const Fingerprint&) = default;
};

// The fingerprint of an observation's shape: XXH3-128, seeded, of everything
// WorkspaceSchema::Check reads of it, in its order and without ambiguity: the
// event name, then each property's name, each name preceded by a word of its
// length and, for a property, its section and type. The bytes gather in a
// buffer on the stack and are hashed in one call, unless they outgrow it.
//
// Why 128 bits: a fingerprint taken for another shape would admit that shape
// unchecked. With 64 bits and 100,000 shapes known, one event in 2^47 would
// be; with 128 bits none will be, for the price of a few instructions.
class ShapeHasher {
 public:
  explicit ShapeHasher(uint64_t seed) : seed_(seed) {}
  ShapeHasher(const ShapeHasher&) = delete;
  ShapeHasher& operator=(const ShapeHasher&) = delete;

  void EventName(std::string_view name) { Name(name, 0); }
  void Property(SchemaSection section, PropertyType type, std::string_view name) {
    Name(name, 1 + (static_cast<uint64_t>(section) << 4 | static_cast<uint64_t>(type)));
  }

  Fingerprint Finish() {
    XXH128_hash_t hash;
    if (!streaming_) {
      hash = XXH3_128bits_withSeed(buffer_, used_, seed_);
    } else {
      XXH3_128bits_update(&state_, buffer_, used_);
      hash = XXH3_128bits_digest(&state_);
    }
    // {0, 0} is the empty slot: such a shape shares {1, 0}, a collision as
    // unlikely as any other.
    if (hash.low64 == 0 && hash.high64 == 0) return {1, 0};
    return {hash.low64, hash.high64};
  }

 private:
  // `tag` (< 256) tells what the name is; names are far shorter than 2^56.
  void Name(std::string_view name, uint64_t tag) {
    const uint64_t header = static_cast<uint64_t>(name.size()) << 8 | tag;
    if (sizeof header + name.size() <= sizeof buffer_ - used_) {  // most of the time
      std::memcpy(buffer_ + used_, &header, sizeof header);
      std::memcpy(buffer_ + used_ + sizeof header, name.data(), name.size());
      used_ += sizeof header + name.size();
      return;
    }
    Append(&header, sizeof header);
    Append(name.data(), name.size());
  }
  void Append(const void* data, size_t size) {
    if (size > sizeof buffer_ - used_) {
      Spill();
      if (size > sizeof buffer_) {
        XXH3_128bits_update(&state_, data, size);
        return;
      }
    }
    std::memcpy(buffer_ + used_, data, size);
    used_ += size;
  }
  // Moves to the streaming state (the same hash as one call over the same bytes).
  void Spill() {
    if (!streaming_) {
      XXH3_INITSTATE(&state_);
      XXH3_128bits_reset_withSeed(&state_, seed_);
      streaming_ = true;
    }
    XXH3_128bits_update(&state_, buffer_, used_);
    used_ = 0;
  }

  const uint64_t seed_;
  size_t used_ = 0;
  bool streaming_ = false;
  unsigned char buffer_[1024];  // enough for most events' shapes
  XXH3_state_t state_;          // once streaming_
};

// The shape of ObservationOf(event), without building it.
Fingerprint ShapeOf(const Event& event, uint64_t seed) {
  ShapeHasher hasher(seed);
  hasher.EventName(ObservedEventName(event));
  const auto add = [&hasher](SchemaSection section, const std::vector<Property>& properties) {
    for (const Property& property : properties) {
      if (!property.is_null()) hasher.Property(section, property.type(), property.name);
    }
  };
  add(SchemaSection::kProperties, event.properties);
  add(SchemaSection::kTraits, event.traits);
  add(SchemaSection::kTraits, event.traits_set_once);
  add(SchemaSection::kContext, event.context);
  return hasher.Finish();
}

Fingerprint ShapeOf(const SchemaObservation& observation, uint64_t seed) {
  ShapeHasher hasher(seed);
  hasher.EventName(observation.event);
  for (const ObservedProperty& property : observation.properties) {
    hasher.Property(property.section, property.type, property.name);
  }
  return hasher.Finish();
}

// A workspace id's hash, for the shards' maps: cheaper than std::hash's.
struct WorkspaceIdHash {
  using is_transparent = void;
  size_t operator()(std::string_view id) const noexcept {
    return XXH3_64bits(id.data(), id.size());
  }
};

// A set of fingerprints: open addressing with linear probing, at most half
// full. Fingerprints are uniform, so their low bits make the slot.
class FingerprintSet {
 public:
  bool Contains(const Fingerprint& fingerprint) const {
    if (slots_.empty()) return false;
    const size_t mask = slots_.size() - 1;
    for (size_t i = fingerprint.low & mask;; i = (i + 1) & mask) {
      if (slots_[i] == fingerprint) return true;
      if (slots_[i] == Fingerprint{}) return false;
    }
  }
  // REQUIRES: !Contains(fingerprint).
  void Insert(const Fingerprint& fingerprint) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    Place(fingerprint);
    ++size_;
  }

 private:
  void Place(const Fingerprint& fingerprint) {
    const size_t mask = slots_.size() - 1;
    size_t i = fingerprint.low & mask;
    while (!(slots_[i] == Fingerprint{})) i = (i + 1) & mask;
    slots_[i] = fingerprint;
  }
  void Grow() {
    std::vector<Fingerprint> old = std::move(slots_);
    slots_.assign(std::max<size_t>(16, old.size() * 2), Fingerprint{});
    for (const Fingerprint& fingerprint : old) {
      if (!(fingerprint == Fingerprint{})) Place(fingerprint);
    }
  }

  std::vector<Fingerprint> slots_;  // a power of two of them, or none
  size_t size_ = 0;
};

}  // namespace

SchemaObservation ObservationOf(const Event& event) {
  SchemaObservation observation;
  observation.event = std::string(ObservedEventName(event));
  observation.at = event.received_at;
  observation.properties.reserve(event.properties.size() + event.traits.size() +
                                 event.traits_set_once.size() + event.context.size());
  Observe(SchemaSection::kProperties, event.properties, observation.properties);
  Observe(SchemaSection::kTraits, event.traits, observation.properties);
  Observe(SchemaSection::kTraits, event.traits_set_once, observation.properties);
  Observe(SchemaSection::kContext, event.context, observation.properties);
  return observation;
}

std::string ConflictField(const SchemaConflict& conflict) {
  return fmt::format("{}.{}", SchemaSectionName(conflict.section), conflict.name);
}

std::string ConflictMessage(const SchemaConflict& conflict) {
  return fmt::format("{} is a {}, but the schema registered it as a {}", ConflictField(conflict),
                     PropertyTypeName(conflict.seen), PropertyTypeName(conflict.registered));
}

struct SchemaGate::Shape {
  Fingerprint fingerprint;
};

// One load of a workspace's cache. The shapes it admitted are known only as
// long as it is current and younger than the refresh.
struct SchemaGate::Generation {
  explicit Generation(TimePoint loaded_at) : loaded_at(loaded_at) {}

  const TimePoint loaded_at;
  std::atomic<bool> current{true};  // until Invalidate or a reload replaces it
  std::atomic<size_t> shapes{0};    // remembered over all shards; at most max_shapes_
};

struct SchemaGate::CachedSchema {
  std::shared_ptr<Generation> generation;
  bool reloading = false;  // GUARDED_BY(SchemaGate::mu_): one reload at a time

  std::mutex mu;
  WorkspaceSchema schema;         // GUARDED_BY(mu)
  StringMap<TimePoint> reported;  // GUARDED_BY(mu): event name -> last RegisterSchema
};

// The shapes known to the threads of one shard, per workspace. Its own cache
// lines, so that threads of different shards share nothing on the way of a
// known shape.
struct alignas(64) SchemaGate::Shard {
  struct Known {
    std::shared_ptr<const Generation> generation;
    FingerprintSet shapes;  // admitted by `generation`
  };

  std::mutex mu;
  std::unordered_map<std::string, Known, WorkspaceIdHash, std::equal_to<>>
      workspaces;  // GUARDED_BY(mu)
  std::atomic<uint64_t> known_shapes{0};
  std::atomic<uint64_t> checked{0};
};

SchemaGate::SchemaGate(SchemaRegistry& registry, const Clock& clock, std::chrono::seconds refresh,
                       size_t max_shapes)
    : registry_(registry),
      clock_(clock),
      refresh_(refresh),
      max_shapes_(max_shapes),
      seed_(FastRandom64()) {
  for (std::unique_ptr<Shard>& shard : shards_) shard = std::make_unique<Shard>();
}

SchemaGate::~SchemaGate() = default;

SchemaGate::Shard& SchemaGate::ShardOfThisThread() const {
  // Round-robin, so that the few threads that ingest get a shard each.
  static std::atomic<size_t> threads{0};
  thread_local const size_t slot = threads.fetch_add(1, std::memory_order_relaxed);
  return *shards_[slot % kShards];
}

void SchemaGate::Invalidate(std::string_view workspace_id) {
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(workspace_id); it != cache_.end()) {
      it->second->generation->current.store(false);
      cache_.erase(it);
    }
  }
  // The shapes are unreachable already (their generation is not current):
  // this frees them.
  for (const std::unique_ptr<Shard>& shard : shards_) {
    std::lock_guard lock(shard->mu);
    if (auto it = shard->workspaces.find(workspace_id); it != shard->workspaces.end()) {
      shard->workspaces.erase(it);
    }
  }
}

Result<std::shared_ptr<SchemaGate::CachedSchema>> SchemaGate::CacheOf(
    std::string_view workspace_id) {
  const TimePoint now = clock_.Now();
  std::shared_ptr<CachedSchema> stale;
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(workspace_id); it != cache_.end()) {
      stale = it->second;
      // While one thread reloads, the others keep using what is cached.
      if (now - stale->generation->loaded_at < refresh_ || stale->reloading) return stale;
      stale->reloading = true;
    }
  }
  Result<WorkspaceSchema> loaded = registry_.LoadSchema(workspace_id);
  std::lock_guard lock(mu_);
  if (!loaded.ok()) {
    if (stale) stale->reloading = false;
    return loaded.status();
  }
  auto fresh = std::make_shared<CachedSchema>();
  fresh->generation = std::make_shared<Generation>(now);
  fresh->schema = std::move(loaded).value();
  auto [it, inserted] = cache_.try_emplace(std::string(workspace_id), fresh);
  if (!inserted) {
    it->second->generation->current.store(false);
    it->second = fresh;
  }
  return fresh;
}

bool SchemaGate::IsKnown(Shard& shard, std::string_view workspace_id, const Shape& shape,
                         TimePoint now) const {
  std::lock_guard lock(shard.mu);
  const auto it = shard.workspaces.find(workspace_id);
  if (it == shard.workspaces.end()) return false;
  const Generation& generation = *it->second.generation;
  // Past the refresh the cache is due for a reload, and the event's name for
  // a report: the full path does both.
  if (!generation.current.load(std::memory_order_acquire) ||
      now - generation.loaded_at >= refresh_ || !it->second.shapes.Contains(shape.fingerprint)) {
    return false;
  }
  shard.known_shapes.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void SchemaGate::Remember(Shard& shard, std::string_view workspace_id,
                          const std::shared_ptr<Generation>& generation, const Shape& shape) {
  std::lock_guard lock(shard.mu);
  // A replaced generation is never current again (see Invalidate and CacheOf).
  if (!generation->current.load(std::memory_order_acquire)) return;
  auto it = shard.workspaces.find(workspace_id);
  if (it == shard.workspaces.end()) {
    it = shard.workspaces.try_emplace(std::string(workspace_id)).first;
  }
  Shard::Known& known = it->second;
  if (known.generation != generation) known = {generation, {}};
  if (known.shapes.Contains(shape.fingerprint)) return;
  size_t count = generation->shapes.load(std::memory_order_relaxed);
  do {
    if (count >= max_shapes_) return;
  } while (!generation->shapes.compare_exchange_weak(count, count + 1, std::memory_order_relaxed));
  known.shapes.Insert(shape.fingerprint);
}

Result<std::vector<SchemaConflict>> SchemaGate::Admit(std::string_view workspace_id,
                                                      const Event& event) {
  const Shape shape{ShapeOf(event, seed_)};
  Shard& shard = ShardOfThisThread();
  if (IsKnown(shard, workspace_id, shape, clock_.Now())) return std::vector<SchemaConflict>{};
  return Check(workspace_id, ObservationOf(event), shape, shard);
}

Result<std::vector<SchemaConflict>> SchemaGate::Admit(std::string_view workspace_id,
                                                      const SchemaObservation& observation) {
  const Shape shape{ShapeOf(observation, seed_)};
  Shard& shard = ShardOfThisThread();
  if (IsKnown(shard, workspace_id, shape, clock_.Now())) return std::vector<SchemaConflict>{};
  return Check(workspace_id, observation, shape, shard);
}

Result<std::vector<SchemaConflict>> SchemaGate::Check(std::string_view workspace_id,
                                                      const SchemaObservation& observation,
                                                      const Shape& shape, Shard& shard) {
  shard.checked.fetch_add(1, std::memory_order_relaxed);
  CDP_ASSIGN_OR_RETURN(const std::shared_ptr<CachedSchema> cached, CacheOf(workspace_id));
  const TimePoint now = clock_.Now();
  const TimePoint loaded_at = cached->generation->loaded_at;
  SchemaCheck check;
  bool admitted = false;
  bool reported_this_load = false;
  {
    std::lock_guard lock(cached->mu);
    check = cached->schema.Check(observation);
    const auto reported = cached->reported.find(observation.event);
    const bool reported_recently =
        reported != cached->reported.end() && now - reported->second < refresh_;
    admitted = check.conflicts.empty() && !check.has_new && reported_recently;
    reported_this_load = admitted && reported->second >= loaded_at;
  }
  if (admitted) {
    // A later event of this shape is known while now - loaded_at < refresh_,
    // so then also now - reported < refresh_, as the check above asks.
    if (reported_this_load) Remember(shard, workspace_id, cached->generation, shape);
    return check.conflicts;
  }
  CDP_ASSIGN_OR_RETURN(std::vector<SchemaConflict> conflicts,
                       registry_.RegisterSchema(workspace_id, observation));
  if (conflicts != check.conflicts) {
    // The store knows a schema this cache does not (a fix, or another
    // process's registration): load it again on the next event.
    Invalidate(workspace_id);
  } else if (conflicts.empty()) {
    {
      std::lock_guard lock(cached->mu);
      cached->schema.Add(observation);
      cached->reported.insert_or_assign(observation.event, now);
    }
    if (now >= loaded_at) Remember(shard, workspace_id, cached->generation, shape);
  }
  return conflicts;
}

SchemaGate::Counters SchemaGate::counters() const {
  Counters counters;
  for (const std::unique_ptr<Shard>& shard : shards_) {
    counters.known_shapes += shard->known_shapes.load(std::memory_order_relaxed);
    counters.checked += shard->checked.load(std::memory_order_relaxed);
  }
  return counters;
}

}  // namespace cdp::ingest
