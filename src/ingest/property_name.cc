#include "ingest/property_name.h"

namespace cdp::ingest {

namespace {

// ASCII only, and independent of the C locale.
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool AppendSnakeCase(std::string_view key, std::string& name) {
  const size_t start = name.size();
  bool separator_pending = start > 0;  // between the parent's name and this key's
  bool wrote = false;
  const auto emit = [&](char c) {
    if (separator_pending) name += '_';
    separator_pending = false;
    name += c;
    wrote = true;
  };
  for (size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    if (IsUpper(c)) {
      if (i > 0) {
        const char previous = key[i - 1];
        const bool next_is_lower = i + 1 < key.size() && IsLower(key[i + 1]);
        if (IsLower(previous) || IsDigit(previous) || (IsUpper(previous) && next_is_lower)) {
          separator_pending = true;
        }
      }
      emit(static_cast<char>(c - 'A' + 'a'));
    } else if (IsLower(c) || IsDigit(c)) {
      emit(c);
    } else if (wrote) {
      separator_pending = true;  // dropped again if nothing follows
    }
  }
  if (!wrote) {
    name.resize(start);
    return false;
  }
  if (start == 0 && IsDigit(name[0])) name.insert(name.begin(), '_');
  return true;
}

std::string ToSnakeCase(std::string_view key) {
  std::string name;
  AppendSnakeCase(key, name);
  return name;
}

}  // namespace cdp::ingest
