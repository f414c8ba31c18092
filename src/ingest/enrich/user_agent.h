#pragma once

#include <string>
#include <string_view>

namespace cdp::ingest::enrich {

// A coarse device class for analysis; see ClassifyDeviceType for the rules.
enum class DeviceType { kDesktop, kMobile, kTablet, kBot, kOther };

// "desktop", "mobile", "tablet", "bot" or "other": the value of the device_type
// context property.
std::string_view DeviceTypeName(DeviceType type);

// What a user agent string says, in uap-core's terms (browser = uap's "ua"),
// plus the two judgements cdp adds: the device type and whether it is a bot.
// An empty string means "not given". uap's families default to "Other".
struct UserAgentInfo {
  std::string browser_family = "Other";
  std::string browser_major;
  std::string browser_minor;
  std::string browser_patch;
  std::string browser_patch_minor;

  std::string os_family = "Other";
  std::string os_major;
  std::string os_minor;
  std::string os_patch;
  std::string os_patch_minor;

  std::string device_family = "Other";
  std::string device_brand;
  std::string device_model;

  DeviceType device_type = DeviceType::kOther;
  bool is_bot = false;

  // The version parts joined by '.', up to the first missing one:
  // "119.0.6045" ("" when there is no major version).
  std::string BrowserVersion() const;
  std::string OsVersion() const;

  bool operator==(const UserAgentInfo&) const = default;
};

}  // namespace cdp::ingest::enrich
