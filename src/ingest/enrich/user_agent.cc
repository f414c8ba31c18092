#include "ingest/enrich/user_agent.h"

#include <initializer_list>

namespace cdp::ingest::enrich {
namespace {

std::string JoinVersion(std::initializer_list<const std::string*> parts) {
  std::string version;
  for (const std::string* part : parts) {
    if (part->empty()) break;
    if (!version.empty()) version += '.';
    version += *part;
  }
  return version;
}

}  // namespace

std::string_view DeviceTypeName(DeviceType type) {
  switch (type) {
    case DeviceType::kDesktop:
      return "desktop";
    case DeviceType::kMobile:
      return "mobile";
    case DeviceType::kTablet:
      return "tablet";
    case DeviceType::kBot:
      return "bot";
    case DeviceType::kOther:
      return "other";
  }
  return "other";
}

std::string UserAgentInfo::BrowserVersion() const {
  return JoinVersion({&browser_major, &browser_minor, &browser_patch, &browser_patch_minor});
}

std::string UserAgentInfo::OsVersion() const {
  return JoinVersion({&os_major, &os_minor, &os_patch, &os_patch_minor});
}

}  // namespace cdp::ingest::enrich
