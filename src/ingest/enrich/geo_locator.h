#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace cdp::ingest::enrich {

// Where an IP address is, as far as a database knows; an empty field is
// unknown.
struct GeoLocation {
  std::string country_code;  // ISO 3166-1 alpha-2, "US"
  std::string region_code;   // ISO 3166-2 subdivision code without the country, "CA"
  std::string region_name;   // the subdivision's English name, "California"
  std::string city;          // the city's English name, "Mountain View"

  bool empty() const {
    return country_code.empty() && region_code.empty() && region_name.empty() && city.empty();
  }
  bool operator==(const GeoLocation&) const = default;
};

// Looks IP addresses up in a geolocation database. Implementations:
// maxmind_geo_locator.h (country, region, city from a MaxMind DB file) and
// geoip_country_locator.h (country only, from Debian's geoip-database).
// Thread safety: Locate may be called from any number of threads. The
// database is read at open time or memory-mapped; replacing the file
// underneath needs a new locator.
class GeoLocator {
 public:
  GeoLocator() = default;
  GeoLocator(const GeoLocator&) = delete;
  GeoLocator& operator=(const GeoLocator&) = delete;
  virtual ~GeoLocator() = default;

  // Where `ip` is ("203.0.113.7", "2001:db8::1", "::ffff:203.0.113.7").
  // An address the database does not know (private, reserved, unlisted) and a
  // string that is not an IP address give an empty GeoLocation; an error
  // (kInternal) means the database itself failed, e.g. a corrupt file.
  virtual Result<GeoLocation> Locate(std::string_view ip) const = 0;

  // What was opened, for the log: "MaxMind DB /var/lib/cdp/city.mmdb (GeoLite2-City)".
  virtual std::string Describe() const = 0;
};

inline constexpr std::string_view kDebianGeoIpCountryPath = "/usr/share/GeoIP/GeoIP.dat";
inline constexpr std::string_view kDebianGeoIpCountryV6Path = "/usr/share/GeoIP/GeoIPv6.dat";

struct GeoLocatorOptions {
  // A MaxMind DB file (GeoIP2 / GeoLite2 City or Country, or a compatible
  // one such as DB-IP's); empty: none configured.
  std::string mmdb_path;
  // The legacy country databases (Debian's geoip-database), used when no
  // MaxMind DB is configured.
  std::string geoip_country_path = std::string(kDebianGeoIpCountryPath);
  std::string geoip_country_v6_path = std::string(kDebianGeoIpCountryV6Path);
};

// The MaxMind DB when `mmdb_path` is set: a configured database that cannot
// be opened is an error, never silently replaced by the country-only one.
// Otherwise the legacy country databases (zero configuration on a machine
// with geoip-database installed); an error if they cannot be opened.
Result<std::unique_ptr<GeoLocator>> OpenGeoLocator(const GeoLocatorOptions& options);

}  // namespace cdp::ingest::enrich
