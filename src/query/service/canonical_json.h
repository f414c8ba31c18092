#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace cdp::query {

// The canonical text of a JSON request body: parsed, then written back
// compactly with every object's keys in byte order, so that two bodies that
// differ only in whitespace or key order have the same text (and the same
// result-cache key). Arrays keep their order; strings are re-escaped the one
// way JsonWriter escapes them; numbers are written as integers when they
// are integers in the text, else in their shortest round-trip form.
//
// BadRequest when the body is not valid JSON or not an object, and for an
// object with the same key twice (naming it by path): which of the two
// values an analysis would read is not something to leave to a parser.
Result<std::string> CanonicalJsonObject(std::string_view body);

}  // namespace cdp::query
