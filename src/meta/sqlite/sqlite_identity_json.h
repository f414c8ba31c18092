#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace cdp {

// The little JSON the SQLite identity store reads and writes itself: arrays of
// ids, object keys, and the scalar values of trait conditions. Internal to
// src/meta/sqlite.
//
// Ids are compared byte for byte (SQL equality, json_each), so the writer
// keeps every byte as it is and escapes only what JSON requires (quotes,
// backslashes, control characters); core's AppendJsonEscaped, made for
// responses, would replace invalid UTF-8 and the id read back would differ.

// Appends `text` as a JSON string, quotes included.
void AppendJsonStringExact(std::string& out, std::string_view text);
// ["a","b"]
std::string JsonStringArray(const std::vector<std::string>& items);
// The strings of a JSON array of strings; Internal (naming `what`) otherwise.
Result<std::vector<std::string>> ParseJsonStringArray(std::string_view json, std::string_view what);

// The text of a JSON string value ("\"a\\nb\"" -> "a\nb"), surrounding
// whitespace allowed; nullopt when `json` is not exactly one JSON string.
std::optional<std::string> DecodeJsonString(std::string_view json);

// The kind of a JSON scalar, as trait conditions compare values: numbers
// numerically, strings as text, booleans as booleans.
enum class JsonScalarKind { kString, kNumber, kBoolean, kNull };
// nullopt unless `json` is exactly one JSON string, number, boolean or null
// (surrounding whitespace allowed).
std::optional<JsonScalarKind> ClassifyJsonScalar(std::string_view json);

}  // namespace cdp
