#pragma once

#include <string>
#include <string_view>

namespace cdp::testing {

// What tests read of a JSON answer, by JSON pointer (RFC 6901, "/steps/0/persons").

// The value at `pointer` of `json`, minified; "" when absent or not JSON.
std::string JsonAt(std::string_view json, std::string_view pointer);

// The string at `pointer` of `json`; "" when absent or not a string.
std::string StringAt(std::string_view json, std::string_view pointer);

}  // namespace cdp::testing
