#pragma once

#include <span>
#include <string>
#include <string_view>

#include "model/event.h"
#include "store/event_store.h"
#include "store/scan.h"

namespace cdp {

// The columns every stored event has (scan.h lists their names), in the
// order stores list them.
std::span<const StoredColumn> FixedEventColumns();

// The column prefix of each property section: "context.", "properties.",
// "traits.", "traits_set_once.".
inline constexpr std::string_view kContextPrefix = "context.";
inline constexpr std::string_view kPropertiesPrefix = "properties.";
inline constexpr std::string_view kTraitsPrefix = "traits.";
inline constexpr std::string_view kTraitsSetOncePrefix = "traits_set_once.";

// The value an event has in `column`: the reference every store's scans are
// tested against. Empty ids, an empty event name and empty integrations are
// null (they mean "none"); a timestamp-typed property is a time. When a
// section holds a name twice (flattening never does), the first wins.
ScalarValue ColumnValueOf(const Event& event, std::string_view column);

// Whether `value` (a row's value in the predicate's column) satisfies
// `predicate`, by the rules of scan.h: the reference implementation.
bool SatisfiesPredicate(const ScalarValue& value, const Predicate& predicate);

}  // namespace cdp
