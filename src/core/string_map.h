#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cdp {

// A transparent hash, so that maps keyed by std::string can be searched with
// a std::string_view without allocating.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

template <typename Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

}  // namespace cdp
