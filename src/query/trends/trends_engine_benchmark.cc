// How fast the trends engine answers on a realistic layout: one part per day,
// blocks of 65,536 rows, persons with several events a day. Run by hand
// (not a test): cdp_query_trends_benchmark [events] [persons] [name filter]. Prints the
// best of three runs per request, and nanoseconds per scanned event.
#include <fmt/format.h>
#include <time.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <random>

#include "query/testing/test_event_store.h"
#include "query/trends/trends_query.h"

namespace cdp::query {
namespace {

std::vector<Event> MakeEvents(size_t count, int persons, TimePoint from, int days) {
  const char* const names[] = {"Page Viewed", "Signed Up", "Order Completed", "Logged In"};
  const char* const countries[] = {"DE", "FR", "US", "BR", "JP", "IN", "GB"};
  std::mt19937_64 random(1);
  std::vector<Event> events(count);
  for (size_t i = 0; i < count; ++i) {
    Event& event = events[i];
    event.workspace_id = "ws_bench";
    event.message_id = fmt::format("m{}", i);
    const int person = int(random() % uint64_t(persons));
    event.anonymous_id = fmt::format("anon-{}", person);
    event.event = names[random() % 4];
    // Sorted by time, so that each flush is about one day.
    const int64_t micros = int64_t(double(i) / double(count) * days * 86'400e6);
    event.timestamp = from + std::chrono::microseconds(micros);
    event.received_at = event.timestamp;
    Property& country = event.context.emplace_back();
    country.name = "country";
    country.value.emplace<std::string>(countries[(person * 7 + random() % 2) % 7]);
    if (random() % 2 == 0) {
      Property& price = event.properties.emplace_back();
      price.name = "price";
      price.value.emplace<double>(double(random() % 10'000) / 100);
    }
  }
  return events;
}

// CPU seconds of the whole process (every thread): the machine may be
// shared, so wall-clock time alone can mislead.
double ProcessCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return double(now.tv_sec) + double(now.tv_nsec) * 1e-9;
}

}  // namespace
}  // namespace cdp::query

int main(int argc, char** argv) {
  using namespace cdp;
  using namespace cdp::query;
  const size_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  const int persons = argc > 2 ? std::atoi(argv[2]) : 100'000;
  const std::string_view filter = argc > 3 ? argv[3] : "";
  const int days = 30;
  const TimePoint from = FromUnixMicros(int64_t{1'772'323'200} * 1'000'000);  // 2026-03-01
  std::vector<Event> events = MakeEvents(count, persons, from, days);
  query::testing::TestEventStore store(events, days, 65'536);
  events.clear();
  events.shrink_to_fit();

  const std::string range = R"("from": "2026-03-01", "to": "2026-03-31")";
  const std::vector<std::pair<std::string, std::string>> requests = {
      {"total by day", R"("series": [{}])"},
      {"dau", R"("series": [{"math": "dau"}])"},
      {"dau by country",
       R"("series": [{"math": "dau"}], "breakdown": {"property": "context.country"})"},
      {"dau by country, Paris", R"("series": [{"math": "dau"}], "time_zone": "Europe/Paris",
                                    "breakdown": {"property": "context.country"})"},
      {"total by event", R"("series": [{}], "breakdown": {"property": "event"})"},
      {"wau", R"("series": [{"math": "wau"}])"},
      {"count per person p90", R"("series": [{"math": "count_per_person_p90"}])"},
      {"p90 price", R"("series": [{"math": "p90", "math_property": "properties.price"}])"},
      {"avg price, hourly", R"("series": [{"math": "avg", "math_property": "properties.price"}],
                               "interval": "hour")"},
      {"orders / views", R"("series": [{"event": "Order Completed"}, {"event": "Page Viewed"}],
                            "formula": "A / B * 100")"},
  };
  const QueryContext context{.workspace_id = "ws_bench", .parallelism = 2};
  for (const auto& [name, rest] : requests) {
    if (name.find(filter) == std::string::npos) continue;
    const std::string body = fmt::format("{{{}, {}}}", range, rest);
    double best = 1e99;
    double best_cpu = 1e99;
    const int runs =
        std::getenv("TRENDS_BENCH_RUNS") ? std::atoi(std::getenv("TRENDS_BENCH_RUNS")) : 3;
    for (int run = 0; run < runs; ++run) {
      const double start_cpu = ProcessCpuSeconds();
      const auto start = std::chrono::steady_clock::now();
      const Result<QueryOutput> output = RunTrendsQuery(context, store.store(), body);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (!output.ok()) {
        std::cerr << name << ": " << output.status().ToString() << "\n";
        return 1;
      }
      best = std::min(best, seconds);
      best_cpu = std::min(best_cpu, ProcessCpuSeconds() - start_cpu);
    }
    std::cout << fmt::format("{:<24} {:8.1f} ms wall {:8.1f} ms cpu  {:6.1f} cpu ns/event\n", name,
                             best * 1e3, best_cpu * 1e3, best_cpu * 1e9 / double(count));
  }
  return 0;
}
