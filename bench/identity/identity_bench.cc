// The cdp side of `make bench-identity` (bench/identity/run), in subcommands:
//   apply --input F --workspace W --db D [--batch N] [--links-only]
//       creates the metadata database D (migrated, with workspace W) and
//       sends every event of the `cdp gen` NDJSON F (or only its identify and
//       alias events) through the identity service in batches of N, as the
//       identity loader would; times only the service (parsing is outside
//       the clock) and prints key-value lines
//   lookups --db D --workspace W --count N [--seed S]
//       N profile lookups (GetProfile, cache off) of ids drawn at random from
//       every id of the database, against the same ids' one-row lookup
//       (IdentityStore::PersonOf) as the baseline; prints percentiles

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "bench_queries.h"
#include "core/clock.h"
#include "event_source.h"
#include "identity/identity_service.h"
#include "meta/meta_store.h"
#include "meta/sqlite/sqlite_identity_store.h"
#include "meta/sqlite/sqlite_meta_store.h"
#include "meta/sqlite/sqlite_migrator.h"

namespace cdp::bench {
namespace {

struct ApplyOptions {
  std::string input;
  std::string workspace;
  std::string db;
  size_t batch = 50'000;  // the identity loader's max_batch_events
  bool links_only = false;
};

Status CreateDatabase(const std::string& path, const std::string& workspace_id) {
  CDP_ASSIGN_OR_RETURN(std::unique_ptr<SchemaMigrator> migrator, OpenSqliteMigrator(path));
  CDP_RETURN_IF_ERROR(migrator->Up());
  CDP_ASSIGN_OR_RETURN(std::unique_ptr<SqliteMetaStore> meta, OpenSqliteMetaStore(path));
  return meta->CreateWorkspace(
      {.id = workspace_id, .name = "bench", .created_at = SystemClock().Now()});
}

bool IsLink(const Event& event) {
  if (event.type == EventType::kIdentify) {
    return !event.anonymous_id.empty() && !event.user_id.empty() &&
           event.anonymous_id != event.user_id;
  }
  return event.type == EventType::kAlias;
}

Status Apply(const ApplyOptions& options) {
  CDP_RETURN_IF_ERROR(CreateDatabase(options.db, options.workspace));
  CDP_ASSIGN_OR_RETURN(std::unique_ptr<SqliteIdentityStore> store,
                       OpenSqliteIdentityStore(options.db));
  const SystemClock clock;
  CDP_ASSIGN_OR_RETURN(std::unique_ptr<identity::IdentityService> service,
                       identity::IdentityService::Open(*store, clock, {}));
  CDP_ASSIGN_OR_RETURN(std::unique_ptr<NdjsonEventReader> reader,
                       NdjsonEventReader::Open(options.input, options.workspace));
  LoadClock load_clock;
  std::vector<Event> events;
  uint64_t total = 0;
  uint64_t links = 0;
  while (true) {
    CDP_RETURN_IF_ERROR(reader->Next(options.batch, events));
    if (events.empty()) break;
    if (options.links_only) std::erase_if(events, [](const Event& e) { return !IsLink(e); });
    links += static_cast<uint64_t>(std::count_if(events.begin(), events.end(), IsLink));
    total += events.size();
    load_clock.StartEngine();
    CDP_RETURN_IF_ERROR(service->ApplyEvents(events, {{0, total}}));
    load_clock.StopEngine();
  }
  const LoadReport report = load_clock.Finish(total);
  uint64_t profiles = 0;
  CDP_RETURN_IF_ERROR(service->ScanProfiles(options.workspace, [&](const Profile&) {
    ++profiles;
    return true;
  }));
  std::cout << "events " << total << "\nlinks " << links << "\napply_seconds " << report.seconds
            << "\napply_cpu_seconds " << report.cpu_seconds << "\nprofiles " << profiles
            << "\nmerged_ids " << service->Snapshot(options.workspace)->merged_ids() << "\n";
  return Status::Ok();
}

struct LookupOptions {
  std::string db;
  std::string workspace;
  size_t count = 100'000;
  uint64_t seed = 42;
};

// Every id of the workspace's profiles.
Result<std::vector<std::string>> AllIds(identity::IdentityService& service,
                                        const std::string& workspace) {
  std::vector<std::string> ids;
  CDP_RETURN_IF_ERROR(service.ScanProfiles(workspace, [&](const Profile& profile) {
    ids.insert(ids.end(), profile.user_ids.begin(), profile.user_ids.end());
    ids.insert(ids.end(), profile.anonymous_ids.begin(), profile.anonymous_ids.end());
    return true;
  }));
  return ids;
}

// Microseconds of each call of `lookup` over `ids`, sorted.
template <typename Lookup>
Result<std::vector<double>> TimeLookups(const std::vector<std::string>& ids, Lookup&& lookup) {
  std::vector<double> micros;
  micros.reserve(ids.size());
  for (const std::string& id : ids) {
    const auto start = std::chrono::steady_clock::now();
    CDP_RETURN_IF_ERROR(lookup(id));
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(micros.begin(), micros.end());
  return micros;
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t index = std::min(sorted.size() - 1, static_cast<size_t>(p * sorted.size()));
  return sorted[index];
}

void PrintPercentiles(std::string_view name, const std::vector<double>& sorted) {
  double sum = 0;
  for (const double v : sorted) sum += v;
  std::cout << name << "_p50_us " << Percentile(sorted, 0.50) << "\n"
            << name << "_p99_us " << Percentile(sorted, 0.99) << "\n"
            << name << "_mean_us " << (sorted.empty() ? 0 : sum / sorted.size()) << "\n";
}

Status Lookups(const LookupOptions& options) {
  CDP_ASSIGN_OR_RETURN(std::unique_ptr<SqliteIdentityStore> store,
                       OpenSqliteIdentityStore(options.db));
  const SystemClock clock;
  // No cache: every lookup reads the database, the case a cache miss pays.
  CDP_ASSIGN_OR_RETURN(std::unique_ptr<identity::IdentityService> service,
                       identity::IdentityService::Open(
                           *store, clock, {.profile_cache_ttl = std::chrono::seconds(0)}));
  CDP_ASSIGN_OR_RETURN(std::vector<std::string> all, AllIds(*service, options.workspace));
  if (all.empty()) return Status::BadRequest("the database has no ids");
  std::mt19937_64 random(options.seed);
  std::vector<std::string> ids;
  ids.reserve(options.count);
  for (size_t i = 0; i < options.count; ++i) ids.push_back(all[random() % all.size()]);
  CDP_ASSIGN_OR_RETURN(const std::vector<double> baseline,
                       TimeLookups(ids, [&](const std::string& id) -> Status {
                         return store->PersonOf(options.workspace, id).status();
                       }));
  CDP_ASSIGN_OR_RETURN(const std::vector<double> profile,
                       TimeLookups(ids, [&](const std::string& id) -> Status {
                         return service->GetProfile(options.workspace, id).status();
                       }));
  std::cout << "ids " << all.size() << "\nlookups " << ids.size() << "\n";
  PrintPercentiles("profile", profile);
  PrintPercentiles("person_of", baseline);
  return Status::Ok();
}

int Main(int argc, char** argv) {
  CLI::App app{"cdp_identity_bench: the identity side of make bench-identity"};
  app.require_subcommand(1);
  ApplyOptions apply;
  CLI::App* apply_command = app.add_subcommand("apply", "every event through the identity service");
  apply_command->add_option("--input", apply.input, "cdp gen NDJSON")->required();
  apply_command->add_option("--workspace", apply.workspace)->required();
  apply_command->add_option("--db", apply.db, "the metadata database to create")->required();
  apply_command->add_option("--batch", apply.batch, "events per ApplyEvents")
      ->check(CLI::Range(1, 1'000'000));
  apply_command->add_flag("--links-only", apply.links_only, "only identify and alias events");
  LookupOptions lookups;
  CLI::App* lookups_command = app.add_subcommand("lookups", "profile lookup latency");
  lookups_command->add_option("--db", lookups.db)->required();
  lookups_command->add_option("--workspace", lookups.workspace)->required();
  lookups_command->add_option("--count", lookups.count)->check(CLI::Range(1, 10'000'000));
  lookups_command->add_option("--seed", lookups.seed);
  CLI11_PARSE(app, argc, argv);

  const Status status = apply_command->parsed() ? Apply(apply) : Lookups(lookups);
  if (!status.ok()) {
    std::cerr << "cdp_identity_bench: " << status.message() << " " << status.cause() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace cdp::bench

int main(int argc, char** argv) { return cdp::bench::Main(argc, argv); }
