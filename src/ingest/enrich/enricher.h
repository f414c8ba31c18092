#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include "ingest/enrich/geo_locator.h"
#include "ingest/enrich/ip_privacy.h"
#include "ingest/enrich/user_agent_cache.h"
#include "model/event.h"

namespace cdp::ingest::enrich {

struct EnricherOptions {
  IpPolicy ip_policy = IpPolicy::kKeep;
};

// Adds what the server can tell about an event's sender to its context, after
// validation and before the append. Context properties are flattened
// snake_case names (see ingest/flatten.h); the enricher adds or sets:
//
//   ip              the client's IP after the IpPolicy (absent under drop)
//   user_agent      the user agent, as given
//   is_bot          bool (user_agent_classifier.h)
//   browser, browser_version, os, os_version, device_type, device_brand,
//   device_model    from the user agent (uap-core)
//   geo_country, geo_region, geo_city
//                   from the IP before the policy: ISO country code, ISO
//                   subdivision code without the country ("CA"), English city
//                   name
//
// Which values win:
//  - `client_ip` and `user_agent` are authoritative: the caller decides which
//    address and user agent stand for the sender (the socket's peer, a trusted
//    X-Forwarded-For, the User-Agent header or the event's own
//    context.userAgent) and passes them. When one is non-empty it replaces the
//    client's `ip` / `user_agent`; when it is empty the event's own string
//    property of that name, if any, is used instead. Whatever `ip` is stored
//    has gone through the policy, the client's own included: under drop no
//    `ip` is left in the context.
//  - is_bot is the server's judgement and replaces any client value (a client
//    cannot declare itself human). It is set whenever there is a user agent.
//  - Every other property is derived and only fills a gap: a name the client
//    already sent (not null) is left as sent. Mobile SDKs send context.os.version
//    and context.device.model, which know better than a user agent string.
//    Note that Segment's context.device.type ("ios", "android") keeps its own
//    vocabulary when sent.
//  - Without a user agent nothing of it is added; without an IP (or a geo
//    database) no geo_* property is; unknown values (no version, no brand, no
//    city) are left out rather than stored empty. uap-core's "Other" family is
//    stored as it comes.
// A failing geo lookup (a corrupt database) does not fail the event: the geo
// properties are left out, the failure is counted (geo_errors) and logged
// (the first, then every 10,000th).
//
// Thread safety: Enrich may be called from any number of threads at once.
class Enricher {
 public:
  // Either source may be null: no user agent, or no geo properties, then.
  Enricher(std::unique_ptr<CachingUserAgentParser> user_agents, std::unique_ptr<GeoLocator> geo,
           EnricherOptions options = {});
  Enricher(const Enricher&) = delete;
  Enricher& operator=(const Enricher&) = delete;
  ~Enricher();

  void Enrich(Event& event, std::string_view client_ip, std::string_view user_agent) const;

  uint64_t geo_errors() const { return geo_errors_.load(std::memory_order_relaxed); }

 private:
  const std::unique_ptr<CachingUserAgentParser> user_agents_;
  const std::unique_ptr<GeoLocator> geo_;
  const EnricherOptions options_;
  mutable std::atomic<uint64_t> geo_errors_{0};
};

}  // namespace cdp::ingest::enrich
