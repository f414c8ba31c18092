#include "identity/identity_batch_builder.h"

#include <algorithm>
#include <variant>

#include "core/json_writer.h"
#include "model/person_map.h"

namespace cdp::identity {

namespace {

// Length-prefixed parts: no two (workspace, id, name) tuples share a key,
// whatever bytes the ids hold.
void AppendKeyPart(std::string& key, std::string_view part) {
  key += std::to_string(part.size());
  key += ':';
  key += part;
}

}  // namespace

std::string PropertyValueJson(const Property& property) {
  JsonWriter json;
  std::visit(
      [&](const auto& value) {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          json.Null();
        } else if constexpr (std::is_same_v<T, std::string>) {
          json.String(value);
        } else if constexpr (std::is_same_v<T, double>) {
          json.Double(value);
        } else {
          json.Bool(value);
        }
      },
      property.value);
  return std::move(json).Take();
}

void IdentityBatchBuilder::AddEvent(const Event& event) {
  ++events_;
  const std::string_view id = ResolutionIdOf(event.anonymous_id, event.user_id);
  if (id.empty()) return;

  std::string key;
  AppendKeyPart(key, event.workspace_id);
  AppendKeyPart(key, id);
  const auto [slot, inserted] = activity_index_.try_emplace(std::move(key), activity_.size());
  if (inserted) {
    IdActivity& row = activity_.emplace_back();
    row.workspace_id = event.workspace_id;
    row.id = id;
    row.first_seen = event.timestamp;
    row.last_seen = event.timestamp;
  }
  IdActivity& row = activity_[slot->second];
  row.events += 1;
  row.first_seen = std::min(row.first_seen, event.timestamp);
  row.last_seen = std::max(row.last_seen, event.timestamp);
  if (!event.user_id.empty()) row.seen_as_user_id = true;

  if (event.type == EventType::kGroup) return;
  AddTraits(event, id, event.traits, /*set_once=*/false);
  AddTraits(event, id, event.traits_set_once, /*set_once=*/true);
}

void IdentityBatchBuilder::AddTraits(const Event& event, std::string_view id,
                                     const std::vector<Property>& traits, bool set_once) {
  for (const Property& trait : traits) {
    std::string key;
    AppendKeyPart(key, event.workspace_id);
    AppendKeyPart(key, id);
    AppendKeyPart(key, trait.name);
    key += set_once ? '1' : '0';
    const auto [slot, inserted] = trait_index_.try_emplace(std::move(key), traits_.size());
    if (!inserted) {
      TraitWrite& kept = traits_[slot->second];
      // Compared as the store compares, to the millisecond (a tie going to
      // the later write): the outcome must not depend on where the loader
      // happened to cut the batches.
      const int64_t at = UnixMillis(event.timestamp);
      const int64_t kept_at = UnixMillis(kept.at);
      const bool replaces = set_once ? at < kept_at : at >= kept_at;
      if (replaces) {
        kept.value_json = PropertyValueJson(trait);
        kept.at = event.timestamp;
        trait_events_[slot->second] = events_;
      }
      continue;
    }
    trait_events_.push_back(events_);
    TraitWrite& write = traits_.emplace_back();
    write.workspace_id = event.workspace_id;
    write.id = id;
    write.name = trait.name;
    write.value_json = PropertyValueJson(trait);
    write.at = event.timestamp;
    write.set_once = set_once;
  }
}

void IdentityBatchBuilder::Finish(
    const std::function<std::string(std::string_view, std::string_view)>& person_of,
    IdentityBatch& batch) {
  for (IdActivity& row : activity_) {
    row.person = person_of(row.workspace_id, row.id);
    batch.activity.push_back(std::move(row));
  }
  std::vector<size_t> by_event(traits_.size());
  for (size_t i = 0; i < by_event.size(); ++i) by_event[i] = i;
  std::stable_sort(by_event.begin(), by_event.end(),
                   [&](size_t a, size_t b) { return trait_events_[a] < trait_events_[b]; });
  for (const size_t i : by_event) {
    TraitWrite& write = traits_[i];
    write.person = person_of(write.workspace_id, write.id);
    batch.traits.push_back(std::move(write));
  }
  activity_.clear();
  activity_index_.clear();
  traits_.clear();
  trait_events_.clear();
  trait_index_.clear();
  events_ = 0;
}

}  // namespace cdp::identity
