#include "core/secure_compare.h"

namespace cdp {

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Always walk the longer input so that the time does not reveal where the
  // first difference is; a length difference is folded into the result.
  const size_t length = a.size() > b.size() ? a.size() : b.size();
  volatile unsigned char difference = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < length; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    difference = difference | (x ^ y);
  }
  return difference == 0;
}

}  // namespace cdp
