// cdp_store_bench: the engine side of `make bench-store` (bench/store/run).
// Reads `cdp gen` NDJSON through ingestion's parser and, one step per
// subcommand so that the script times each on its own:
//
//   export-tsv   --input F --out F.tsv       the rows for ClickHouse; prints CREATE TABLE
//   sqlite-load  --input F DB                loads SQLite; prints the load figures
//   sqlite-index DB                          adds the (workspace_id, timestamp) index
//   sqlite-query DB --from-us A --to-us B    runs the two queries (bench_queries.h)
//   cdp-load     --input F DIR               the same through the EventStore interface
//   cdp-query    DIR --from-us A --to-us B
//   cdp-columns  DIR --events N              bytes per event of each column
//   freshness    --input F DIR               acknowledged → visible, through log and loader
//
// Figures are printed as "key value" lines on stdout; query results go to
// --results in FormatResults' form, which the script compares across engines.

#include <sqlite3.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

#include "bench_queries.h"
#include "clickhouse_tsv.h"
#include "columnar_engine.h"
#include "event_source.h"
#include "freshness.h"
#include "sqlite_engine.h"

namespace cdp::bench {
namespace {

// A UUIDv7, like the ids of real workspaces.
constexpr std::string_view kDefaultWorkspace = "0192f3a0-5c1e-7a2b-9d4e-3f6a8b1c2d3e";

struct CommonOptions {
  std::string input = "-";
  BenchQueries queries;
  int runs = 3;
  std::string results;
};

void AddInputOptions(CLI::App& command, CommonOptions& options) {
  command.add_option("--input", options.input, "cdp gen NDJSON ('-': stdin)")->required();
  command.add_option("--workspace", options.queries.workspace_id, "the events' workspace id");
}

void AddQueryOptions(CLI::App& command, CommonOptions& options) {
  BenchQueries& q = options.queries;
  command.add_option("--workspace", q.workspace_id, "the workspace both queries read");
  command.add_option("--event", q.event, "query b: the event name");
  command.add_option("--filter-column", q.filter_column, "query b: the string column to match");
  command.add_option("--filter-value", q.filter_value, "query b: its value");
  command.add_option("--sum-column", q.sum_column, "query b: the number column to sum");
  command.add_option("--from-us", q.from_micros, "query b: first microsecond (inclusive)")
      ->required();
  command.add_option("--to-us", q.to_micros, "query b: end (exclusive)")->required();
  command.add_option("--runs", options.runs, "runs of each query; the best counts")
      ->check(CLI::Range(1, 100));
  command.add_option("--results", options.results, "write the query results to this file");
}

Status WriteResults(const std::string& path, const CountByEvent& a, const FilteredSum& b) {
  if (path.empty()) return Status::Ok();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << FormatResults(a, b);
  out.close();
  if (!out) return Status::Internal("writing " + path);
  return Status::Ok();
}

void PrintTimings(const QueryTiming& a, const QueryTiming& b) {
  std::cout << FormatTiming("a", a) << "\n" << FormatTiming("b", b) << "\n";
}

Status ExportTsv(const CommonOptions& options, const std::string& out_path,
                 const std::string& table) {
  const auto start = std::chrono::steady_clock::now();
  CDP_ASSIGN_OR_RETURN(EventColumns columns,
                       DiscoverColumns(options.input, options.queries.workspace_id));
  CDP_ASSIGN_OR_RETURN(std::unique_ptr<NdjsonEventReader> reader,
                       NdjsonEventReader::Open(options.input, options.queries.workspace_id));
  std::FILE* out = std::fopen(out_path.c_str(), "wb");
  if (out == nullptr) return Status::Internal("creating " + out_path);
  ClickHouseTsvWriter writer(columns, out);
  std::vector<Event> events;
  Status status;
  while (status.ok()) {
    status = reader->Next(2500, events);
    if (!status.ok() || events.empty()) break;
    status = writer.Write(events);
  }
  if (status.ok()) status = writer.Flush();
  if (std::fclose(out) != 0 && status.ok()) status = Status::Internal("closing " + out_path);
  CDP_RETURN_IF_ERROR(status);
  std::cout << ClickHouseCreateTable(table, columns) << "\n";
  std::cerr << "export-tsv: " << reader->lines_read() << " events, "
            << kFixedColumnCount + columns.columns().size() << " columns in "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()
            << " s\n";
  return Status::Ok();
}

Status SqliteLoadCommand(const CommonOptions& options, const std::string& db,
                         const SqliteLoadOptions& load_options) {
  CDP_ASSIGN_OR_RETURN(EventColumns columns,
                       DiscoverColumns(options.input, options.queries.workspace_id));
  CDP_ASSIGN_OR_RETURN(std::unique_ptr<NdjsonEventReader> reader,
                       NdjsonEventReader::Open(options.input, options.queries.workspace_id));
  CDP_ASSIGN_OR_RETURN(const LoadReport report, SqliteLoad(db, *reader, columns, load_options));
  CDP_ASSIGN_OR_RETURN(const uint64_t bytes, SqliteBytes(db));
  std::cout << "events " << report.events << "\nload_seconds " << report.seconds
            << "\nload_cpu_seconds " << report.cpu_seconds << "\nbytes " << bytes
            << "\nsqlite_version " << sqlite3_libversion() << "\n";
  return Status::Ok();
}

Status SqliteIndexCommand(const std::string& db) {
  CDP_ASSIGN_OR_RETURN(const LoadReport report, SqliteCreateIndex(db));
  CDP_ASSIGN_OR_RETURN(const uint64_t bytes, SqliteBytes(db));
  std::cout << "index_seconds " << report.seconds << "\nindex_cpu_seconds " << report.cpu_seconds
            << "\nbytes " << bytes << "\n";
  return Status::Ok();
}

Status SqliteQueryCommand(const CommonOptions& options, const std::string& db, int cache_mib) {
  CDP_ASSIGN_OR_RETURN(const SqliteQueryReport report,
                       SqliteQuery(db, options.queries, options.runs, cache_mib));
  PrintTimings(report.a_timing, report.b_timing);
  std::cout << "plan_a " << report.a_plan << "\nplan_b " << report.b_plan << "\n";
  return WriteResults(options.results, report.a, report.b);
}

Result<std::unique_ptr<EventStore>> OpenStore(const std::string& dir) {
  return ColumnarStoreOpener()(dir);
}

void PrintStats(EventStore& store, std::string_view workspace_id) {
  const Result<StoreStats> stats = store.Stats(workspace_id);
  if (!stats.ok()) {
    std::cerr << "cdp_store_bench: Stats: " << stats.status().ToString() << "\n";
    return;
  }
  std::cout << "rows " << stats->rows << "\nbytes " << stats->bytes_on_disk << "\nparts "
            << stats->parts << "\npartitions " << stats->partitions << "\n";
}

Status CdpLoadCommand(const CommonOptions& options, const std::string& dir,
                      const StoreLoadOptions& load_options) {
  CDP_ASSIGN_OR_RETURN(std::unique_ptr<EventStore> store, OpenStore(dir));
  CDP_ASSIGN_OR_RETURN(std::unique_ptr<NdjsonEventReader> reader,
                       NdjsonEventReader::Open(options.input, options.queries.workspace_id));
  CDP_ASSIGN_OR_RETURN(const LoadReport report, StoreLoad(*store, *reader, load_options));
  std::cout << "events " << report.events << "\nload_seconds " << report.seconds
            << "\nload_cpu_seconds " << report.cpu_seconds << "\n";
  CDP_ASSIGN_OR_RETURN(const StoreStats loaded, store->Stats(options.queries.workspace_id));
  std::cout << "bytes_before_merges " << loaded.bytes_on_disk << "\nparts_before_merges "
            << loaded.parts << "\n";
  CDP_ASSIGN_OR_RETURN(const CompactReport compacted, CompactStore(*store));
  std::cout << "merges " << compacted.merges << "\nmerge_seconds " << compacted.seconds << "\n";
  PrintStats(*store, options.queries.workspace_id);
  return Status::Ok();
}

Status CdpQueryCommand(const CommonOptions& options, const std::string& dir, int threads) {
  CDP_ASSIGN_OR_RETURN(std::unique_ptr<EventStore> store, OpenStore(dir));
  CDP_ASSIGN_OR_RETURN(const StoreQueryReport report,
                       StoreQuery(*store, options.queries, options.runs, threads));
  PrintTimings(report.a_timing, report.b_timing);
  PrintStats(*store, options.queries.workspace_id);
  return WriteResults(options.results, report.a, report.b);
}

Status CdpColumnsCommand(const std::string& dir, uint64_t events) {
  CDP_ASSIGN_OR_RETURN(const auto columns, ColumnarBytesByColumn(dir));
  for (const auto& [name, bytes] : columns) {
    std::printf("%-40s %12llu B %8.2f B/event\n", name.c_str(),
                static_cast<unsigned long long>(bytes),
                events > 0 ? static_cast<double>(bytes) / static_cast<double>(events) : 0.0);
  }
  return Status::Ok();
}

Status FreshnessCommand(const CommonOptions& options, FreshnessOptions freshness) {
  CDP_ASSIGN_OR_RETURN(std::unique_ptr<NdjsonEventReader> reader,
                       NdjsonEventReader::Open(options.input, options.queries.workspace_id));
  CDP_ASSIGN_OR_RETURN(const FreshnessReport report, MeasureFreshness(*reader, freshness));
  std::cout << "events " << report.events << "\nbatches " << report.batches << "\np50_ms "
            << report.p50_ms << "\np99_ms " << report.p99_ms << "\nmax_ms " << report.max_ms
            << "\n";
  return Status::Ok();
}

int Main(int argc, char** argv) {
  CLI::App app{"cdp_store_bench: the engines of make bench-store"};
  app.require_subcommand(1);
  CommonOptions options;
  options.queries.workspace_id = kDefaultWorkspace;
  options.queries.event = "Feature Used";
  options.queries.filter_column = "properties.feature";
  options.queries.filter_value = "retention";
  options.queries.sum_column = "properties.duration_seconds";
  std::string path;
  std::string table = "events";
  SqliteLoadOptions sqlite_load;
  StoreLoadOptions store_load;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  CLI::App* export_tsv = app.add_subcommand("export-tsv", "TabSeparated rows for ClickHouse");
  AddInputOptions(*export_tsv, options);
  export_tsv->add_option("--out", path, "the TSV file to write")->required();
  export_tsv->add_option("--table", table, "the table's name in CREATE TABLE");

  CLI::App* sqlite_load_command = app.add_subcommand("sqlite-load", "load a new SQLite database");
  AddInputOptions(*sqlite_load_command, options);
  sqlite_load_command->add_option("db", path, "the database file (must not exist)")->required();
  sqlite_load_command->add_option("--transaction-rows", sqlite_load.transaction_rows,
                                  "rows per transaction");
  sqlite_load_command->add_option("--cache-mib", sqlite_load.cache_mib, "SQLite's page cache");

  CLI::App* sqlite_index = app.add_subcommand("sqlite-index", "index (workspace_id, timestamp)");
  sqlite_index->add_option("db", path, "the database file")->required();

  CLI::App* sqlite_query = app.add_subcommand("sqlite-query", "the two queries on SQLite");
  sqlite_query->add_option("db", path, "the database file")->required();
  sqlite_query->add_option("--cache-mib", sqlite_load.cache_mib, "SQLite's page cache");
  AddQueryOptions(*sqlite_query, options);

  CLI::App* cdp_load = app.add_subcommand("cdp-load", "load the event store through EventStore");
  AddInputOptions(*cdp_load, options);
  cdp_load->add_option("dir", path, "the store's directory")->required();
  cdp_load->add_option("--append-events", store_load.append_events, "events per Append");
  cdp_load->add_option("--flush-events", store_load.flush_events, "events between Flushes");

  CLI::App* cdp_query = app.add_subcommand("cdp-query", "the two queries through EventStore::Scan");
  cdp_query->add_option("dir", path, "the store's directory")->required();
  cdp_query->add_option("--threads", threads, "Scan parallelism")->check(CLI::Range(1, 256));
  AddQueryOptions(*cdp_query, options);

  uint64_t column_events = 0;
  CLI::App* cdp_columns = app.add_subcommand("cdp-columns", "bytes per event of each column");
  cdp_columns->add_option("dir", path, "the store's directory")->required();
  cdp_columns->add_option("--events", column_events, "events stored, to divide by")->required();

  FreshnessOptions freshness;
  CLI::App* freshness_command =
      app.add_subcommand("freshness", "acknowledged to visible, through the log and the loader");
  freshness_command->add_option("--input", options.input, "cdp gen NDJSON")->required();
  freshness_command->add_option("--workspace", options.queries.workspace_id, "workspace id");
  freshness_command->add_option("dir", freshness.dir, "a new directory")->required();
  freshness_command->add_option("--seconds", freshness.seconds, "how long to send");
  freshness_command->add_option("--rate", freshness.events_per_second, "events per second");
  freshness_command->add_option("--batch", freshness.batch_events, "events per append");

  CLI11_PARSE(app, argc, argv);
  std::ios::sync_with_stdio(false);

  Status status;
  if (*export_tsv) {
    status = ExportTsv(options, path, table);
  } else if (*sqlite_load_command) {
    status = SqliteLoadCommand(options, path, sqlite_load);
  } else if (*sqlite_index) {
    status = SqliteIndexCommand(path);
  } else if (*sqlite_query) {
    status = SqliteQueryCommand(options, path, sqlite_load.cache_mib);
  } else if (*cdp_load) {
    status = CdpLoadCommand(options, path, store_load);
  } else if (*cdp_query) {
    status = CdpQueryCommand(options, path, threads);
  } else if (*freshness_command) {
    status = FreshnessCommand(options, freshness);
  } else if (*cdp_columns) {
    status = CdpColumnsCommand(path, column_events);
  }
  if (!status.ok()) {
    std::cerr << "cdp_store_bench: " << status.ToString() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace cdp::bench

int main(int argc, char** argv) { return cdp::bench::Main(argc, argv); }
