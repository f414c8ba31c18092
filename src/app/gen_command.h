#pragma once

#include <cstdint>
#include <string>

namespace CLI {
class App;
}

namespace cdp {

// The flags of `cdp gen`, as typed (see docs/gen.md).
struct GenCommandOptions {
  uint64_t seed = 42;
  uint64_t persons = 1000;
  int64_t days = 30;
  std::string start = "2026-10-01";  // YYYY-MM-DD (UTC midnight) or an ISO-8601 date-time
  std::string out;                   // NDJSON file; "-" or empty: stdout (unless posting)
  std::string post;                  // base URL of a cdp server
  std::string write_key;             // wk_... or sk_...
  size_t batch = 500;
  int concurrency = 4;
};

// Adds the `gen` subcommand and its flags to `app`; parsing fills `options`.
CLI::App* AddGenCommand(CLI::App& app, GenCommandOptions& options);

// `cdp gen`: generates the synthetic data and writes it as NDJSON, or posts it
// to a running cdp (and also writes it when --out is given). A progress line
// is drawn on stderr when it is a terminal; a summary line is always printed.
// Returns the exit code: 0, or 1 on a failure or when the server rejected
// any event (the first rejections are printed).
int RunGenCommand(const GenCommandOptions& options);

}  // namespace cdp
