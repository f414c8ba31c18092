#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "ingest/enrich/geo_locator.h"

namespace cdp::ingest::enrich {

// A GeoLocator over a MaxMind DB file (the .mmdb format of GeoIP2 and
// GeoLite2, read with libmaxminddb, memory-mapped). It reads the GeoIP2
// layout: country.iso_code (else registered_country.iso_code),
// subdivisions[0].iso_code and .names.en, city.names.en. A Country database
// gives the country only. An IPv6 address in an IPv4-only database is unknown,
// not an error.
// Errors (kInternal, the cause names the file): the file cannot be opened or is
// not a MaxMind DB.
Result<std::unique_ptr<GeoLocator>> OpenMaxMindGeoLocator(const std::string& mmdb_path);

}  // namespace cdp::ingest::enrich
