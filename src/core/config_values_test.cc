#include "core/config_values.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace cdp::config_values {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

template <typename T>
T ValueOf(const Result<T>& result) {
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : T{};
}

template <typename T>
void ExpectRejected(const Result<T>& result, std::string_view input) {
  ASSERT_FALSE(result.ok()) << "accepted '" << input << "'";
  EXPECT_EQ(result.status().code(), ErrorCode::kBadRequest);
  // The message repeats what was given so the operator can find it.
  std::string quoted = "'";
  quoted.append(input).append("'");
  EXPECT_NE(result.status().message().find(quoted), std::string::npos) << result.status().message();
}

TEST(ParseDurationTest, Units) {
  EXPECT_EQ(ValueOf(ParseDuration("250ms")), milliseconds(250));
  EXPECT_EQ(ValueOf(ParseDuration("10s")), seconds(10));
  EXPECT_EQ(ValueOf(ParseDuration("5m")), minutes(5));
  EXPECT_EQ(ValueOf(ParseDuration("1h")), hours(1));
  EXPECT_EQ(ValueOf(ParseDuration("0s")), milliseconds(0));
}

TEST(ParseDurationTest, TrimsBlanksAndIgnoresUnitCase) {
  EXPECT_EQ(ValueOf(ParseDuration(" 10s ")), seconds(10));
  EXPECT_EQ(ValueOf(ParseDuration("10 s")), seconds(10));
  EXPECT_EQ(ValueOf(ParseDuration("10S")), seconds(10));
  EXPECT_EQ(ValueOf(ParseDuration("250MS")), milliseconds(250));
}

TEST(ParseDurationTest, Rejects) {
  for (std::string_view bad : {"30", "10x", "", "-1s", "s", "1.5s", "10sec", "ms10", "1 h x"}) {
    ExpectRejected(ParseDuration(bad), bad);
  }
}

TEST(ParseDurationTest, RejectsOverflow) {
  ExpectRejected(ParseDuration("99999999999999999999ms"), "99999999999999999999ms");
  // Fits in 64 bits as a number but not once converted to milliseconds.
  ExpectRejected(ParseDuration("9223372036854775807h"), "9223372036854775807h");
  ExpectRejected(ParseDuration("2562047788016h"), "2562047788016h");
  // The largest hour count that still fits.
  EXPECT_EQ(ValueOf(ParseDuration("2562047788015h")).count(), int64_t{2562047788015} * 3'600'000);
  EXPECT_EQ(ValueOf(ParseDuration("9223372036854775807ms")).count(),
            std::numeric_limits<int64_t>::max());
}

TEST(ParseByteSizeTest, PlainBytes) {
  EXPECT_EQ(ValueOf(ParseByteSize("1048576")), 1048576u);
  EXPECT_EQ(ValueOf(ParseByteSize("0")), 0u);
  EXPECT_EQ(ValueOf(ParseByteSize("100B")), 100u);
}

TEST(ParseByteSizeTest, BinaryUnits) {
  // K, KB and KiB all mean 1024, as the header documents (nginx style).
  EXPECT_EQ(ValueOf(ParseByteSize("512KiB")), 512u * 1024);
  EXPECT_EQ(ValueOf(ParseByteSize("500KB")), 500u * 1024);
  EXPECT_EQ(ValueOf(ParseByteSize("500K")), 500u * 1024);
  EXPECT_EQ(ValueOf(ParseByteSize("1MiB")), 1u << 20);
  EXPECT_EQ(ValueOf(ParseByteSize("1MB")), 1u << 20);
  EXPECT_EQ(ValueOf(ParseByteSize("8m")), 8u << 20);
  EXPECT_EQ(ValueOf(ParseByteSize("2GiB")), uint64_t{2} << 30);
  EXPECT_EQ(ValueOf(ParseByteSize("2gb")), uint64_t{2} << 30);
  EXPECT_EQ(ValueOf(ParseByteSize(" 1 MiB ")), 1u << 20);
}

TEST(ParseByteSizeTest, Rejects) {
  for (std::string_view bad :
       {"1.5MiB", "MiB", "10TB", "", "-1", "1MiBs", "1 M B", "0x10", "ten"}) {
    ExpectRejected(ParseByteSize(bad), bad);
  }
}

TEST(ParseByteSizeTest, RejectsOverflow) {
  ExpectRejected(ParseByteSize("17179869184GiB"), "17179869184GiB");  // 2^34 GiB = 2^64
  ExpectRejected(ParseByteSize("18446744073709551616"), "18446744073709551616");
  EXPECT_EQ(ValueOf(ParseByteSize("17179869183GiB")), (uint64_t{17179869183} << 30));
}

TEST(ParseBoolTest, DocumentedSpellingsInAnyCase) {
  for (std::string_view yes : {"true", "1", "yes", "on", "TRUE", "True", "YES", "On", " on "}) {
    EXPECT_TRUE(ValueOf(ParseBool(yes))) << yes;
  }
  for (std::string_view no : {"false", "0", "no", "off", "FALSE", "False", "NO", "oFF", " 0"}) {
    const Result<bool> result = ParseBool(no);
    ASSERT_TRUE(result.ok()) << no;
    EXPECT_FALSE(*result) << no;
  }
}

TEST(ParseBoolTest, Rejects) {
  for (std::string_view bad : {"maybe", "", "2", "y", "n", "truee", "enabled"}) {
    ExpectRejected(ParseBool(bad), bad);
  }
}

TEST(ParseIntTest, WithinBounds) {
  EXPECT_EQ(ValueOf(ParseInt("0", 0, 65535)), 0);
  EXPECT_EQ(ValueOf(ParseInt("65535", 0, 65535)), 65535);
  EXPECT_EQ(ValueOf(ParseInt("-5", -10, 10)), -5);
  EXPECT_EQ(ValueOf(ParseInt(" 42 ", 0, 100)), 42);
  EXPECT_EQ(ValueOf(ParseInt("9223372036854775807", 0, std::numeric_limits<int64_t>::max())),
            std::numeric_limits<int64_t>::max());
}

TEST(ParseIntTest, RejectsOutOfBounds) {
  ExpectRejected(ParseInt("65536", 0, 65535), "65536");
  ExpectRejected(ParseInt("-1", 0, 65535), "-1");
  ExpectRejected(ParseInt("99999999999999999999", 0, 100), "99999999999999999999");
  const Result<int64_t> result = ParseInt("70000", 0, 65535);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("from 0 to 65535"), std::string::npos)
      << result.status().message();
}

TEST(ParseIntTest, RejectsJunk) {
  for (std::string_view bad : {"12a", "", " ", "a12", "1.0", "1e3", "+-1", "0x10", "1 2"}) {
    ExpectRejected(ParseInt(bad, -1000, 1000), bad);
  }
}

TEST(SplitListTest, TrimsAndDropsEmptyItems) {
  EXPECT_EQ(SplitList(" a, b ,,c "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(SplitList("https://a.com, http://localhost:5173"),
            (std::vector<std::string>{"https://a.com", "http://localhost:5173"}));
  EXPECT_EQ(SplitList("*"), (std::vector<std::string>{"*"}));
  EXPECT_EQ(SplitList("a,"), (std::vector<std::string>{"a"}));
  EXPECT_EQ(SplitList(",a"), (std::vector<std::string>{"a"}));
  EXPECT_EQ(SplitList("a b, c"), (std::vector<std::string>{"a b", "c"}));
}

TEST(SplitListTest, EmptyInputs) {
  EXPECT_TRUE(SplitList("").empty());
  EXPECT_TRUE(SplitList(" ").empty());
  EXPECT_TRUE(SplitList(",, ,").empty());
}

}  // namespace
}  // namespace cdp::config_values
