#pragma once

#include <simdjson.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace cdp::ingest {

// Typed reads of one field of a request object (an event, or its properties).
// An absent field and a JSON null both read as "not given": SDKs send null
// for fields they have no value for. A value of the wrong JSON type is a
// BadRequest whose field() is `key`; callers prefix the path to the object.
// Returned views and objects point into the parsed body and live as long as it.

Result<std::optional<std::string_view>> ReadString(const simdjson::dom::object& object,
                                                   std::string_view key);

// An identifier (userId, groupId, distinct_id, ...): a string, or a number
// written as its decimal text, since SDKs send numeric ids (42 → "42",
// 1.5 → "1.5"). Empty when not given or "".
Result<std::string> ReadId(const simdjson::dom::object& object, std::string_view key);

Result<std::optional<simdjson::dom::object>> ReadObject(const simdjson::dom::object& object,
                                                        std::string_view key);

// A date-time as ParseIso8601DateTime accepts it.
Result<std::optional<TimePoint>> ReadTime(const simdjson::dom::object& object,
                                          std::string_view key);

// The client's message id when it is a non-empty string of at most
// `max_chars` bytes, else a new UUIDv7 when not given or "".
Result<std::string> ReadMessageId(const simdjson::dom::object& object, std::string_view key,
                                  size_t max_chars);

}  // namespace cdp::ingest
