// The cdp side of `make bench-query` (bench/query/run), in subcommands so the
// script times and checks each on its own:
//   run DIR --workspace W --kind K --request FILE --runs N --threads T --out F
//       runs the analysis N times on the columnar store in DIR; prints the
//       timing line ("<kind> runs best total cpu") and writes the result JSON;
//       with --identity-db D, persons are resolved through the identity
//       service opened on the metadata database D (bench/identity/run)
//   canonical --kind K --request FILE RESULT
//       prints the result in the text form the script also makes of
//       ClickHouse's answer (canonical_result.h), so the two can be diffed

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "bench_queries.h"
#include "canonical_result.h"
#include "columnar_engine.h"
#include "core/clock.h"
#include "identity/identity_service.h"
#include "meta/sqlite/sqlite_identity_store.h"
#include "query/service/all_query_functions.h"

namespace cdp::bench {
namespace {

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::BadRequest("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct RunOptions {
  std::string dir;
  std::string workspace;
  std::string kind;
  std::string request_file;
  std::string out;
  int runs = 3;
  int threads = 2;
  std::string identity_db;  // empty: no identity stitching
};

Status Run(const RunOptions& options) {
  const std::optional<query::QueryKind> kind = query::ParseQueryKind(options.kind);
  if (!kind) return Status::BadRequest("unknown kind " + options.kind);
  const auto functions = query::AvailableQueryFunctions();
  const auto function = functions.find(*kind);
  if (function == functions.end()) return Status::BadRequest("this build lacks " + options.kind);
  CDP_ASSIGN_OR_RETURN(const std::string request, ReadFile(options.request_file));
  CDP_ASSIGN_OR_RETURN(std::unique_ptr<EventStore> store, ColumnarStoreOpener()(options.dir));
  query::QueryContext context{.workspace_id = options.workspace,
                              .parallelism = options.threads,
                              .cancelled = nullptr,
                              .progress = nullptr};
  const SystemClock clock;
  std::unique_ptr<SqliteIdentityStore> identity_store;
  std::unique_ptr<identity::IdentityService> identity;
  if (!options.identity_db.empty()) {
    CDP_ASSIGN_OR_RETURN(identity_store, OpenSqliteIdentityStore(options.identity_db));
    CDP_ASSIGN_OR_RETURN(identity, identity::IdentityService::Open(*identity_store, clock, {}));
    context.persons = identity.get();
  }
  query::QueryOutput output;
  CDP_ASSIGN_OR_RETURN(const QueryTiming timing, TimeRuns(options.runs, [&]() -> Status {
                         CDP_ASSIGN_OR_RETURN(output, function->second(context, *store, request));
                         return Status::Ok();
                       }));
  std::ofstream(options.out, std::ios::binary) << output.json;
  std::cout << FormatTiming(options.kind, timing) << "\n";
  return Status::Ok();
}

int Main(int argc, char** argv) {
  CLI::App app{"cdp_query_bench: the analyses' side of make bench-query"};
  app.require_subcommand(1);
  RunOptions run;
  CLI::App* run_command = app.add_subcommand("run", "run an analysis on a loaded store");
  run_command->add_option("dir", run.dir, "the store's directory")->required();
  run_command->add_option("--workspace", run.workspace)->required();
  run_command->add_option("--kind", run.kind)->required();
  run_command->add_option("--request", run.request_file, "the request body (JSON)")->required();
  run_command->add_option("--out", run.out, "where the last run's result goes")->required();
  run_command->add_option("--runs", run.runs)->check(CLI::Range(1, 100));
  run_command->add_option("--threads", run.threads)->check(CLI::Range(1, 256));
  run_command->add_option("--identity-db", run.identity_db,
                          "resolve persons through the identity graph of this metadata database");

  std::string kind, request_file, result_file;
  CLI::App* canonical = app.add_subcommand("canonical", "a result in the compared text form");
  canonical->add_option("--kind", kind)->required();
  canonical->add_option("--request", request_file)->required();
  canonical->add_option("result", result_file)->required();
  CLI11_PARSE(app, argc, argv);

  Status status;
  if (run_command->parsed()) {
    status = Run(run);
  } else {
    Result<std::string> request = ReadFile(request_file);
    Result<std::string> result = request.ok() ? ReadFile(result_file) : request;
    Result<std::string> text = result.ok() ? CanonicalResult(kind, *request, *result)
                                           : Result<std::string>(result.status());
    if (text.ok()) std::cout << *text;
    status = text.status();
  }
  if (!status.ok()) {
    std::cerr << "cdp_query_bench: " << status.message() << " " << status.cause() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace cdp::bench

int main(int argc, char** argv) { return cdp::bench::Main(argc, argv); }
