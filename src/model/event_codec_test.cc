#include "model/event_codec.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace cdp {
namespace {

using namespace std::chrono_literals;
using std::chrono::microseconds;

constexpr std::chrono::sys_days kDay0{std::chrono::year{2026} / 3 / 4};

TimePoint Micros(int64_t micros) { return TimePoint(microseconds(micros)); }

Property Prop(std::string name, std::variant<std::monostate, std::string, double, bool> value,
              std::optional<TimePoint> timestamp = std::nullopt) {
  return Property{std::move(name), std::move(value), timestamp};
}

// A track event as a browser sends it: about 600 bytes encoded.
Event RealisticEvent() {
  Event event;
  event.workspace_id = "ws_7Qk2";
  event.type = EventType::kTrack;
  event.message_id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
  event.anonymous_id = "a8c3f0e2-77b1-4f3a-9c2d-5e6f7a8b9c0d";
  event.user_id = "user_48213";
  event.event = "Order Completed";
  event.received_at = kDay0 + 10h + 123456us;
  event.sent_at = kDay0 + 9h + 59min + 59s + 987ms;
  event.original_timestamp = kDay0 + 9h + 59min + 59s + 912ms;
  event.timestamp = kDay0 + 10h + 48456us;
  event.context = {
      Prop("ip", std::string("203.0.113.42")),
      Prop("page_url", std::string("https://shop.example.com/checkout/confirm")),
      Prop("user_agent", std::string("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) "
                                     "AppleWebKit/605.1.15 Safari/605.1.15")),
  };
  event.properties = {
      Prop("order_id", std::string("ord_93842")),
      Prop("total", 129.99),
      Prop("items", 3.0),
      Prop("coupon", std::monostate{}),
      Prop("first_order", true),
      Prop("shipped_at", std::string("2026-03-04T10:00:00.123456Z"), kDay0 + 10h + 123456us),
  };
  event.integrations = R"({"Mixpanel":false})";
  return event;
}

// Exact equality, doubles compared bit for bit (so -0.0 != 0.0).
void ExpectSameProperties(const std::vector<Property>& actual,
                          const std::vector<Property>& expected, std::string_view list) {
  ASSERT_EQ(actual.size(), expected.size()) << list;
  for (size_t i = 0; i < actual.size(); ++i) {
    SCOPED_TRACE(fmt::format("{}[{}] {}", list, i, expected[i].name));
    EXPECT_EQ(actual[i].name, expected[i].name);
    ASSERT_EQ(actual[i].value.index(), expected[i].value.index());
    if (const auto* number = std::get_if<double>(&expected[i].value)) {
      EXPECT_EQ(std::bit_cast<uint64_t>(std::get<double>(actual[i].value)),
                std::bit_cast<uint64_t>(*number))
          << fmt::format("{} != {}", std::get<double>(actual[i].value), *number);
    } else {
      EXPECT_TRUE(actual[i].value == expected[i].value);
    }
    EXPECT_EQ(actual[i].timestamp, expected[i].timestamp);
  }
}

void ExpectSameEvent(const Event& actual, const Event& expected) {
  EXPECT_EQ(actual.workspace_id, expected.workspace_id);
  EXPECT_EQ(actual.type, expected.type);
  EXPECT_EQ(actual.message_id, expected.message_id);
  EXPECT_EQ(actual.anonymous_id, expected.anonymous_id);
  EXPECT_EQ(actual.user_id, expected.user_id);
  EXPECT_EQ(actual.group_id, expected.group_id);
  EXPECT_EQ(actual.previous_id, expected.previous_id);
  EXPECT_EQ(actual.event, expected.event);
  EXPECT_EQ(actual.received_at, expected.received_at);
  EXPECT_EQ(actual.sent_at, expected.sent_at);
  EXPECT_EQ(actual.original_timestamp, expected.original_timestamp);
  EXPECT_EQ(actual.timestamp, expected.timestamp);
  ExpectSameProperties(actual.context, expected.context, "context");
  ExpectSameProperties(actual.properties, expected.properties, "properties");
  ExpectSameProperties(actual.traits, expected.traits, "traits");
  ExpectSameProperties(actual.traits_set_once, expected.traits_set_once, "traits_set_once");
  EXPECT_EQ(actual.integrations, expected.integrations);
}

Event RoundTrip(const Event& event) {
  const std::string payload = EncodeEvent(event);
  Result<Event> decoded = DecodeEvent(payload);
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString() << "\n" << payload;
  return decoded.ok() ? std::move(decoded).value() : Event{};
}

constexpr std::string_view kRealisticPayload =
    R"({"v":1,"ws":"ws_7Qk2","type":"track","mid":"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",)"
    R"("anon":"a8c3f0e2-77b1-4f3a-9c2d-5e6f7a8b9c0d","uid":"user_48213","gid":"","prev":"",)"
    R"("event":"Order Completed","recv":1772618400123456,"sent":1772618399987000,)"
    R"("orig":1772618399912000,"ts":1772618400048456,"ctx":{"ip":"203.0.113.42",)"
    R"("page_url":"https://shop.example.com/checkout/confirm",)"
    R"("user_agent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) )"
    R"(AppleWebKit/605.1.15 Safari/605.1.15"},)"
    R"("props":{"order_id":"ord_93842","total":129.99,"items":3,)"
    R"("coupon":null,"first_order":true,"shipped_at":["2026-03-04T10:00:00.123456Z",)"
    R"(1772618400123456]},"traits":{},"once":{},"integ":{"Mixpanel":false}})";

TEST(EventCodecTest, PayloadFormat) {
  const std::string payload = EncodeEvent(RealisticEvent());
  EXPECT_EQ(payload, kRealisticPayload);
  std::printf("[ info     ] example payload, %zu bytes:\n%s\n", payload.size(), payload.c_str());
  ExpectSameEvent(RoundTrip(RealisticEvent()), RealisticEvent());
}

TEST(EventCodecTest, EmptyEventAndAbsentTimes) {
  const Event empty;
  EXPECT_EQ(EncodeEvent(empty),
            R"({"v":1,"ws":"","type":"track","mid":"","anon":"","uid":"","gid":"","prev":"",)"
            R"("event":"","recv":0,"sent":null,"orig":null,"ts":0,"ctx":{},"props":{},)"
            R"("traits":{},"once":{},"integ":null})");
  ExpectSameEvent(RoundTrip(empty), empty);
}

TEST(EventCodecTest, TimesKeepMicrosecondsBefore1970Too) {
  Event event;
  event.received_at = Micros(-1);  // 1969-12-31T23:59:59.999999Z
  event.sent_at = Micros(-86'400'000'000 * 365 * 100 - 7);
  event.original_timestamp = Micros(0);
  event.timestamp = Micros(4'102'444'800'000'001);  // 2100-01-01T00:00:00.000001Z
  event.properties = {
      Prop("born", std::string("1969-07-20T20:17:40.000001Z"),
           std::chrono::sys_days{std::chrono::year{1969} / 7 / 20} + 20h + 17min + 40s + 1us)};
  ExpectSameEvent(RoundTrip(event), event);

  // Finer than a microsecond is dropped, toward the past.
  Event fine;
  fine.received_at = TimePoint(1999ns);
  fine.timestamp = TimePoint(-1ns);
  const Event decoded = RoundTrip(fine);
  EXPECT_EQ(decoded.received_at, Micros(1));
  EXPECT_EQ(decoded.timestamp, Micros(-1));
}

TEST(EventCodecTest, DoublesRoundTripExactly) {
  const std::vector<double> values = {
      0.1,
      0.2,
      1e300,
      -1e300,
      1e-300,
      -0.0,
      0.0,
      1.0,
      -1.5,
      9007199254740992.0,  // 2^53
      -9007199254740992.0,
      9007199254740991.0,
      1e15,
      1e16,
      1e21,
      1e22,
      18446744073709551616.0,  // 2^64
      9223372036854775808.0,   // 2^63
      std::numeric_limits<double>::max(),
      std::numeric_limits<double>::lowest(),
      std::numeric_limits<double>::min(),
      std::numeric_limits<double>::denorm_min(),
      -std::numeric_limits<double>::denorm_min(),
      std::numeric_limits<double>::epsilon(),
      129.99,
      1.0 / 3,
      123456789.123456789,
  };
  Event event;
  for (size_t i = 0; i < values.size(); ++i) {
    event.properties.push_back(Prop(fmt::format("n{}", i), values[i]));
  }
  ExpectSameEvent(RoundTrip(event), event);

  // Random bit patterns: every finite double, whatever its exponent.
  std::mt19937_64 rng(42);
  Event random;
  for (int i = 0; random.properties.size() < 100'000; ++i) {
    const double value = std::bit_cast<double>(rng());
    if (std::isfinite(value)) random.properties.push_back(Prop("x", value));
  }
  ExpectSameEvent(RoundTrip(random), random);
}

TEST(EventCodecTest, UnicodeAndEscapesRoundTrip) {
  Event event;
  event.workspace_id = "ws";
  event.user_id = "用户-42";
  event.event = "Ünïcödé 🎉 \"quoted\" back\\slash \n\t\r\b\f \x01\x1f /slash";
  event.context = {Prop("page_title", std::string("日本語のページ — ½ € 𝄞"))};
  event.properties = {Prop("emoji 😀", std::string("😀")), Prop("", std::string("")),
                      Prop("nul", std::string("a\0b", 3)),
                      Prop("ctrl\x02key", std::string("\x7f"))};
  event.integrations = R"({"Google \"Analytics\"":{"clientId":"é"},"a\u0001b":[1,2.5,null]})";
  ExpectSameEvent(RoundTrip(event), event);
}

// The request parsers produce integrations with simdjson::minify; other
// spellings of the same object come back in that compact form.
TEST(EventCodecTest, IntegrationsAreEmbeddedAsTheirObject) {
  Event event;
  event.integrations = R"({"All":false,"Mixpanel":{"people":true,"n":[1,-2,3.5]}})";
  const std::string payload = EncodeEvent(event);
  EXPECT_NE(payload.find(R"("integ":{"All":false,"Mixpanel":{"people":true,"n":[1,-2,3.5]}}})"),
            std::string::npos)
      << payload;
  ExpectSameEvent(RoundTrip(event), event);

  event.integrations = R"({ "All" : true })";
  EXPECT_EQ(RoundTrip(event).integrations, R"({"All":true})");
  event.integrations = "{}";
  EXPECT_EQ(RoundTrip(event).integrations, "{}");
}

// ---- Randomized round trips ----

class RandomEvents {
 public:
  explicit RandomEvents(uint64_t seed) : rng_(seed) {}

  Event Next() {
    Event event;
    event.workspace_id = Text();
    event.type = static_cast<EventType>(Uniform(0, 5));
    event.message_id = Text();
    event.anonymous_id = Text();
    event.user_id = Text();
    event.group_id = Text();
    event.previous_id = Text();
    event.event = Text();
    event.received_at = Time();
    if (Chance(2)) event.sent_at = Time();
    if (Chance(2)) event.original_timestamp = Time();
    event.timestamp = Time();
    event.context = Properties();
    event.properties = Properties();
    event.traits = Properties();
    event.traits_set_once = Properties();
    if (Chance(3)) event.integrations = Integrations();
    return event;
  }

 private:
  int64_t Uniform(int64_t low, int64_t high) {
    return std::uniform_int_distribution<int64_t>(low, high)(rng_);
  }
  bool Chance(int one_in) { return Uniform(1, one_in) == 1; }

  std::string Text() {
    static const std::vector<std::string> kPieces = {"",
                                                     "a",
                                                     "user_42",
                                                     "Order Completed",
                                                     "é",
                                                     "日本",
                                                     "😀",
                                                     "\"",
                                                     "\\",
                                                     "\n",
                                                     "\t",
                                                     "\x01",
                                                     "</script>",
                                                     " ",
                                                     "{}",
                                                     "[1,2]",
                                                     "\xc3\xa9t\xc3\xa9",
                                                     "2024-05-01T10:00:00Z",
                                                     "0",
                                                     "-0.0",
                                                     "null"};
    std::string text;
    const int64_t pieces = Uniform(0, 4);
    for (int64_t i = 0; i < pieces; ++i) text += kPieces[Uniform(0, kPieces.size() - 1)];
    return text;
  }

  // Microsecond times from 1900 to 2200, including before 1970.
  TimePoint Time() { return Micros(Uniform(-2'208'988'800'000'000, 7'258'118'400'000'000)); }

  double Number() {
    static const std::vector<double> kSpecial = {0.1,
                                                 1e300,
                                                 -1e300,
                                                 -0.0,
                                                 0.0,
                                                 5e-324,
                                                 9007199254740992.0,
                                                 -9007199254740992.0,
                                                 1.7976931348623157e308,
                                                 42,
                                                 -7,
                                                 1e-7,
                                                 123.456};
    switch (Uniform(0, 3)) {
      case 0:
        return kSpecial[Uniform(0, kSpecial.size() - 1)];
      case 1:  // integers up to 2^53
        return static_cast<double>(Uniform(-(int64_t{1} << 53), int64_t{1} << 53));
      case 2:
        return std::uniform_real_distribution<double>(-1e6, 1e6)(rng_);
      default: {
        double value;
        do value = std::bit_cast<double>(rng_());
        while (!std::isfinite(value));
        return value;
      }
    }
  }

  std::vector<Property> Properties() {
    std::vector<Property> properties;
    const int64_t count = Uniform(0, 6);
    for (int64_t i = 0; i < count; ++i) {
      Property& property = properties.emplace_back();
      property.name = Text();
      switch (Uniform(0, 4)) {
        case 0:
          break;  // null
        case 1:
          property.value = Text();
          break;
        case 2:
          property.value = Number();
          break;
        case 3:
          property.value = Chance(2);
          break;
        default:
          property.value = Text();
          property.timestamp = Time();
      }
    }
    return properties;
  }

  std::string Integrations() {
    static const std::vector<std::string> kObjects = {
        "{}", R"({"All":false})", R"({"All":true,"Mixpanel":false})",
        R"({"Google Analytics":{"clientId":"c1","n":[1,2.5,-0.5,null,true]}})",
        R"({"é\n":{"a":{"b":{"c":[]}}}})"};
    return kObjects[Uniform(0, kObjects.size() - 1)];
  }

  std::mt19937_64 rng_;
};

TEST(EventCodecTest, RandomEventsRoundTrip) {
  RandomEvents events(7);
  for (int i = 0; i < 3000; ++i) {
    const Event event = events.Next();
    SCOPED_TRACE(i);
    ExpectSameEvent(RoundTrip(event), event);
    if (::testing::Test::HasFailure()) break;
  }
}

// ---- Damaged and foreign payloads ----

void ExpectCorrupt(std::string_view payload, std::string_view field,
                   std::string_view message_part = "") {
  SCOPED_TRACE(payload);
  const Result<Event> decoded = DecodeEvent(payload);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), ErrorCode::kBadRequest);
  EXPECT_EQ(decoded.status().field(), field) << decoded.status().ToString();
  EXPECT_NE(decoded.status().message().find(message_part), std::string::npos)
      << decoded.status().ToString();
}

// kRealisticPayload with its first `from` replaced by `to`.
std::string Replace(std::string_view from, std::string_view to) {
  std::string payload(kRealisticPayload);
  const size_t at = payload.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return payload.replace(at, from.size(), to);
}

TEST(EventCodecTest, NotAnEventPayload) {
  ExpectCorrupt("", "", "empty");
  ExpectCorrupt(std::string_view(), "", "empty");
  ExpectCorrupt(" ", "", "not valid JSON");
  ExpectCorrupt("garbage", "", "not valid JSON");
  ExpectCorrupt("\xff\xfe{}", "", "not valid JSON");
  ExpectCorrupt("[1,2]", "", "not a JSON object");
  ExpectCorrupt("\"v\"", "", "not a JSON object");
  ExpectCorrupt("{}", "v", "missing");
  ExpectCorrupt(std::string(kRealisticPayload) + "x", "", "not valid JSON");
  ExpectCorrupt(std::string(kRealisticPayload) + "{}", "", "not valid JSON");
}

TEST(EventCodecTest, VersionComesFirstAndMustBeKnown) {
  ExpectCorrupt(Replace(R"("v":1)", R"("v":2)"), "v", "unsupported format version 2");
  ExpectCorrupt(Replace(R"("v":1)", R"("v":0)"), "v", "unsupported format version 0");
  ExpectCorrupt(Replace(R"("v":1)", R"("v":"1")"), "v", "format version");
  ExpectCorrupt(Replace(R"("v":1)", R"("v":1.0)"), "v", "format version");
  ExpectCorrupt(Replace(R"("v":1,)", ""), "v", "first field");
  ExpectCorrupt(R"({"v":2,"anything":"else"})", "v", "unsupported format version 2");
  ExpectCorrupt(R"({"ws":"w","v":1})", "v", "first field");
}

TEST(EventCodecTest, FieldsMustBeExactlyTheVersionsFieldsInOrder) {
  ExpectCorrupt(Replace(R"("gid":"",)", ""), "group_id", R"(expected field "gid")");
  ExpectCorrupt(Replace(R"("gid":"","prev":"",)", R"("prev":"","gid":"",)"), "group_id",
                R"(found "prev")");
  ExpectCorrupt(Replace(R"(,"integ":{"Mixpanel":false})", ""), "integrations",
                R"(field "integ" (integrations) is missing)");
  ExpectCorrupt(Replace(R"("integ":{"Mixpanel":false})", R"("integ":null,"extra":1)"), "extra",
                "unexpected field");
  ExpectCorrupt(Replace(R"("uid":)", R"("uid":"u","uid":)"), "group_id", R"(found "uid")");
}

TEST(EventCodecTest, FieldsOfTheWrongTypeNameTheField) {
  const struct {
    std::string_view from, to, field;
  } kCases[] = {
      {R"("ws":"ws_7Qk2")", R"("ws":7)", "workspace_id"},
      {R"("type":"track")", R"("type":null)", "type"},
      {R"("type":"track")", R"("type":"Track")", "type"},
      {R"("mid":"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")", R"("mid":["0190"])", "message_id"},
      {R"("anon":"a8c3f0e2-77b1-4f3a-9c2d-5e6f7a8b9c0d")", R"("anon":{})", "anonymous_id"},
      {R"("uid":"user_48213")", R"("uid":null)", "user_id"},
      {R"("gid":"")", R"("gid":false)", "group_id"},
      {R"("prev":"")", R"("prev":0)", "previous_id"},
      {R"("event":"Order Completed")", R"("event":1.5)", "event"},
      {R"("recv":1772618400123456)", R"("recv":"1772618400123456")", "received_at"},
      {R"("recv":1772618400123456)", R"("recv":null)", "received_at"},
      {R"("recv":1772618400123456)", R"("recv":1772618400123456.5)", "received_at"},
      {R"("recv":1772618400123456)", R"("recv":9223372036854775807)", "received_at"},
      {R"("recv":1772618400123456)", R"("recv":18446744073709551615)", "received_at"},
      {R"("sent":1772618399987000)", R"("sent":true)", "sent_at"},
      {R"("orig":1772618399912000)", R"("orig":-9223372036854775808)", "original_timestamp"},
      {R"("ts":1772618400048456)", R"("ts":[])", "timestamp"},
      {R"("ctx":{"ip":"203.0.113.42")", R"("ctx":{"ip":{"v4":"203.0.113.42"})", "context.ip"},
      {R"("total":129.99)", R"("total":[129.99])", "properties.total"},
      {R"("total":129.99)", R"("total":["129.99",1,2])", "properties.total"},
      {R"("total":129.99)", R"("total":[1,2])", "properties.total"},
      {R"("total":129.99)", R"("total":["x",1.5])", "properties.total"},
      {R"("total":129.99)", R"("total":["x",99999999999999999])", "properties.total"},
      {R"("traits":{})", R"("traits":null)", "traits"},
      {R"("once":{})", R"("once":"")", "traits_set_once"},
      {R"("integ":{"Mixpanel":false})", R"("integ":[])", "integrations"},
      {R"("integ":{"Mixpanel":false})", R"("integ":"{}")", "integrations"},
  };
  for (const auto& c : kCases) ExpectCorrupt(Replace(c.from, c.to), c.field, c.field);

  std::string context_array = Replace(R"("ctx":{)", R"("ctx":[{)");
  context_array.replace(context_array.find(R"(},"props")"), 2, R"(}],)");
  ExpectCorrupt(context_array, "context", "context must be an object");
}

TEST(EventCodecTest, EveryTruncationFailsCleanly) {
  const std::string payload(kRealisticPayload);
  for (size_t length = 0; length < payload.size(); ++length) {
    const Result<Event> decoded = DecodeEvent(std::string_view(payload).substr(0, length));
    ASSERT_FALSE(decoded.ok()) << length;
    EXPECT_EQ(decoded.status().code(), ErrorCode::kBadRequest) << length;
  }
  EXPECT_TRUE(DecodeEvent(payload).ok());
}

// Flipped bytes either still decode (e.g. a changed letter in a string) or
// are refused; never a crash or a sanitizer report.
TEST(EventCodecTest, DamagedBytesNeverCrash) {
  const std::string original(kRealisticPayload);
  std::mt19937_64 rng(3);
  int refused = 0;
  for (int i = 0; i < 20'000; ++i) {
    std::string payload = original;
    const int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; ++f) payload[rng() % payload.size()] = static_cast<char>(rng());
    const Result<Event> decoded = DecodeEvent(payload);
    if (!decoded.ok()) {
      ++refused;
      EXPECT_EQ(decoded.status().code(), ErrorCode::kBadRequest);
    }
  }
  EXPECT_GT(refused, 10'000);
}

TEST(EventCodecTest, LogKeyIsTheWorkspaceAndThePerson) {
  Event event;
  event.workspace_id = "ws1";
  event.anonymous_id = "anon-1";
  event.user_id = "u1";
  EXPECT_EQ(EventLogKey(event), "ws1/anon-1");
  event.anonymous_id.clear();
  EXPECT_EQ(EventLogKey(event), "ws1/u1");
  event.user_id.clear();
  EXPECT_EQ(EventLogKey(event), "ws1/");
}

// Prints (does not assert) the codec's speed on a realistic event.
TEST(EventCodecTest, Throughput) {
  const Event event = RealisticEvent();
  const std::string payload = EncodeEvent(event);
  using Clock = std::chrono::steady_clock;
  const auto run = [](auto&& body) {
    int64_t iterations = 0;
    const Clock::time_point start = Clock::now();
    Clock::duration elapsed{};
    do {
      for (int i = 0; i < 1000; ++i) body();
      iterations += 1000;
      elapsed = Clock::now() - start;
    } while (elapsed < 300ms);
    return std::chrono::duration<double, std::nano>(elapsed).count() /
           static_cast<double>(iterations);
  };
  size_t sink = 0;
  const double encode_ns = run([&] { sink += EncodeEvent(event).size(); });
  const double decode_ns = run([&] { sink += DecodeEvent(payload)->properties.size(); });
  const auto report = [&](std::string_view what, double ns) {
    std::printf("[ info     ] %s: %.0f ns/event, %.0f k events/s, %.0f MB/s (%zu-byte payload)\n",
                std::string(what).c_str(), ns, 1e6 / ns,
                static_cast<double>(payload.size()) / ns * 1e3, payload.size());
  };
  report("encode", encode_ns);
  report("decode", decode_ns);
  report("encode+decode", encode_ns + decode_ns);
  EXPECT_GT(sink, 0u);
}

}  // namespace
}  // namespace cdp
