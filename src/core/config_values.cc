#include "core/config_values.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

namespace cdp::config_values {

namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Splits "512KiB" into 512 and "kib".
bool SplitNumberAndUnit(std::string_view text, uint64_t& number, std::string& unit) {
  text = Trim(text);
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, number);
  if (ec != std::errc() || ptr == text.data()) return false;
  unit = Lower(Trim(std::string_view(ptr, static_cast<size_t>(end - ptr))));
  return true;
}

}  // namespace

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  uint64_t number = 0;
  std::string unit;
  const Status invalid =
      Status::BadRequest("expected a duration with a unit such as 250ms, 10s, 5m or 1h, got '" +
                         std::string(text) + "'");
  if (!SplitNumberAndUnit(text, number, unit)) return invalid;
  uint64_t factor;
  if (unit == "ms") {
    factor = 1;
  } else if (unit == "s") {
    factor = 1000;
  } else if (unit == "m") {
    factor = 60'000;
  } else if (unit == "h") {
    factor = 3'600'000;
  } else {
    return invalid;
  }
  if (number > std::numeric_limits<int64_t>::max() / factor) return invalid;
  return std::chrono::milliseconds(static_cast<int64_t>(number * factor));
}

Result<uint64_t> ParseByteSize(std::string_view text) {
  uint64_t number = 0;
  std::string unit;
  const Status invalid = Status::BadRequest(
      "expected a size such as 1048576, 512KiB or 1MiB, got '" + std::string(text) + "'");
  if (!SplitNumberAndUnit(text, number, unit)) return invalid;
  uint64_t factor;
  if (unit.empty() || unit == "b") {
    factor = 1;
  } else if (unit == "k" || unit == "kb" || unit == "kib") {
    factor = uint64_t{1} << 10;
  } else if (unit == "m" || unit == "mb" || unit == "mib") {
    factor = uint64_t{1} << 20;
  } else if (unit == "g" || unit == "gb" || unit == "gib") {
    factor = uint64_t{1} << 30;
  } else {
    return invalid;
  }
  if (number > std::numeric_limits<uint64_t>::max() / factor) return invalid;
  return number * factor;
}

Result<bool> ParseBool(std::string_view text) {
  const std::string value = Lower(Trim(text));
  if (value == "true" || value == "1" || value == "yes" || value == "on") return true;
  if (value == "false" || value == "0" || value == "no" || value == "off") return false;
  return Status::BadRequest("expected true or false, got '" + std::string(text) + "'");
}

Result<int64_t> ParseInt(std::string_view text, int64_t min, int64_t max) {
  const std::string_view trimmed = Trim(text);
  int64_t value = 0;
  const auto* end = trimmed.data() + trimmed.size();
  const auto [ptr, ec] = std::from_chars(trimmed.data(), end, value);
  if (ec != std::errc() || ptr != end || trimmed.empty() || value < min || value > max) {
    return Status::BadRequest("expected an integer from " + std::to_string(min) + " to " +
                              std::to_string(max) + ", got '" + std::string(text) + "'");
  }
  return value;
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> items;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view item = Trim(text.substr(0, comma));
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

}  // namespace cdp::config_values
