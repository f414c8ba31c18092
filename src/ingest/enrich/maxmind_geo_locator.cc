#include "ingest/enrich/maxmind_geo_locator.h"

#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "ingest/enrich/ip_address.h"

namespace cdp::ingest::enrich {
namespace {

class MaxMindGeoLocator final : public GeoLocator {
 public:
  explicit MaxMindGeoLocator(std::string path) : path_(std::move(path)) {}
  ~MaxMindGeoLocator() override {
    if (open_) MMDB_close(&db_);
  }

  Status Open() {
    const int status = MMDB_open(path_.c_str(), MMDB_MODE_MMAP, &db_);
    if (status != MMDB_SUCCESS) {
      std::string cause = "cannot open MaxMind DB " + path_ + ": " + MMDB_strerror(status);
      if (status == MMDB_IO_ERROR) cause += std::string(" (") + std::strerror(errno) + ")";
      return Status::Internal(cause);
    }
    open_ = true;
    return Status::Ok();
  }

  Result<GeoLocation> Locate(std::string_view ip) const override {
    const std::optional<IpAddress> address = ParseIpAddress(ip);
    if (!address) return GeoLocation{};
    sockaddr_storage storage{};
    if (address->is_v4) {
      auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
      v4->sin_family = AF_INET;
      std::memcpy(&v4->sin_addr, address->bytes.data(), 4);
    } else {
      auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
      v6->sin6_family = AF_INET6;
      std::memcpy(&v6->sin6_addr, address->bytes.data(), 16);
    }
    int mmdb_error = MMDB_SUCCESS;
    MMDB_lookup_result_s result =
        MMDB_lookup_sockaddr(&db_, reinterpret_cast<const sockaddr*>(&storage), &mmdb_error);
    if (mmdb_error == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR) return GeoLocation{};
    if (mmdb_error != MMDB_SUCCESS) {
      return Status::Internal("MaxMind DB " + path_ + ": lookup of " + std::string(ip) +
                              " failed: " + MMDB_strerror(mmdb_error));
    }
    GeoLocation location;
    if (!result.found_entry) return location;
    CDP_RETURN_IF_ERROR(GetString(result.entry, location.country_code, "country", "iso_code"));
    if (location.country_code.empty()) {
      CDP_RETURN_IF_ERROR(
          GetString(result.entry, location.country_code, "registered_country", "iso_code"));
    }
    CDP_RETURN_IF_ERROR(
        GetString(result.entry, location.region_code, "subdivisions", "0", "iso_code"));
    CDP_RETURN_IF_ERROR(
        GetString(result.entry, location.region_name, "subdivisions", "0", "names", "en"));
    CDP_RETURN_IF_ERROR(GetString(result.entry, location.city, "city", "names", "en"));
    return location;
  }

  std::string Describe() const override {
    return "MaxMind DB " + path_ + " (" +
           (db_.metadata.database_type ? db_.metadata.database_type : "?") + ")";
  }

 private:
  // Sets `out` to the string at the path; leaves it empty when the entry has
  // no such string.
  template <typename... Path>
  Status GetString(MMDB_entry_s entry, std::string& out, Path... path) const {
    MMDB_entry_data_s data{};
    const int status = MMDB_get_value(&entry, &data, path..., static_cast<const char*>(nullptr));
    if (status == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR ||
        status == MMDB_INVALID_LOOKUP_PATH_ERROR) {
      return Status::Ok();
    }
    if (status != MMDB_SUCCESS) {
      return Status::Internal("MaxMind DB " + path_ +
                              ": cannot read a record: " + MMDB_strerror(status));
    }
    if (data.has_data && data.type == MMDB_DATA_TYPE_UTF8_STRING) {
      out.assign(data.utf8_string, data.data_size);
    }
    return Status::Ok();
  }

  const std::string path_;
  MMDB_s db_{};
  bool open_ = false;
};

}  // namespace

Result<std::unique_ptr<GeoLocator>> OpenMaxMindGeoLocator(const std::string& mmdb_path) {
  auto locator = std::make_unique<MaxMindGeoLocator>(mmdb_path);
  CDP_RETURN_IF_ERROR(locator->Open());
  return std::unique_ptr<GeoLocator>(std::move(locator));
}

}  // namespace cdp::ingest::enrich
