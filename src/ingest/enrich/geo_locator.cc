#include "ingest/enrich/geo_locator.h"

#include "ingest/enrich/geoip_country_locator.h"
#include "ingest/enrich/maxmind_geo_locator.h"

namespace cdp::ingest::enrich {

Result<std::unique_ptr<GeoLocator>> OpenGeoLocator(const GeoLocatorOptions& options) {
  if (!options.mmdb_path.empty()) return OpenMaxMindGeoLocator(options.mmdb_path);
  return OpenGeoIpCountryLocator(options.geoip_country_path, options.geoip_country_v6_path);
}

}  // namespace cdp::ingest::enrich
