#include "query/person_key.h"

#include <xxhash.h>

namespace cdp::query {

namespace {

// The strings of a column for the block: its dictionary hashed once, or
// nothing when the column is absent from the block's part.
const StringColumn* HashDictionary(const ColumnData& column, std::vector<PersonKey>& keys) {
  const auto* strings = std::get_if<StringColumn>(&column);
  keys.clear();
  if (strings == nullptr) return nullptr;
  keys.reserve(strings->dictionary.size());
  for (const std::string_view id : strings->dictionary) keys.push_back(PersonKeyOf(id));
  return strings;
}

}  // namespace

std::string_view PersonIdOf(std::string_view anonymous_id, std::string_view user_id) {
  return anonymous_id.empty() ? user_id : anonymous_id;
}

std::string_view PersonIdOf(const Event& event) {
  return PersonIdOf(event.anonymous_id, event.user_id);
}

PersonKey PersonKeyOf(std::string_view person_id) {
  if (person_id.empty()) return 0;
  const PersonKey key = XXH3_64bits(person_id.data(), person_id.size());
  return key == 0 ? 1 : key;  // 0 means "no person"
}

void PersonKeyReader::Read(const ScanBatch& batch, size_t anonymous_id_column,
                           size_t user_id_column, std::vector<PersonKey>& keys) {
  const StringColumn* anonymous =
      HashDictionary(batch.columns[anonymous_id_column], anonymous_keys_);
  const StringColumn* user = HashDictionary(batch.columns[user_id_column], user_keys_);
  keys.reserve(keys.size() + batch.selection.size());
  for (const uint32_t row : batch.selection) {
    // An empty id is stored as null, so "has an anonymous id" is "not null".
    if (anonymous != nullptr && !anonymous->nulls.IsNull(row)) {
      keys.push_back(anonymous_keys_[anonymous->codes[row]]);
    } else if (user != nullptr && !user->nulls.IsNull(row)) {
      keys.push_back(user_keys_[user->codes[row]]);
    } else {
      keys.push_back(0);
    }
  }
}

}  // namespace cdp::query
