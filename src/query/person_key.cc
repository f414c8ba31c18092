#include "query/person_key.h"

#include <xxhash.h>

namespace cdp::query {

namespace {

// The strings of a column for the block, with `keys` cleared to one slot per
// dictionary entry; nothing when the column is absent from the block's part.
const StringColumn* PrepareDictionary(const ColumnData& column, std::vector<PersonKey>& keys) {
  const auto* strings = std::get_if<StringColumn>(&column);
  keys.assign(strings == nullptr ? 0 : strings->dictionary.size(), 0);
  return strings;
}

// The key of dictionary entry `code`, hashed the first time a selected row
// uses it: a scan that selects few rows of a block hashes few ids. 0 marks
// "not hashed yet": a dictionary entry is never empty (empty ids are null),
// so its key is never 0.
PersonKey KeyOfCode(const StringColumn& column, uint32_t code, std::vector<PersonKey>& keys) {
  PersonKey& key = keys[code];
  if (key == 0) key = PersonKeyOf(column.dictionary[code]);
  return key;
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
      PrepareDictionary(batch.columns[anonymous_id_column], anonymous_keys_);
  const StringColumn* user = PrepareDictionary(batch.columns[user_id_column], user_keys_);
  keys.reserve(keys.size() + batch.selection.size());
  for (const uint32_t row : batch.selection) {
    // An empty id is stored as null, so "has an anonymous id" is "not null".
    if (anonymous != nullptr && !anonymous->nulls.IsNull(row)) {
      keys.push_back(KeyOfCode(*anonymous, anonymous->codes[row], anonymous_keys_));
    } else if (user != nullptr && !user->nulls.IsNull(row)) {
      keys.push_back(KeyOfCode(*user, user->codes[row], user_keys_));
    } else {
      keys.push_back(0);
    }
  }
}

}  // namespace cdp::query
