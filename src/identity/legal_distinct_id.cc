#include <array>
#include <string_view>

#include "identity/identity_graph.h"

namespace cdp::identity {
namespace {

// Placeholders clients send when they have no real id (an unset variable
// printed, a template left unfilled). Lower case: compared without case.
constexpr std::array<std::string_view, 15> kPlaceholderIds = {
    "anonymous",       "guest",     "distinct_id", "distinctid", "id",   "not_authenticated",
    "email",           "undefined", "null",        "0",          "true", "false",
    "[object object]", "nan",       "none",
};

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoringAsciiCase(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (AsciiLower(text[i]) != lower[i]) return false;
  }
  return true;
}

}  // namespace

bool IsLegalDistinctId(std::string_view id) {
  while (!id.empty() && IsAsciiSpace(id.front())) id.remove_prefix(1);
  while (!id.empty() && IsAsciiSpace(id.back())) id.remove_suffix(1);
  if (id.empty()) return false;
  for (std::string_view placeholder : kPlaceholderIds) {
    if (EqualsIgnoringAsciiCase(id, placeholder)) return false;
  }
  return true;
}

}  // namespace cdp::identity
