#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cdp {

// Persons, as analyses count them (identity stitching, ARCHITECTURE.md).
//
// Every distinct id (an anonymous id, a user id, an alias) belongs to exactly
// one person. A person is a set of ids joined by identify / alias merges (the
// identity graph, identity/identity_graph.h); an id no merge ever touched is a
// person of its own. Each person has a representative id, one of its ids, and
// is known by that id's key.
//
// A PersonKey is a 64-bit hash of an id: analyses group by it without a shared
// dictionary, so scan workers never synchronize. Two of a million ids share a
// key with probability about 3e-8.
using PersonKey = uint64_t;

// The key of a distinct id; 0 for "" (no id, no person).
PersonKey PersonKeyOf(std::string_view distinct_id);

// The id an event is resolved from: its user id, or its anonymous id when it
// has none (Segment's rule: a user id, when known, is the authority). Empty
// when the event has neither.
std::string_view ResolutionIdOf(std::string_view anonymous_id, std::string_view user_id);

// A profile id names a person: "prs_" and the 16 lower-case hex digits of the
// key of its representative id. A person's profile id changes only when a
// merge joins it to an older person (or an unmerge gives back the old one);
// an old profile id still finds the person through any of its ids.
std::string ProfileIdOf(PersonKey person);
// The key a profile id names; nullopt when `text` is not a profile id.
std::optional<PersonKey> ParseProfileId(std::string_view text);

// Which person each id belongs to at one moment: an immutable snapshot that
// queries resolve events with, so that a merge applies to every event ever
// ingested (resolution at query time). Only ids whose person is represented
// by another id are listed; every other id is its own person.
//
// Updates make a new snapshot sharing the old one's bulk (With): recent
// changes go to a small overlay that is folded into the base once it grows
// past a fraction of it, so an update costs about its own size, amortized.
// Safe to read from any number of threads.
class PersonMap {
 public:
  // id key -> representative key; a pair whose two keys are equal says "this
  // id is its own person again" (an unmerge).
  using Change = std::pair<PersonKey, PersonKey>;

  // The empty map: every id is its own person.
  PersonMap();

  // The person of an id key: its representative's key, or the key itself.
  PersonKey Resolve(PersonKey id_key) const {
    if (id_key == 0) return 0;
    if (const PersonKey* found = overlay_->Find(id_key)) return *found;
    if (const PersonKey* found = base_->Find(id_key)) return *found;
    return id_key;
  }
  // The person of an id (Resolve(PersonKeyOf(id))).
  PersonKey ResolveId(std::string_view distinct_id) const {
    return Resolve(PersonKeyOf(distinct_id));
  }

  // A new snapshot with `changes` applied in order (later wins).
  std::shared_ptr<const PersonMap> With(std::span<const Change> changes) const;

  // Ids listed as belonging to another id's person.
  size_t merged_ids() const;
  // Increases with every With: the query cache keys answers by it, so that a
  // merge is seen at once rather than after the cache's time to live.
  uint64_t version() const { return version_; }

  // An open-addressing table of key -> representative key (key 0 = empty).
  class Table {
   public:
    explicit Table(size_t expected);
    const PersonKey* Find(PersonKey key) const;
    void Put(PersonKey key, PersonKey value);
    size_t size() const { return size_; }
    template <typename Fn>
    void ForEach(Fn&& fn) const {
      for (const Slot& slot : slots_) {
        if (slot.key != 0) fn(slot.key, slot.value);
      }
    }

   private:
    // Key and value side by side: a probe that hits costs one cache miss.
    struct Slot {
      PersonKey key = 0;
      PersonKey value = 0;
    };
    void Grow();
    std::vector<Slot> slots_;
    size_t size_ = 0;
    size_t mask_ = 0;
  };

 private:
  PersonMap(std::shared_ptr<const Table> base, std::shared_ptr<const Table> overlay,
            uint64_t version);

  std::shared_ptr<const Table> base_;
  std::shared_ptr<const Table> overlay_;
  uint64_t version_ = 0;
};

}  // namespace cdp
