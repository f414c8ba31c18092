#include "ingest/enrich/geo_locator.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <thread>
#include <vector>

#include "ingest/enrich/geoip_country_locator.h"
#include "ingest/enrich/maxmind_geo_locator.h"

namespace cdp::ingest::enrich {

void PrintTo(const GeoLocation& location, std::ostream* out) {
  *out << "{country " << location.country_code << ", region " << location.region_code << " "
       << location.region_name << ", city " << location.city << "}";
}

namespace {

GeoLocation Country(std::string code) {
  GeoLocation location;
  location.country_code = std::move(code);
  return location;
}

GeoLocation Locate(const GeoLocator& locator, std::string_view ip) {
  Result<GeoLocation> location = locator.Locate(ip);
  EXPECT_TRUE(location.ok()) << ip << ": " << location.status().ToString();
  return location.ok() ? *location : GeoLocation{};
}

// Debian's geoip-database, installed by scripts/install-deps (build).
class GeoIpCountryLocatorTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto opened = OpenGeoIpCountryLocator(std::string(kDebianGeoIpCountryPath),
                                          std::string(kDebianGeoIpCountryV6Path));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    locator_ = std::move(opened).value().release();
  }
  static void TearDownTestSuite() {
    delete locator_;
    locator_ = nullptr;
  }
  static GeoLocator* locator_;
};
GeoLocator* GeoIpCountryLocatorTest::locator_ = nullptr;

TEST_F(GeoIpCountryLocatorTest, WellKnownAddresses) {
  EXPECT_EQ(Locate(*locator_, "8.8.8.8"), Country("US"));               // Google DNS
  EXPECT_EQ(Locate(*locator_, "81.2.69.142"), Country("GB"));           // MaxMind's test address
  EXPECT_EQ(Locate(*locator_, "193.99.144.80"), Country("DE"));         // heise.de
  EXPECT_EQ(Locate(*locator_, "2001:4860:4860::8888"), Country("US"));  // Google DNS
  EXPECT_EQ(Locate(*locator_, "2a02:2e0:3fe:1001:302::"), Country("DE"));
  EXPECT_EQ(Locate(*locator_, "::ffff:8.8.8.8"), Country("US"));  // IPv4-mapped: the IPv4 table
}

TEST_F(GeoIpCountryLocatorTest, UnknownAddressesAreEmpty) {
  for (const char* ip :
       {"10.1.2.3", "192.168.1.1", "127.0.0.1", "::1", "2001:db8::1", "not an ip", ""}) {
    EXPECT_TRUE(Locate(*locator_, ip).empty()) << ip;
  }
}

TEST_F(GeoIpCountryLocatorTest, ConcurrentLookups) {
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        if (Locate(*locator_, i % 2 ? "8.8.8.8" : "2a02:2e0:3fe:1001:302::").country_code !=
            (i % 2 ? "US" : "DE")) {
          ++wrong[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

TEST(GeoIpCountryLocatorOpenTest, MissingOrWrongFiles) {
  auto missing =
      OpenGeoIpCountryLocator("/nonexistent/GeoIP.dat", std::string(kDebianGeoIpCountryV6Path));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kInternal);
  EXPECT_NE(missing.status().cause().find("/nonexistent/GeoIP.dat"), std::string::npos);

  // The IPv6 file where the IPv4 one belongs.
  auto swapped = OpenGeoIpCountryLocator(std::string(kDebianGeoIpCountryV6Path),
                                         std::string(kDebianGeoIpCountryPath));
  ASSERT_FALSE(swapped.ok());
  EXPECT_NE(swapped.status().cause().find("is not a IPv4 country database"), std::string::npos)
      << swapped.status().ToString();
}

// A tiny GeoIP2-City-shaped database that testdata/write_test_mmdb.pl writes at
// build time (Debian ships no MaxMind DB, but it ships MaxMind's writer).
TEST(MaxMindGeoLocatorTest, CityCountryAndRegisteredCountry) {
  auto opened = OpenMaxMindGeoLocator(CDP_TEST_MMDB);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  const GeoLocator& locator = **opened;
  EXPECT_NE(locator.Describe().find("cdp-Test-City"), std::string::npos) << locator.Describe();

  GeoLocation london;
  london.country_code = "GB";
  london.region_code = "ENG";
  london.region_name = "England";
  london.city = "London";
  EXPECT_EQ(Locate(locator, "81.2.69.142"), london);
  EXPECT_EQ(Locate(locator, "::ffff:81.2.69.1"), london);
  EXPECT_EQ(Locate(locator, "2001:db8::1"), Country("DE"));
  EXPECT_EQ(Locate(locator, "192.0.2.10"), Country("FR"));  // registered_country only
  EXPECT_TRUE(Locate(locator, "8.8.8.8").empty());
  EXPECT_TRUE(Locate(locator, "2a02:2e0:3fe:1001:302::").empty());
  EXPECT_TRUE(Locate(locator, "not an ip").empty());
}

TEST(MaxMindGeoLocatorTest, MissingOrWrongFile) {
  auto missing = OpenMaxMindGeoLocator("/nonexistent/city.mmdb");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kInternal);
  EXPECT_NE(missing.status().cause().find("cannot open MaxMind DB /nonexistent/city.mmdb"),
            std::string::npos)
      << missing.status().ToString();

  // A legacy GeoIP file is no MaxMind DB.
  auto legacy = OpenMaxMindGeoLocator(std::string(kDebianGeoIpCountryPath));
  ASSERT_FALSE(legacy.ok());
  EXPECT_NE(legacy.status().cause().find(std::string(kDebianGeoIpCountryPath)), std::string::npos);

  const std::string empty = testing::TempDir() + "/empty.mmdb";
  std::ofstream(empty).close();
  auto empty_file = OpenMaxMindGeoLocator(empty);
  EXPECT_FALSE(empty_file.ok());
  std::filesystem::remove(empty);
}

TEST(OpenGeoLocatorTest, MaxMindWhenConfiguredElseCountryDatabase) {
  GeoLocatorOptions options;
  auto country = OpenGeoLocator(options);
  ASSERT_TRUE(country.ok()) << country.status().ToString();
  EXPECT_NE((*country)->Describe().find("GeoIP country"), std::string::npos);

  options.mmdb_path = CDP_TEST_MMDB;
  auto city = OpenGeoLocator(options);
  ASSERT_TRUE(city.ok()) << city.status().ToString();
  EXPECT_NE((*city)->Describe().find("MaxMind DB"), std::string::npos);

  // A configured database that cannot be opened is an error, not a fallback.
  options.mmdb_path = "/nonexistent/city.mmdb";
  EXPECT_FALSE(OpenGeoLocator(options).ok());
}

}  // namespace
}  // namespace cdp::ingest::enrich
