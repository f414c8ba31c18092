#pragma once

#include <string_view>

namespace cdp {

// Compares two secrets in time that depends only on their lengths, so that a
// caller cannot learn a secret byte by byte from response times.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace cdp
