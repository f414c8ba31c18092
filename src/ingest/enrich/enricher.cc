#include "ingest/enrich/enricher.h"

#include <array>
#include <string>
#include <utility>

#include "core/log.h"

namespace cdp::ingest::enrich {
namespace {

// The properties the enricher writes, and their slots below.
enum Slot : size_t {
  kIp,
  kUserAgent,
  kIsBot,
  kBrowser,
  kBrowserVersion,
  kOs,
  kOsVersion,
  kDeviceType,
  kDeviceBrand,
  kDeviceModel,
  kGeoCountry,
  kGeoRegion,
  kGeoCity,
  kSlotCount,
};
constexpr std::array<std::string_view, kSlotCount> kNames = {
    "ip",          "user_agent", "is_bot",      "browser",      "browser_version",
    "os",          "os_version", "device_type", "device_brand", "device_model",
    "geo_country", "geo_region", "geo_city"};

constexpr size_t kNone = static_cast<size_t>(-1);
constexpr uint64_t kLogEveryNthGeoError = 10'000;

// Where each of our names already is in the context, found in one pass.
class ContextSlots {
 public:
  explicit ContextSlots(std::vector<Property>& context) : context_(context) {
    // Room for everything the enricher may add: one move of the context at most.
    context_.reserve(context_.size() + kSlotCount);
    index_.fill(kNone);
    for (size_t i = 0; i < context_.size(); ++i) {
      const std::string& name = context_[i].name;
      for (size_t slot = 0; slot < kSlotCount; ++slot) {
        if (index_[slot] == kNone && name == kNames[slot]) {
          index_[slot] = i;
          break;
        }
      }
    }
  }

  // The client's string value under the slot's name, or "".
  std::string_view ClientString(Slot slot) const {
    if (index_[slot] == kNone) return {};
    const auto* text = std::get_if<std::string>(&context_[index_[slot]].value);
    return text ? std::string_view(*text) : std::string_view();
  }

  // Replaces (or adds) the value.
  template <typename T>
  void Set(Slot slot, T value) {
    if (index_[slot] == kNone) {
      index_[slot] = context_.size();
      context_.push_back(Property{std::string(kNames[slot]), {}, std::nullopt});
    }
    Property& property = context_[index_[slot]];
    property.value = std::move(value);
    property.timestamp.reset();
  }

  // Sets the string unless the property already holds exactly it (a client's
  // own user_agent, an ip the policy keeps as is): no copy then.
  void SetString(Slot slot, std::string_view value) {
    if (index_[slot] != kNone) {
      const Property& property = context_[index_[slot]];
      const auto* text = std::get_if<std::string>(&property.value);
      if (text != nullptr && *text == value && !property.timestamp) return;
    }
    Set(slot, std::string(value));
  }

  // Whether Fill would add a value: the client sent none, or null.
  bool IsFree(Slot slot) const { return index_[slot] == kNone || context_[index_[slot]].is_null(); }

  // Adds the value unless the client sent a non-null one; empty strings are
  // not added.
  void Fill(Slot slot, std::string_view value) {
    if (value.empty() || !IsFree(slot)) return;
    Set(slot, std::string(value));
  }

  // Removes the property, if present.
  void Remove(Slot slot) {
    const size_t removed = index_[slot];
    if (removed == kNone) return;
    context_.erase(context_.begin() + static_cast<std::ptrdiff_t>(removed));
    index_[slot] = kNone;
    for (size_t& index : index_) {
      if (index != kNone && index > removed) --index;
    }
  }

 private:
  std::vector<Property>& context_;
  std::array<size_t, kSlotCount> index_;
};

}  // namespace

Enricher::Enricher(std::unique_ptr<CachingUserAgentParser> user_agents,
                   std::unique_ptr<GeoLocator> geo, EnricherOptions options)
    : user_agents_(std::move(user_agents)), geo_(std::move(geo)), options_(options) {}

Enricher::~Enricher() = default;

void Enricher::Enrich(Event& event, std::string_view client_ip, std::string_view user_agent) const {
  ContextSlots slots(event.context);
  // Copies: the client's values live in the context we are about to change.
  const std::string ip(client_ip.empty() ? slots.ClientString(kIp) : client_ip);
  const std::string agent(user_agent.empty() ? slots.ClientString(kUserAgent) : user_agent);

  // IP: geo from the full address, then the policy.
  if (!ip.empty() && geo_ != nullptr) {
    Result<GeoLocation> location = geo_->Locate(ip);
    if (location.ok()) {
      slots.Fill(kGeoCountry, location->country_code);
      slots.Fill(kGeoRegion, location->region_code);
      slots.Fill(kGeoCity, location->city);
    } else {
      const uint64_t errors = geo_errors_.fetch_add(1, std::memory_order_relaxed) + 1;
      if (errors == 1 || errors % kLogEveryNthGeoError == 0) {
        log::Warn("geo lookup failed; events go on without geo properties")
            .Int("failures", static_cast<int64_t>(errors))
            .Err(location.status());
      }
    }
  }
  if (std::string stored = ApplyIpPolicy(ip, options_.ip_policy); !stored.empty()) {
    slots.SetString(kIp, stored);
  } else {
    slots.Remove(kIp);
  }

  if (agent.empty()) return;
  slots.SetString(kUserAgent, agent);
  if (user_agents_ == nullptr) return;
  const std::shared_ptr<const UserAgentInfo> info = user_agents_->Parse(agent);
  slots.Set(kIsBot, info->is_bot);
  slots.Fill(kBrowser, info->browser_family);
  if (slots.IsFree(kBrowserVersion)) slots.Fill(kBrowserVersion, info->BrowserVersion());
  slots.Fill(kOs, info->os_family);
  if (slots.IsFree(kOsVersion)) slots.Fill(kOsVersion, info->OsVersion());
  slots.Fill(kDeviceType, DeviceTypeName(info->device_type));
  slots.Fill(kDeviceBrand, info->device_brand);
  slots.Fill(kDeviceModel, info->device_model);
}

}  // namespace cdp::ingest::enrich
