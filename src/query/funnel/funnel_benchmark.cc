// The funnel's cost per scanned event on a synthetic store: persons with
// about ten events each over 30 days, a vocabulary of eight event names, and
// a 4-step funnel with a 7-day window (the benchmark's shape), then variants.
// For optimising the hot path; the comparison with ClickHouse is
// bench/query's.
//
//   cdp_query_funnel_bench [events=2000000] [parallelism=2] [variant: ordered, strict, ...]
//   [runs=5] [merged=0]
//
// `merged` (0 to 0.5): the share of persons whose id is merged into another
// person's (identity stitching), so that person resolution has a map to
// look ids up in; 0 resolves against the empty map.
#include <fmt/format.h>
#include <time.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "model/person_map.h"
#include "query/funnel/funnel_query.h"
#include "store/columnar/columnar_event_store.h"
#include "store/columnar/io/posix_file_system.h"
#include "support/temp_dir.h"

namespace cdp::query {
namespace {

constexpr int64_t kDayMicros = int64_t{86'400} * 1'000'000;
constexpr int64_t kFrom = int64_t{1'772'323'200} * 1'000'000;  // 2026-03-01

const char* const kNames[] = {
    "Page Viewed",    "Page Viewed",   "Page Viewed",     "Signed Up", "Product Viewed",
    "Product Viewed", "Added To Cart", "Order Completed", "Logged In", "Searched"};
const char* const kPlans[] = {"free", "pro", "team"};

// CPU time of the whole process (every thread).
double CpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return double(now.tv_sec) + double(now.tv_nsec) / 1e9;
}

void Check(const Status& status) {
  if (!status.ok()) {
    fmt::print(stderr, "{} {}\n", status.message(), status.cause());
    std::exit(1);
  }
}

size_t PersonsOf(size_t events) { return std::max<size_t>(1, events / 10); }

std::string IdOf(size_t person) {
  return fmt::format("anon-{:012x}", person * 0x9E3779B97F4A7C15ull >> 16);
}

// A `share` of the persons' ids (at most half) merged into the next
// person's: person 2k into 2k + 1 for evenly spread pairs.
std::shared_ptr<const PersonMap> MergedPersons(size_t events, double share) {
  std::vector<PersonMap::Change> changes;
  const size_t persons = PersonsOf(events);
  for (size_t person = 0; person + 1 < persons; person += 2) {
    if (double((person / 2) % 1000) < 2 * share * 1000) {
      changes.emplace_back(PersonKeyOf(IdOf(person)), PersonKeyOf(IdOf(person + 1)));
    }
  }
  return PersonMap().With(changes);
}

void Fill(EventStore& store, size_t events) {
  std::mt19937_64 random(42);
  const size_t persons = PersonsOf(events);
  std::vector<Event> batch;
  size_t written = 0;
  for (size_t person = 0; written < events; person = (person + 1) % persons) {
    const int count = 1 + static_cast<int>(random() % 19);
    const std::string id = IdOf(person);
    const int64_t first = kFrom + static_cast<int64_t>(random() % (30 * kDayMicros));
    int64_t micros = first;
    for (int i = 0; i < count && written < events; ++i, ++written) {
      Event event;
      event.workspace_id = "ws_bench";
      event.message_id = fmt::format("m{}", written);
      event.anonymous_id = id;
      event.event = kNames[random() % std::size(kNames)];
      micros += static_cast<int64_t>(random() % (kDayMicros / 2));
      event.timestamp = FromUnixMicros(kFrom + (micros - kFrom) % (30 * kDayMicros));
      event.received_at = event.timestamp;
      Property plan;
      plan.name = "plan";
      plan.value = std::string(kPlans[random() % std::size(kPlans)]);
      event.properties.push_back(std::move(plan));
      batch.push_back(std::move(event));
      if (batch.size() == 200'000) {
        Check(store.Append(batch, {}));
        batch.clear();
      }
      if (written % 1'000'000 == 999'999) Check(store.Flush());
    }
  }
  Check(store.Append(batch, {}));
  Check(store.Flush());
}

constexpr std::string_view kSteps =
    R"([{"event": "Signed Up"}, {"event": "Product Viewed"}, {"event": "Added To Cart"},
        {"event": "Order Completed"}])";

std::string only;  // the variant to measure; empty: all
int runs = 5;      // the best of
std::shared_ptr<const PersonMap> persons = std::make_shared<PersonMap>();

void Measure(EventStore& store, int parallelism, size_t events, const std::string& label,
             const std::string& extra, std::string_view steps = kSteps) {
  if (!only.empty() && only != label) return;
  const std::string body = fmt::format(
      R"({{"from": "2026-03-01", "to": "2026-03-31", "steps": {},
          "window": {{"value": 7, "unit": "day"}}{}}})",
      steps, extra);
  QueryContext context{.workspace_id = "ws_bench", .parallelism = parallelism};
  context.person_snapshot = persons;
  double best = 1e300;
  double best_cpu = 1e300;
  std::string json;
  for (int run = 0; run < runs; ++run) {
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = CpuSeconds();
    const Result<QueryOutput> output = RunFunnelQuery(context, store, body);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    Check(output.status());
    best = std::min(best, seconds);
    best_cpu = std::min(best_cpu, CpuSeconds() - cpu_start);
    json = output->json.substr(0, 100);
  }
  // The machine is shared: CPU time per event says more than wall time.
  fmt::print("{:<16} wall {:6.3f} s {:6.1f} ns/event  cpu {:6.1f} ns/event  {}...\n", label, best,
             best * 1e9 / double(events), best_cpu * 1e9 / double(events), json);
}

}  // namespace
}  // namespace cdp::query

int main(int argc, char** argv) {
  using namespace cdp;
  const size_t events = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2'000'000;
  const int parallelism = argc > 2 ? std::atoi(argv[2]) : 2;
  if (argc > 3) query::only = argv[3];
  if (argc > 4) query::runs = std::atoi(argv[4]);
  cdp::testing::TempDir dir = cdp::testing::TempDir::InMemory();
  columnar::PosixFileSystem fs;
  auto store = columnar::ColumnarEventStore::Open(fs, dir.path(), {.background_merges = false});
  query::Check(store.status());
  const double merged = argc > 5 ? std::atof(argv[5]) : 0;
  query::persons = query::MergedPersons(events, merged);
  query::Fill(**store, events);
  fmt::print("{} events, parallelism {}, {} ids merged into another person's\n", events,
             parallelism, query::persons->merged_ids());
  query::Measure(**store, parallelism, events, "ordered", "");
  query::Measure(**store, parallelism, events, "strict", R"(, "order": "strict")");
  query::Measure(**store, parallelism, events, "unordered", R"(, "order": "unordered")");
  query::Measure(**store, parallelism, events, "breakdown plan",
                 R"(, "breakdown": {"property": "properties.plan"})");
  query::Measure(**store, parallelism, events, "exclusion",
                 R"(, "exclusions": [{"event": "Searched", "from_step": 1, "to_step": 2}])");
  query::Measure(**store, parallelism, events, "filtered step", "",
                 R"([{"event": "Signed Up", "filters": [{"property": "properties.plan",
                      "operator": "equals", "value": "pro"}]}, {"event": "Product Viewed"},
                     {"event": "Added To Cart"}, {"event": "Order Completed"}])");
  return 0;
}
