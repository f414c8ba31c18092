// The generator's promises, checked on its output as a consumer sees it:
// determinism, the model's invariants (by a simple reference pass over the
// parsed messages), realistic proportions, and that cdp's own ingestion
// parser accepts every message with stable property types.

#include "gen/generator.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <regex>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/iso8601.h"
#include "ingest/request_parser.h"

namespace cdp::gen {
namespace {

constexpr int64_t kMinute = 60'000;
constexpr int64_t kDay = 86'400'000;

TimePoint Start() { return ParseIso8601("2026-10-01T00:00:00Z").value(); }

GeneratorOptions Options(uint64_t seed, uint64_t persons, int64_t days) {
  GeneratorOptions options;
  options.seed = seed;
  options.persons = persons;
  options.days = days;
  options.start = Start();
  return options;
}

std::vector<std::string> Messages(const GeneratorOptions& options) {
  Generator generator(options);
  std::vector<std::string> messages;
  std::string message;
  while (generator.Next(message)) {
    messages.push_back(message);
    message.clear();
  }
  EXPECT_EQ(generator.events(), messages.size());
  EXPECT_EQ(generator.progress(), 1.0);
  EXPECT_EQ(generator.persons_arrived(), options.persons);
  return messages;
}

std::string Ndjson(const GeneratorOptions& options) {
  std::string text;
  for (const std::string& message : Messages(options)) text += message + "\n";
  return text;
}

// One message, parsed back into what the checks need.
struct Message {
  std::string type;
  std::string message_id;
  int64_t ts = 0;
  std::string anonymous_id;
  std::string user_id;
  std::string event;  // track: the event name; page: its name
  bool has_campaign = false;
  bool has_page_context = false;
  bool has_ip = false;
  std::string library;
  std::string ip;
  std::string traits_country;
};

std::string StringAt(simdjson::dom::element element, std::string_view pointer) {
  std::string_view value;
  if (element.at_pointer(pointer).get(value) != simdjson::SUCCESS) return {};
  return std::string(value);
}

std::vector<Message> Parse(const std::vector<std::string>& lines) {
  simdjson::dom::parser parser;
  std::vector<Message> messages;
  for (const std::string& line : lines) {
    simdjson::dom::element root;
    const simdjson::padded_string padded(line);
    EXPECT_EQ(parser.parse(padded).get(root), simdjson::SUCCESS) << line;
    Message m;
    m.type = StringAt(root, "/type");
    m.message_id = StringAt(root, "/messageId");
    const auto ts = ParseIso8601(StringAt(root, "/timestamp"));
    EXPECT_TRUE(ts.ok()) << line;
    if (ts.ok()) m.ts = UnixMillis(*ts);
    m.anonymous_id = StringAt(root, "/anonymousId");
    m.user_id = StringAt(root, "/userId");
    m.event = m.type == "track" ? StringAt(root, "/event") : StringAt(root, "/name");
    simdjson::dom::element ignored;
    m.has_campaign = root.at_pointer("/context/campaign").get(ignored) == simdjson::SUCCESS;
    m.has_page_context = root.at_pointer("/context/page/url").get(ignored) == simdjson::SUCCESS;
    m.ip = StringAt(root, "/context/ip");
    m.has_ip = !m.ip.empty();
    m.library = StringAt(root, "/context/library/name");
    m.traits_country = StringAt(root, "/traits/country");
    messages.push_back(std::move(m));
  }
  return messages;
}

TEST(GeneratorTest, TheSameOptionsGiveTheSameBytes) {
  const std::string a = Ndjson(Options(42, 400, 14));
  const std::string b = Ndjson(Options(42, 400, 14));
  EXPECT_GT(a.size(), 100'000u);
  EXPECT_EQ(a, b);
}

TEST(GeneratorTest, AnotherSeedGivesOtherData) {
  const std::vector<std::string> a = Messages(Options(42, 400, 14));
  const std::vector<std::string> b = Messages(Options(43, 400, 14));
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  const std::set<std::string> first(a.begin(), a.end());
  size_t shared = 0;
  for (const std::string& line : b) shared += first.count(line);
  EXPECT_EQ(shared, 0u);
}

// A person's story depends on the seed and the person's index only: adding
// persons adds their events and changes nobody else's.
TEST(GeneratorTest, MorePersonsAddEventsWithoutChangingOthers) {
  const std::vector<std::string> small = Messages(Options(7, 150, 10));
  const std::vector<std::string> large = Messages(Options(7, 300, 10));
  std::unordered_set<std::string> ids;
  for (const Message& m : Parse(small)) {
    if (!m.anonymous_id.empty()) ids.insert(m.anonymous_id);
    if (!m.user_id.empty()) ids.insert(m.user_id);
  }
  std::vector<std::string> kept;
  const std::vector<Message> parsed = Parse(large);
  for (size_t i = 0; i < large.size(); ++i) {
    if (ids.count(parsed[i].anonymous_id) || ids.count(parsed[i].user_id)) {
      kept.push_back(large[i]);
    }
  }
  EXPECT_GT(large.size(), small.size());
  EXPECT_EQ(kept, small);
}

// The reference pass: every invariant the model promises, checked on the
// messages alone.
TEST(GeneratorTest, MessagesKeepTheModelsInvariants) {
  const GeneratorOptions options = Options(11, 1500, 30);
  const std::vector<Message> messages = Parse(Messages(options));
  ASSERT_GT(messages.size(), 5000u);
  const int64_t start = UnixMillis(options.start);
  const int64_t end = start + options.days * kDay;

  std::unordered_set<std::string> message_ids;
  std::unordered_map<std::string, std::string> user_of_device;  // anonymousId -> userId
  std::unordered_map<std::string, int64_t> last_ts_of_device;
  std::unordered_map<std::string, int64_t> last_ts_of_user;
  // The funnel, per user: the step reached so far.
  enum Step { kNone, kSignedUp, kActivated, kCheckout, kOrdered };
  std::unordered_map<std::string, int> step;
  const std::map<std::string, Step> funnel = {{"Signed Up", kSignedUp},
                                              {"Project Created", kActivated},
                                              {"Checkout Started", kCheckout},
                                              {"Order Completed", kOrdered}};
  int64_t previous_ts = start;
  size_t sessions = 0;
  for (const Message& m : messages) {
    SCOPED_TRACE(m.message_id + " " + m.type + " " + m.event);
    // Unique ids, UUID-shaped.
    EXPECT_TRUE(message_ids.insert(m.message_id).second);
    ASSERT_EQ(m.message_id.size(), 36u);
    // Global time order within the window.
    EXPECT_GE(m.ts, previous_ts);
    EXPECT_LT(m.ts, end);
    previous_ts = m.ts;

    const bool server = m.anonymous_id.empty();
    if (server) {
      // Only the product's server sends without anonymousId, for known users.
      EXPECT_EQ(m.library, "@segment/analytics-node");
      EXPECT_EQ(m.event, "Order Completed");
      EXPECT_FALSE(m.user_id.empty());
      EXPECT_EQ(step[m.user_id], kCheckout) << "an order without its checkout";
    } else {
      EXPECT_EQ(m.library, "analytics.js");
      EXPECT_TRUE(m.has_ip);
      EXPECT_TRUE(m.has_page_context);
      // Sessions: more than 30 minutes of inactivity start a new one, which
      // starts with a page view; only a session's landing page has a campaign.
      const auto last = last_ts_of_device.find(m.anonymous_id);
      const bool new_session =
          last == last_ts_of_device.end() || m.ts - last->second > 30 * kMinute;
      if (new_session) {
        ++sessions;
        EXPECT_EQ(m.type, "page") << "a session starts with a page view";
      } else {
        EXPECT_FALSE(m.has_campaign) << "campaign after a session's landing page";
        EXPECT_LT(m.ts - last->second, 30 * kMinute);
      }
      if (last != last_ts_of_device.end()) {
        EXPECT_GE(m.ts, last->second);
      }
      last_ts_of_device[m.anonymous_id] = m.ts;
    }

    if (m.type == "identify") {
      ASSERT_FALSE(m.user_id.empty());
      ASSERT_FALSE(m.anonymous_id.empty());
      const auto linked = user_of_device.find(m.anonymous_id);
      if (linked != user_of_device.end()) {
        EXPECT_EQ(linked->second, m.user_id);
      }
      user_of_device[m.anonymous_id] = m.user_id;
    } else if (!m.user_id.empty() && !server) {
      // A userId only after this device's identify.
      const auto linked = user_of_device.find(m.anonymous_id);
      ASSERT_NE(linked, user_of_device.end()) << "userId before identify";
      EXPECT_EQ(linked->second, m.user_id);
    }
    if (!m.user_id.empty()) {
      const auto last = last_ts_of_user.find(m.user_id);
      if (last != last_ts_of_user.end()) {
        EXPECT_GE(m.ts, last->second);
      }
      last_ts_of_user[m.user_id] = m.ts;
    }

    if (m.type == "track") {
      EXPECT_FALSE(m.user_id.empty()) << "anonymous visitors only view pages";
      const auto it = funnel.find(m.event);
      if (it != funnel.end()) {
        int& reached = step[m.user_id];
        if (it->second == kSignedUp) {
          EXPECT_EQ(reached, kNone) << "signed up twice";
        } else if (it->second == kCheckout) {
          // A checkout can be abandoned and tried again in a later session.
          EXPECT_GE(reached, kActivated) << "checkout before activation";
        } else if (it->second == kActivated) {
          EXPECT_EQ(reached, kSignedUp) << "activation before signup, or twice";
        } else {
          EXPECT_EQ(reached, kCheckout) << "order before checkout";
        }
        reached = std::max(reached, static_cast<int>(it->second));
      } else if (m.event == "Feature Used") {
        EXPECT_GE(step[m.user_id], kActivated) << "features before activation";
      } else {
        EXPECT_EQ(m.event, "Signed In");
        EXPECT_GE(step[m.user_id], kSignedUp);
      }
    }
  }
  // Visitors come back: there are clearly more sessions than devices.
  EXPECT_GT(sessions, last_ts_of_device.size() * 3 / 2);
}

TEST(GeneratorTest, ProportionsLookLikeAProduct) {
  const std::vector<Message> messages = Parse(Messages(Options(5, 4000, 30)));
  std::set<std::string> visitors, signed_up, activated, ordered, countries, agents, campaigns;
  std::map<std::string, int64_t> first_seen;         // per device
  std::map<std::string, std::set<int64_t>> days_of;  // per device: days since first visit
  size_t pages = 0;
  size_t campaign_pages = 0;
  for (const Message& m : messages) {
    if (!m.anonymous_id.empty()) {
      visitors.insert(m.anonymous_id);
      first_seen.emplace(m.anonymous_id, m.ts);
      days_of[m.anonymous_id].insert((m.ts - first_seen[m.anonymous_id]) / kDay);
    }
    if (m.type == "page") ++pages;
    if (m.has_campaign) ++campaign_pages;
    if (m.event == "Signed Up") signed_up.insert(m.user_id);
    if (m.event == "Project Created") activated.insert(m.user_id);
    if (m.event == "Order Completed") ordered.insert(m.user_id);
    if (!m.traits_country.empty()) countries.insert(m.traits_country);
  }
  const double persons = 4000;
  const double events_per_person = static_cast<double>(messages.size()) / persons;
  EXPECT_GT(events_per_person, 5);
  EXPECT_LT(events_per_person, 25);
  // A funnel with drop-offs at every step.
  EXPECT_GT(signed_up.size(), persons * 0.10);
  EXPECT_LT(signed_up.size(), persons * 0.45);
  EXPECT_GT(activated.size(), signed_up.size() * 0.3);
  EXPECT_LT(activated.size(), signed_up.size() * 0.9);
  EXPECT_GT(ordered.size(), activated.size() * 0.05);
  EXPECT_LT(ordered.size(), activated.size() * 0.6);
  // Some sessions come from campaigns; most page views are not landings.
  EXPECT_GT(campaign_pages, pages / 50);
  EXPECT_LT(campaign_pages, pages / 4);
  EXPECT_GE(countries.size(), 10u);
  // Retention decays: of the devices seen on day 0, more return on days 1-3
  // than on days 14-16.
  size_t early = 0;
  size_t late = 0;
  for (const auto& [device, days] : days_of) {
    if (first_seen[device] >= UnixMillis(Start()) + 14 * kDay) continue;  // too young for day 16
    early += days.count(1) + days.count(2) + days.count(3);
    late += days.count(14) + days.count(15) + days.count(16);
  }
  EXPECT_GT(early, late * 3 / 2);
  EXPECT_GT(late, 0u);
}

// Every message goes through cdp's real Segment parser without a refusal,
// and every property keeps one type (the server's schema registry refuses a
// change), per section as the registry keys them.
TEST(GeneratorTest, TheIngestionParserAcceptsEveryMessageWithStableTypes) {
  const std::vector<std::string> lines = Messages(Options(3, 1500, 21));
  ASSERT_GT(lines.size(), 5000u);
  std::map<std::string, PropertyType> types;
  std::set<std::string> names;
  const auto check = [&](std::string_view section, const std::vector<Property>& props) {
    for (const Property& property : props) {
      ASSERT_FALSE(property.is_null()) << property.name;
      const std::string key = std::string(section) + "." + property.name;
      names.insert(key);
      const auto [it, inserted] = types.emplace(key, property.type());
      EXPECT_EQ(it->second, property.type()) << key << " changed type";
    }
  };
  size_t parsed_events = 0;
  for (size_t begin = 0; begin < lines.size(); begin += 2000) {
    std::string body = R"({"batch":[)";
    const size_t end = std::min(lines.size(), begin + 2000);
    for (size_t i = begin; i < end; ++i) {
      if (i > begin) body += ',';
      body += lines[i];
    }
    body += "]}";
    const auto parsed = ingest::ParseSegmentRequest(body, std::nullopt, ingest::ParseLimits{},
                                                    std::chrono::system_clock::now());
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    for (const ingest::RejectedItem& rejected : parsed->rejected) {
      ADD_FAILURE() << lines[begin + rejected.index] << ": " << rejected.status.ToString();
    }
    ASSERT_EQ(parsed->events.size(), end - begin);
    for (const Event& event : parsed->events) {
      check("properties", event.properties);
      check("traits", event.traits);
      check("context", event.context);
      // The client's timestamp is kept as is (no sentAt).
      ASSERT_TRUE(event.original_timestamp.has_value());
      EXPECT_EQ(event.timestamp, *event.original_timestamp);
    }
    parsed_events += parsed->events.size();
  }
  EXPECT_EQ(parsed_events, lines.size());
  // The vocabulary the docs promise, with its types.
  const std::map<std::string, PropertyType> expected = {
      {"properties.price", PropertyType::kNumber},
      {"properties.revenue", PropertyType::kNumber},
      {"properties.discount", PropertyType::kNumber},
      {"properties.duration_seconds", PropertyType::kNumber},
      {"properties.plan", PropertyType::kString},
      {"properties.currency", PropertyType::kString},
      {"properties.url", PropertyType::kString},
      {"traits.created_at", PropertyType::kTimestamp},
      {"traits.email", PropertyType::kString},
      {"context.ip", PropertyType::kString},
      {"context.user_agent", PropertyType::kString},
      {"context.page_url", PropertyType::kString},
      {"context.campaign_source", PropertyType::kString},
      {"context.library_name", PropertyType::kString},
  };
  for (const auto& [name, type] : expected) {
    ASSERT_TRUE(types.count(name)) << name;
    EXPECT_EQ(types[name], type) << name;
  }
}

TEST(GeneratorTest, OptionsOutOfRangeAreRefusedByName) {
  GeneratorOptions options = Options(1, 0, 30);
  EXPECT_EQ(ValidateGeneratorOptions(options).field(), "persons");
  options = Options(1, 10, 0);
  EXPECT_EQ(ValidateGeneratorOptions(options).field(), "days");
  options = Options(1, 10, 30);
  options.start = ParseIso8601("2200-12-15T00:00:00Z").value();
  EXPECT_EQ(ValidateGeneratorOptions(options).field(), "start");
  EXPECT_TRUE(ValidateGeneratorOptions(Options(1, 10, 30)).ok());
}

TEST(GeneratorTest, OnePersonOneDayStillWorks) {
  const std::vector<std::string> lines = Messages(Options(1, 1, 1));
  ASSERT_FALSE(lines.empty());
  EXPECT_NE(lines.front().find(R"("type":"page")"), std::string::npos);
}

}  // namespace
}  // namespace cdp::gen
