#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "model/event.h"
#include "store/scan.h"

namespace cdp::query {

// Who did an event, as analyses count persons ("unique persons", funnels,
// retention, sessions, paths).
//
// Until identity resolution lands, a person is the event's anonymous_id, or
// its user_id when it has none: the order the store sorts a partition in.
// Resolution replaces exactly PersonIdOf and PersonKeyReader (both read the
// same two columns), and every analysis follows.
//
// A PersonKey is a 64-bit hash of the person id: analyses group by it without
// a shared dictionary, so scan workers never synchronize. Two of a million
// persons share a key with probability about 3e-8.
using PersonKey = uint64_t;

// The columns a scan reads to know each row's person, in this order.
inline constexpr std::string_view kPersonColumns[] = {"anonymous_id", "user_id"};

// The person id of an event: the reference analyses are tested against.
std::string_view PersonIdOf(const Event& event);
std::string_view PersonIdOf(std::string_view anonymous_id, std::string_view user_id);
// The key of a person id; 0 for "" (no person).
PersonKey PersonKeyOf(std::string_view person_id);

// The person keys of a batch's rows, hashing each dictionary entry of the
// block at most once (and only those the selected rows use) rather than each
// row. One per scan worker.
class PersonKeyReader {
 public:
  // Appends to `keys` the key of each row of batch.selection, in order; the
  // batch's columns anonymous_id and user_id are at the given indices.
  void Read(const ScanBatch& batch, size_t anonymous_id_column, size_t user_id_column,
            std::vector<PersonKey>& keys);

 private:
  std::vector<PersonKey> anonymous_keys_;  // per dictionary code of the block
  std::vector<PersonKey> user_keys_;
};

}  // namespace cdp::query
