#include "ingest/enrich/geoip_country_locator.h"

#include <GeoIP.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>

#include "ingest/enrich/ip_address.h"

namespace cdp::ingest::enrich {
namespace {

// Codes of the legacy database that name no country.
constexpr std::array<std::string_view, 6> kNotCountries = {"--", "A1", "A2", "O1", "AP", "EU"};

struct GeoIpDeleter {
  void operator()(GeoIP* gi) const { GeoIP_delete(gi); }
};
using GeoIpHandle = std::unique_ptr<GeoIP, GeoIpDeleter>;

Result<GeoIpHandle> OpenDatabase(const std::string& path, int edition) {
  // GeoIP_open prints to stderr and returns null for a missing file; check first
  // for a clear cause.
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Status::Internal("cannot open GeoIP database " + path + ": " +
                            (ec ? ec.message() : std::string("no such file")));
  }
  // Memory cache: read once, then lookups never touch the file (and are
  // thread-safe). No GEOIP_CHECK_CACHE: it reloads the file, which is not.
  GeoIpHandle gi(GeoIP_open(path.c_str(), GEOIP_MEMORY_CACHE | GEOIP_SILENCE));
  if (gi == nullptr) return Status::Internal("cannot open GeoIP database " + path);
  if (GeoIP_database_edition(gi.get()) != edition) {
    return Status::Internal("GeoIP database " + path + " is not a " +
                            (edition == GEOIP_COUNTRY_EDITION ? "IPv4" : "IPv6") +
                            " country database (edition " +
                            std::to_string(GeoIP_database_edition(gi.get())) + ")");
  }
  return gi;
}

class GeoIpCountryLocator final : public GeoLocator {
 public:
  GeoIpCountryLocator(GeoIpHandle v4, GeoIpHandle v6, std::string v4_path, std::string v6_path)
      : v4_(std::move(v4)),
        v6_(std::move(v6)),
        v4_path_(std::move(v4_path)),
        v6_path_(std::move(v6_path)) {}

  Result<GeoLocation> Locate(std::string_view ip) const override {
    const std::optional<IpAddress> address = ParseIpAddress(ip);
    if (!address) return GeoLocation{};
    GeoIPLookup lookup{};
    int id = 0;
    if (address->is_v4) {
      const unsigned long ipnum = (static_cast<unsigned long>(address->bytes[0]) << 24) |
                                  (static_cast<unsigned long>(address->bytes[1]) << 16) |
                                  (static_cast<unsigned long>(address->bytes[2]) << 8) |
                                  static_cast<unsigned long>(address->bytes[3]);
      id = GeoIP_id_by_ipnum_gl(v4_.get(), ipnum, &lookup);
    } else {
      geoipv6_t ipnum;
      std::memcpy(&ipnum, address->bytes.data(), sizeof(ipnum));
      id = GeoIP_id_by_ipnum_v6_gl(v6_.get(), ipnum, &lookup);
    }
    GeoLocation location;
    if (id <= 0) return location;
    const char* code = GeoIP_code_by_id(id);
    if (code == nullptr) return location;
    const std::string_view country(code);
    if (std::find(kNotCountries.begin(), kNotCountries.end(), country) == kNotCountries.end()) {
      location.country_code = std::string(country);
    }
    return location;
  }

  std::string Describe() const override {
    return "GeoIP country databases " + v4_path_ + ", " + v6_path_;
  }

 private:
  const GeoIpHandle v4_;
  const GeoIpHandle v6_;
  const std::string v4_path_;
  const std::string v6_path_;
};

}  // namespace

Result<std::unique_ptr<GeoLocator>> OpenGeoIpCountryLocator(const std::string& v4_path,
                                                            const std::string& v6_path) {
  CDP_ASSIGN_OR_RETURN(GeoIpHandle v4, OpenDatabase(v4_path, GEOIP_COUNTRY_EDITION));
  CDP_ASSIGN_OR_RETURN(GeoIpHandle v6, OpenDatabase(v6_path, GEOIP_COUNTRY_EDITION_V6));
  return std::unique_ptr<GeoLocator>(
      std::make_unique<GeoIpCountryLocator>(std::move(v4), std::move(v6), v4_path, v6_path));
}

}  // namespace cdp::ingest::enrich
