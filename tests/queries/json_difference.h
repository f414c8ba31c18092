#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cdp::query::cases {

// How two JSON texts differ, as readable lines, one per difference, each
// naming the place by path ("steps[2].persons: got 3, expected 4"):
//  - objects are equal with the same keys, in any order; a missing or an
//    extra key is one difference;
//  - arrays are compared element by element; a length mismatch is one more;
//  - numbers are equal within a relative `tolerance` (integers and doubles
//    alike: 3 equals 3.0);
//  - everything else must be identical.
// Empty when the two are equal. At most `max_differences` lines (then a
// last "..." line). A text that is not JSON is one difference.
std::vector<std::string> JsonDifferences(std::string_view actual, std::string_view expected,
                                         double tolerance = 1e-9, size_t max_differences = 20);

// `json` indented by two spaces a level, keys in their order: what a test
// prints of a result so that it can be read, or pasted into a case file.
std::string PrettyJson(std::string_view json);

}  // namespace cdp::query::cases
