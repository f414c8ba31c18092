#include "ingest/schema_gate.h"

#include <fmt/format.h>

namespace cdp::ingest {

namespace {

void Observe(SchemaSection section, const std::vector<Property>& properties,
             std::vector<ObservedProperty>& out) {
  for (const Property& property : properties) {
    if (!property.is_null()) out.push_back({section, property.name, property.type()});
  }
}

}  // namespace

SchemaObservation ObservationOf(const Event& event) {
  SchemaObservation observation;
  observation.event =
      event.type == EventType::kTrack ? event.event : std::string(EventTypeName(event.type));
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
                     PropertyTypeName(conflict.seen),
                     PropertyTypeName(conflict.registered));
}

struct SchemaGate::CachedSchema {
  TimePoint loaded_at;
  bool reloading = false;  // GUARDED_BY(SchemaGate::mu_): one reload at a time

  std::mutex mu;
  WorkspaceSchema schema;         // GUARDED_BY(mu)
  StringMap<TimePoint> reported;  // GUARDED_BY(mu): event name -> last RegisterSchema
};

SchemaGate::SchemaGate(SchemaRegistry& registry, const Clock& clock, std::chrono::seconds refresh)
    : registry_(registry), clock_(clock), refresh_(refresh) {}

SchemaGate::~SchemaGate() = default;

void SchemaGate::Invalidate(std::string_view workspace_id) {
  std::lock_guard lock(mu_);
  if (auto it = cache_.find(workspace_id); it != cache_.end()) cache_.erase(it);
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
      if (now - stale->loaded_at < refresh_ || stale->reloading) return stale;
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
  fresh->loaded_at = now;
  fresh->schema = std::move(loaded).value();
  cache_.insert_or_assign(std::string(workspace_id), fresh);
  return fresh;
}

Result<std::vector<SchemaConflict>> SchemaGate::Admit(std::string_view workspace_id,
                                                      const SchemaObservation& observation) {
  CDP_ASSIGN_OR_RETURN(const std::shared_ptr<CachedSchema> cached, CacheOf(workspace_id));
  const TimePoint now = clock_.Now();
  SchemaCheck check;
  {
    std::lock_guard lock(cached->mu);
    check = cached->schema.Check(observation);
    const auto reported = cached->reported.find(observation.event);
    const bool reported_recently =
        reported != cached->reported.end() && now - reported->second < refresh_;
    if (check.conflicts.empty() && !check.has_new && reported_recently) return check.conflicts;
  }
  CDP_ASSIGN_OR_RETURN(std::vector<SchemaConflict> conflicts,
                       registry_.RegisterSchema(workspace_id, observation));
  if (conflicts != check.conflicts) {
    // The store knows a schema this cache does not (a fix, or another
    // process's registration): load it again on the next event.
    Invalidate(workspace_id);
  } else if (conflicts.empty()) {
    std::lock_guard lock(cached->mu);
    cached->schema.Add(observation);
    cached->reported.insert_or_assign(observation.event, now);
  }
  return conflicts;
}

}  // namespace cdp::ingest
