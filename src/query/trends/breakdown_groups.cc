#include "query/trends/breakdown_groups.h"

#include "query/trends/trends_result.h"

namespace cdp::query {

void BreakdownGroups::Close(const std::vector<std::optional<std::string>>& values) {
  values_.clear();
  ids_.clear();
  null_id_ = kUnmapped;
  for (const std::optional<std::string>& value : values) IdOf(value);
  closed_ = true;
}

uint32_t BreakdownGroups::IdOf(const std::optional<std::string_view>& value) {
  if (!value) {
    if (null_id_ == kUnmapped) {
      if (closed_) return uint32_t(values_.size());
      null_id_ = uint32_t(values_.size());
      values_.emplace_back();
    }
    return null_id_;
  }
  const auto found = ids_.find(*value);
  if (found != ids_.end()) return found->second;
  if (closed_) return uint32_t(values_.size());
  const uint32_t id = uint32_t(values_.size());
  values_.emplace_back(std::string(*value));
  ids_.emplace(std::string(*value), id);
  return id;
}

void BreakdownGroups::Map(const ColumnData& column, std::span<const uint32_t> selection,
                          std::vector<uint32_t>& ids) {
  if (const auto* strings = std::get_if<StringColumn>(&column)) {
    code_ids_.assign(strings->dictionary.size(), kUnmapped);
    const bool has_nulls = !strings->nulls.empty();
    for (const uint32_t row : selection) {
      if (has_nulls && strings->nulls.IsNull(row)) {
        ids.push_back(IdOf(std::nullopt));
        continue;
      }
      uint32_t& id = code_ids_[strings->codes[row]];
      if (id == kUnmapped) id = IdOf(strings->dictionary[strings->codes[row]]);
      ids.push_back(id);
    }
    return;
  }
  if (std::holds_alternative<std::monostate>(column)) {
    const uint32_t id = IdOf(std::nullopt);
    ids.insert(ids.end(), selection.size(), id);
    return;
  }
  for (const uint32_t row : selection) {
    ScalarValue value;
    if (const auto* numbers = std::get_if<NumberColumn>(&column)) {
      if (!numbers->nulls.IsNull(row)) value = numbers->values[row];
    } else if (const auto* booleans = std::get_if<BooleanColumn>(&column)) {
      if (!booleans->nulls.IsNull(row)) value = booleans->values[row] != 0;
    } else if (const auto* times = std::get_if<TimeColumn>(&column)) {
      if (!times->nulls.IsNull(row)) value = TimeValue{times->micros[row]};
    }
    const std::optional<std::string> text = BreakdownText(value);
    ids.push_back(text ? IdOf(std::string_view(*text)) : IdOf(std::nullopt));
  }
}

}  // namespace cdp::query
