#include "query/person_key.h"

namespace cdp::query {

namespace {

// The strings of a column for the block, with `keys` cleared to one slot per
// dictionary entry; nothing when the column is absent from the block's part.
const StringColumn* PrepareDictionary(const ColumnData& column, std::vector<PersonKey>& keys) {
  const auto* strings = std::get_if<StringColumn>(&column);
  keys.assign(strings == nullptr ? 0 : strings->dictionary.size(), 0);
  return strings;
}

// The person of dictionary entry `code`, hashed and resolved the first time a
// selected row uses it: a scan that selects few rows of a block resolves few
// ids. 0 marks "not resolved yet": a dictionary entry is never empty (empty
// ids are null), so its key, and the key of its person, is never 0.
PersonKey PersonOfCode(const StringColumn& column, uint32_t code, const PersonMap& persons,
                       std::vector<PersonKey>& keys) {
  PersonKey& key = keys[code];
  if (key == 0) key = persons.ResolveId(column.dictionary[code]);
  return key;
}

}  // namespace

PersonKey PersonOf(std::string_view anonymous_id, std::string_view user_id,
                   const PersonMap& persons) {
  return persons.ResolveId(ResolutionIdOf(anonymous_id, user_id));
}

PersonKey PersonOf(const Event& event, const PersonMap& persons) {
  return PersonOf(event.anonymous_id, event.user_id, persons);
}

void PersonKeyReader::Read(const ScanBatch& batch, size_t anonymous_id_column,
                           size_t user_id_column, std::vector<PersonKey>& keys) {
  const StringColumn* user = PrepareDictionary(batch.columns[user_id_column], user_keys_);
  const StringColumn* anonymous =
      PrepareDictionary(batch.columns[anonymous_id_column], anonymous_keys_);
  const PersonMap& persons = *persons_;
  keys.reserve(keys.size() + batch.selection.size());
  for (const uint32_t row : batch.selection) {
    // The user id first (ResolutionIdOf). An empty id is stored as null, so
    // "has a user id" is "not null".
    if (user != nullptr && !user->nulls.IsNull(row)) {
      keys.push_back(PersonOfCode(*user, user->codes[row], persons, user_keys_));
    } else if (anonymous != nullptr && !anonymous->nulls.IsNull(row)) {
      keys.push_back(PersonOfCode(*anonymous, anonymous->codes[row], persons, anonymous_keys_));
    } else {
      keys.push_back(0);
    }
  }
}

}  // namespace cdp::query
