#include "store/testing/random_events.h"

#include <fmt/format.h>

#include <array>
#include <chrono>

#include "store/event_columns.h"

namespace cdp::testing {

namespace {

constexpr std::array<const char*, 6> kEventNames = {"Signed Up", "Page Viewed", "Order Completed",
                                                    "Logged In", "Searched",    "Plan Changed"};
constexpr std::array<const char*, 4> kPlans = {"free", "pro", "team", "enterprise"};
constexpr std::array<const char*, 5> kCountries = {"DE", "FR", "US", "BR", "JP"};

template <typename T, size_t N>
const T& Pick(std::mt19937_64& random, const std::array<T, N>& values) {
  return values[random() % N];
}

bool Chance(std::mt19937_64& random, double p) {
  return std::uniform_real_distribution<double>(0, 1)(random) < p;
}

Property Text(std::string name, std::string value) {
  Property property;
  property.name = std::move(name);
  property.value = std::move(value);
  return property;
}

Property Number(std::string name, double value) {
  Property property;
  property.name = std::move(name);
  property.value = value;
  return property;
}

Property Boolean(std::string name, bool value) {
  Property property;
  property.name = std::move(name);
  property.value = value;
  return property;
}

Property Time(std::string name, TimePoint value) {
  Property property = Text(std::move(name), FormatIso8601(value));
  property.timestamp = value;
  return property;
}

Property Null(std::string name) {
  Property property;
  property.name = std::move(name);
  return property;
}

}  // namespace

std::vector<std::string> RandomEventColumns() {
  return {"properties.plan",
          "properties.price",
          "properties.first_order",
          "properties.shipped_at",
          "properties.note",
          "properties.items",
          "context.ip",
          "context.country",
          "context.page_url",
          "traits.email",
          "traits.age",
          "traits_set_once.first_seen"};
}

std::vector<Event> RandomEvents(std::mt19937_64& random, size_t count,
                                const RandomEventOptions& options) {
  using std::chrono::microseconds;
  const int64_t span_micros = int64_t{options.days} * 86'400 * 1'000'000;
  std::vector<Event> events;
  events.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    Event event;
    event.workspace_id = options.workspaces[random() % options.workspaces.size()];
    const int person = static_cast<int>(random() % options.persons);
    event.message_id = fmt::format("{:016x}-{}", random(), i);
    if (Chance(random, 0.9)) event.anonymous_id = fmt::format("anon-{}", person);
    if (event.anonymous_id.empty() || Chance(random, 0.5)) {
      event.user_id = fmt::format("user-{}", person);
    }
    // Same-time events and exact day boundaries happen.
    const int64_t offset = Chance(random, 0.05)
                               ? int64_t(random() % options.days) * 86'400 * 1'000'000
                               : int64_t(random() % span_micros);
    event.timestamp = options.from + microseconds(offset);
    event.received_at = event.timestamp + microseconds(random() % 5'000'000);
    if (Chance(random, 0.8)) event.sent_at = event.received_at - microseconds(random() % 1000);
    if (Chance(random, 0.7)) event.original_timestamp = event.timestamp;
    const int kind = static_cast<int>(random() % 10);
    if (kind < 7) {
      event.type = kind < 5 ? EventType::kTrack : EventType::kPage;
      event.event = Pick(random, kEventNames);
      if (Chance(random, 0.7)) event.properties.push_back(Text("plan", Pick(random, kPlans)));
      if (Chance(random, 0.5)) {
        event.properties.push_back(Chance(random, options.odd_type_rate)
                                       ? Text("price", "n/a")
                                       : Number("price", double(random() % 10'000) / 100));
      }
      if (Chance(random, 0.3)) event.properties.push_back(Boolean("first_order", random() % 2));
      if (Chance(random, 0.2)) {
        event.properties.push_back(
            Time("shipped_at", event.timestamp + std::chrono::hours(random() % 100)));
      }
      if (Chance(random, 0.1)) event.properties.push_back(Null("note"));
      if (Chance(random, 0.1)) {
        event.properties.push_back(Text("note", fmt::format("note {} ünïcödé", random() % 7)));
      }
      if (Chance(random, 0.2)) event.properties.push_back(Number("items", double(random() % 5)));
    } else if (kind < 9) {
      event.type = EventType::kIdentify;
      if (event.user_id.empty()) event.user_id = fmt::format("user-{}", person);
      event.traits.push_back(Text("email", fmt::format("p{}@example.com", person)));
      if (Chance(random, 0.5)) event.traits.push_back(Number("age", double(18 + random() % 60)));
      if (Chance(random, 0.3)) {
        event.traits_set_once.push_back(Time("first_seen", event.timestamp));
      }
    } else {
      event.type = EventType::kAlias;
      event.previous_id = fmt::format("anon-{}", person);
      event.user_id = fmt::format("user-{}", person);
    }
    if (Chance(random, 0.8)) {
      event.context.push_back(Text("ip", fmt::format("10.0.{}.{}", person % 7, person)));
    }
    if (Chance(random, 0.6)) event.context.push_back(Text("country", Pick(random, kCountries)));
    if (Chance(random, 0.5)) {
      event.context.push_back(
          Text("page_url", fmt::format("https://example.com/p/{}", random() % 20)));
    }
    if (Chance(random, 0.1)) event.integrations = R"({"All":false})";
    events.push_back(std::move(event));
  }
  return events;
}

}  // namespace cdp::testing
