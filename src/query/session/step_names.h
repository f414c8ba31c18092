#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cdp::query {

// What sessions (entry and exit events) and paths (steps) call an event when
// no path property is chosen: its name (a track event's name, a page's or a
// screen's name), or "$" and its type for an event without one ("$page",
// "$identify"), so that unnamed events still show up, grouped by type.
std::string UnnamedEventName(std::string_view type_name);

// Gives each distinct step name one scan worker meets a small code, in the
// order it meets them, so that rows carry a number instead of a string.
// Thread safety: one per worker.
class StepNameInterner {
 public:
  uint32_t Intern(std::string_view name);
  const std::vector<std::string>& names() const { return names_; }

 private:
  // Transparent, so that a lookup by string_view builds no string.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>()(text); }
  };
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> codes_;
  std::vector<std::string> names_;
};

// The names of every worker of a scan merged into one dictionary whose codes
// follow the names' byte order: comparing two codes compares the names, so
// ties between same-time events and between equal counts are broken by name
// without touching a string.
class StepDictionary {
 public:
  StepDictionary() = default;
  static StepDictionary Merge(std::span<const StepNameInterner> workers);

  size_t size() const { return names_.size(); }
  const std::string& Name(uint32_t code) const { return names_[code]; }
  // The code of the name worker `worker` interned as `local`.
  uint32_t CodeOf(size_t worker, uint32_t local) const { return codes_[worker][local]; }

 private:
  std::vector<std::string> names_;            // ascending
  std::vector<std::vector<uint32_t>> codes_;  // [worker][local code]
};

}  // namespace cdp::query
