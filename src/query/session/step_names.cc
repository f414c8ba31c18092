#include "query/session/step_names.h"

#include <algorithm>
#include <cassert>
#include <limits>

namespace cdp::query {

std::string UnnamedEventName(std::string_view type_name) {
  std::string name = "$";
  name += type_name;
  return name;
}

uint32_t StepNameInterner::Intern(std::string_view name) {
  const auto found = codes_.find(name);
  if (found != codes_.end()) return found->second;
  assert(names_.size() < std::numeric_limits<uint32_t>::max());
  const auto code = static_cast<uint32_t>(names_.size());
  names_.emplace_back(name);
  codes_.emplace(names_.back(), code);
  return code;
}

StepDictionary StepDictionary::Merge(std::span<const StepNameInterner> workers) {
  StepDictionary dictionary;
  for (const StepNameInterner& worker : workers) {
    dictionary.names_.insert(dictionary.names_.end(), worker.names().begin(), worker.names().end());
  }
  std::sort(dictionary.names_.begin(), dictionary.names_.end());
  dictionary.names_.erase(std::unique(dictionary.names_.begin(), dictionary.names_.end()),
                          dictionary.names_.end());
  for (const StepNameInterner& worker : workers) {
    std::vector<uint32_t>& codes = dictionary.codes_.emplace_back();
    codes.reserve(worker.names().size());
    for (const std::string& name : worker.names()) {
      const auto at = std::lower_bound(dictionary.names_.begin(), dictionary.names_.end(), name);
      codes.push_back(static_cast<uint32_t>(at - dictionary.names_.begin()));
    }
  }
  return dictionary;
}

}  // namespace cdp::query
