#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/log.h"
#include "core/result.h"

namespace CLI {
class App;
}

namespace cdp {

// Everything cdp can be told at start-up. Each field is set by one
// ConfigOption (a flag and a CDP_* environment variable); a flag wins over
// the environment, the environment over the default.
struct Config {
  std::string data_dir = "data";
  std::string meta_db;  // empty: <data_dir>/meta.sqlite
  log::Level log_level = log::Level::kInfo;

  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port (the bound port is logged)
  int http_threads = 0;  // 0: one per core
  uint64_t max_body_bytes = 1 << 20;
  uint64_t max_inflated_bytes = 8 << 20;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds shutdown_timeout{30'000};
  std::vector<std::string> cors_origins{"*"};
  bool access_log = true;
  std::string metrics_token;  // empty: /metrics answers 403

  // Ingestion (see the ingest service). Values are checked here; the words
  // ("sync", "keep"...) are turned into the service's types at start-up.
  std::string ingest_ack = "sync";  // sync | async
  uint64_t ingest_max_event_bytes = 32 << 10;
  uint64_t ingest_max_request_bytes = 500 << 10;
  int ingest_max_batch_events = 2500;
  std::chrono::milliseconds ingest_late_after{24 * 3600 * 1000};
  double rate_limit_rps = 100;
  int64_t rate_limit_burst = 500;  // requests per 5 s
  int64_t rate_limit_events_per_day = 1'000'000;
  int trusted_proxies = 0;
  // How long ingestion trusts its cached answer about a write key: a revoked
  // write key is refused within this time (at most 60 s).
  std::chrono::seconds write_key_cache_ttl{30};
  std::string ip_policy = "keep";  // keep | truncate | drop
  std::string geoip_db;            // a MaxMind DB file; empty: Debian's country database
  std::string ua_regexes;          // uap-core's regexes.yaml; empty: the bundled copy
  int log_partitions = 4;
  uint64_t log_segment_bytes = 64 << 20;

  // The query service (src/query/service). Cached results of an analysis
  // live for its TTL, which bounds how stale an answer can be (0: no
  // caching); SQL is never cached.
  std::chrono::seconds cache_ttl_events{60};
  std::chrono::seconds cache_ttl_trends{60};
  std::chrono::seconds cache_ttl_funnel{60};
  std::chrono::seconds cache_ttl_retention{60};
  std::chrono::seconds cache_ttl_session{60};
  std::chrono::seconds cache_ttl_paths{60};
  // Profile lookups (GET /profiles/{id}) of the identity service.
  std::chrono::seconds cache_ttl_profiles{30};
  uint64_t cache_max_bytes = 64 << 20;
  int query_threads = 0;  // 0: one per core
  int query_queue = 64;   // queries waiting for a thread; more get 503
  std::chrono::milliseconds query_job_ttl{3600 * 1000};  // finished async queries kept
  int query_jobs_per_workspace = 100;

  // Accounts and access control (src/auth, src/api/account_routes.h).
  // Origins of a console served elsewhere that may call the server API with
  // credentials (the session cookie); empty: only this server's own origin.
  // Never "*": credentials for any origin would let every site act as the
  // signed-in user.
  std::vector<std::string> console_origins;
  // How long a session lives from login.
  std::chrono::seconds session_ttl{14 * 24 * 3600};
  // Login attempts per minute per client address.
  int login_rate = 10;
  // Consecutive failed logins that lock an account, and for how long.
  int login_lockout_after = 5;
  std::chrono::seconds login_lockout{15 * 60};
  std::string password_cost = "interactive";  // interactive | moderate
  // Whether the session cookie is marked Secure: always, never, or auto (when
  // the request arrived over TLS, as X-Forwarded-Proto from a trusted proxy
  // says).
  std::string cookie_secure = "auto";  // auto | always | never

  // The SQLite file of the metadata store.
  std::string MetaDbPath() const;
  // http_threads with 0 resolved to the number of cores.
  int ResolvedHttpThreads() const;
  // query_threads likewise.
  int ResolvedQueryThreads() const;
};

// One configuration variable.
struct ConfigOption {
  std::string_view flag;           // "--port"
  std::string_view env;            // "CDP_PORT"
  std::string_view default_value;  // as documented in the README
  std::string_view description;
  // Parses and validates `value` into `config`; the error message says what
  // was expected (the caller names the variable).
  std::function<Status(std::string_view value, Config& config)> apply;
};

// Every configuration variable, in the order the README lists them.
const std::vector<ConfigOption>& ConfigOptions();

// Collects configuration text from flags and the environment, then validates
// it into a Config.
//
//   ConfigLoader loader;
//   loader.Register(app);       // adds every flag to a CLI11 app
//   app.parse(argc, argv);
//   Result<Config> config = loader.Load(environment);
class ConfigLoader {
 public:
  using Environment = std::map<std::string, std::string>;

  // REQUIRES: called once, before app.parse(). The loader must outlive parse.
  void Register(CLI::App& app);
  // Applies flags (given on the command line), then CDP_* variables from `env`
  // for the rest. The first invalid value fails with BadRequest naming the
  // variable as it was given ("--port" or "CDP_PORT") in message and field.
  Result<Config> Load(const Environment& env) const;
  // CDP_* names in `env` that no option knows (likely typos).
  static std::vector<std::string> UnknownVariables(const Environment& env);
  // The process environment.
  static Environment ProcessEnvironment();

 private:
  std::map<std::string_view, std::string> flag_values_;  // by env name
  std::map<std::string_view, const bool*> flag_given_;
  std::vector<std::unique_ptr<bool>> given_storage_;
};

}  // namespace cdp
