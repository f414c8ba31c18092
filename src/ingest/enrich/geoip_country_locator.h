#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "ingest/enrich/geo_locator.h"

namespace cdp::ingest::enrich {

// A country-only GeoLocator over the legacy GeoIP Country databases that
// Debian's geoip-database installs (GeoIP.dat for IPv4, GeoIPv6.dat for IPv6;
// read with libGeoIP into memory at open time). Codes that are not countries
// ("A1" anonymous proxy, "A2" satellite, "O1" other, "AP", "EU") count as
// unknown. The data is old (Debian freezes it): good for the country of most
// addresses, not for recently reassigned ranges.
// Errors (kInternal, the cause names the file): a file cannot be opened or is
// not a GeoIP Country database of its address family.
Result<std::unique_ptr<GeoLocator>> OpenGeoIpCountryLocator(const std::string& v4_path,
                                                            const std::string& v6_path);

}  // namespace cdp::ingest::enrich
