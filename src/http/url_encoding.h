#pragma once

#include <string>
#include <string_view>

namespace cdp::http {

// Decodes %XX escapes (a malformed escape is kept as written). In a query
// string, '+' also stands for a space (HTML form encoding): pass
// `plus_is_space` there, never for path segments.
std::string PercentDecode(std::string_view text, bool plus_is_space = false);

}  // namespace cdp::http
