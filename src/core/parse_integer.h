#pragma once

#include <charconv>
#include <string_view>

namespace cdp {

// Parses all of `text` as an integer in `base` into `out`: false for empty
// text, anything after the digits, a sign the type cannot hold, or overflow
// (`out` is then unspecified). No blanks, no "+".
template <typename Integer>
bool ParseInteger(std::string_view text, Integer& out, int base = 10) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return !text.empty() && error == std::errc() && end == text.data() + text.size();
}

}  // namespace cdp
