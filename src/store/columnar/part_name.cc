#include "store/columnar/part_name.h"

#include <fmt/format.h>

#include <chrono>

#include "core/parse_integer.h"

namespace cdp::columnar {

namespace {

bool IsSafeFileName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (const char c : name) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-';
    if (!safe) return false;
  }
  return true;
}

// A number as PartName writes it: decimal, without leading zeros.
template <typename Number>
bool ParseCanonical(std::string_view text, Number& out) {
  return !(text.size() > 1 && text[0] == '0') && ParseInteger(text, out);
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string PartName::FileName() const {
  return fmt::format("{}_{}_{}.part", min_block, max_block, level);
}

std::optional<PartName> ParsePartFileName(std::string_view file_name) {
  constexpr std::string_view kSuffix = ".part";
  if (!file_name.ends_with(kSuffix)) return std::nullopt;
  file_name.remove_suffix(kSuffix.size());
  const size_t first = file_name.find('_');
  const size_t second = file_name.find('_', first == std::string_view::npos ? first : first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos) return std::nullopt;
  PartName name;
  if (!ParseCanonical(file_name.substr(0, first), name.min_block) ||
      !ParseCanonical(file_name.substr(first + 1, second - first - 1), name.max_block) ||
      !ParseCanonical(file_name.substr(second + 1), name.level) ||
      name.min_block > name.max_block) {
    return std::nullopt;
  }
  return name;
}

std::string PartitionPath(std::string_view workspace_id, int64_t day) {
  using namespace std::chrono;
  const year_month_day date{sys_days{days{day}}};
  const std::string date_text =
      fmt::format("{:04}{:02}{:02}", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  if (IsSafeFileName(workspace_id)) return fmt::format("{}/{}", workspace_id, date_text);
  std::string hex = "~";
  for (const unsigned char c : workspace_id) hex += fmt::format("{:02x}", c);
  return fmt::format("{}/{}", hex, date_text);
}

std::optional<std::string> WorkspaceOfDirectory(std::string_view directory) {
  if (IsSafeFileName(directory)) return std::string(directory);
  if (!directory.starts_with('~') || directory.size() % 2 != 1 || directory.size() < 3) {
    return std::nullopt;
  }
  std::string id;
  for (size_t i = 1; i < directory.size(); i += 2) {
    const int high = HexDigit(directory[i]);
    const int low = HexDigit(directory[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    id += static_cast<char>(high * 16 + low);
  }
  // Only names PartitionPath would have written.
  if (IsSafeFileName(id)) return std::nullopt;
  return id;
}

std::optional<int64_t> DayOfDirectory(std::string_view directory) {
  using namespace std::chrono;
  int value = 0;
  if (directory.size() != 8 || !ParseCanonical(directory, value)) return std::nullopt;
  const year_month_day date{year{value / 10000}, month{static_cast<unsigned>(value / 100 % 100)},
                            day{static_cast<unsigned>(value % 100)}};
  if (!date.ok()) return std::nullopt;
  return sys_days{date}.time_since_epoch().count();
}

}  // namespace cdp::columnar
