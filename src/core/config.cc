#include "core/config.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <thread>

#include "core/config_values.h"

extern char** environ;

namespace cdp {

namespace cv = config_values;

namespace {

Status ApplyDuration(std::string_view value, std::chrono::milliseconds& out,
                     std::chrono::milliseconds min) {
  CDP_ASSIGN_OR_RETURN(auto duration, cv::ParseDuration(value));
  if (duration < min) {
    return Status::BadRequest("must be at least " + std::to_string(min.count()) + "ms, got '" +
                              std::string(value) + "'");
  }
  out = duration;
  return Status::Ok();
}

// A duration in whole seconds from `min` to `max`: "90s", "15m", "12h", or
// days ("14d"), which ParseDuration does not know but session lifetimes are
// naturally counted in.
Status ApplySeconds(std::string_view value, std::chrono::seconds& out, std::chrono::seconds min,
                    std::chrono::seconds max) {
  const Status invalid = Status::BadRequest(
      "expected whole seconds from " + std::to_string(min.count()) + "s to " +
      std::to_string(max.count()) + "s with a unit such as 30s, 15m, 12h or 14d, got '" +
      std::string(value) + "'");
  std::chrono::milliseconds duration{0};
  if (value.size() > 1 && value.back() == 'd') {
    const Result<int64_t> days = cv::ParseInt(value.substr(0, value.size() - 1), 0, 100'000);
    if (!days.ok()) return invalid;
    duration = std::chrono::hours(24 * *days);
  } else {
    const Result<std::chrono::milliseconds> parsed = cv::ParseDuration(value);
    if (!parsed.ok()) return invalid;
    duration = *parsed;
  }
  if (duration.count() % 1000 != 0 || duration < min || duration > max) return invalid;
  out = std::chrono::duration_cast<std::chrono::seconds>(duration);
  return Status::Ok();
}

Status ApplySize(std::string_view value, uint64_t& out, uint64_t min) {
  CDP_ASSIGN_OR_RETURN(auto size, cv::ParseByteSize(value));
  if (size < min) {
    return Status::BadRequest("must be at least " + std::to_string(min) + " bytes, got '" +
                              std::string(value) + "'");
  }
  out = size;
  return Status::Ok();
}

bool IsIpAddress(const std::string& text) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

Status ValidateOrigin(const std::string& origin) {
  if (origin == "*") return Status::Ok();
  const bool has_scheme = origin.starts_with("http://") || origin.starts_with("https://");
  const size_t host_start = origin.find("://") + 3;
  if (!has_scheme || origin.size() == host_start ||
      origin.find('/', host_start) != std::string::npos) {
    return Status::BadRequest("expected '*' or origins such as https://app.example.com, got '" +
                              origin + "'");
  }
  return Status::Ok();
}

std::vector<ConfigOption> MakeOptions() {
  return {
      {"--data-dir", "CDP_DATA_DIR", "data", "Directory for all local state (SQLite, logs, parts).",
       [](std::string_view v, Config& c) {
         if (v.empty()) return Status::BadRequest("must not be empty");
         c.data_dir = std::string(v);
         return Status::Ok();
       }},
      {"--meta-db", "CDP_META_DB", "<data-dir>/meta.sqlite", "SQLite file of the metadata store.",
       [](std::string_view v, Config& c) {
         c.meta_db = std::string(v);
         return Status::Ok();
       }},
      {"--log-level", "CDP_LOG_LEVEL", "info", "debug, info, warn or error.",
       [](std::string_view v, Config& c) {
         if (v == "debug") {
           c.log_level = log::Level::kDebug;
         } else if (v == "info") {
           c.log_level = log::Level::kInfo;
         } else if (v == "warn") {
           c.log_level = log::Level::kWarn;
         } else if (v == "error") {
           c.log_level = log::Level::kError;
         } else {
           return Status::BadRequest("expected debug, info, warn or error, got '" + std::string(v) +
                                     "'");
         }
         return Status::Ok();
       }},
      {"--host", "CDP_HOST", "127.0.0.1",
       "Address to listen on (an IP address; 0.0.0.0 for every interface).",
       [](std::string_view v, Config& c) {
         std::string host(v == "localhost" ? "127.0.0.1" : v);
         if (!IsIpAddress(host)) {
           return Status::BadRequest("expected an IP address such as 127.0.0.1 or ::, got '" +
                                     std::string(v) + "'");
         }
         c.host = std::move(host);
         return Status::Ok();
       }},
      {"--port", "CDP_PORT", "8080", "TCP port of the HTTP API (0: any free port).",
       [](std::string_view v, Config& c) {
         CDP_ASSIGN_OR_RETURN(auto port, cv::ParseInt(v, 0, 65535));
         c.port = static_cast<uint16_t>(port);
         return Status::Ok();
       }},
      {"--http-threads", "CDP_HTTP_THREADS", "0",
       "Event-loop threads serving HTTP (0: one per core).",
       [](std::string_view v, Config& c) {
         CDP_ASSIGN_OR_RETURN(auto threads, cv::ParseInt(v, 0, 256));
         c.http_threads = static_cast<int>(threads);
         return Status::Ok();
       }},
      {"--max-body", "CDP_MAX_BODY", "1MiB",
       "Largest request body as sent (compressed or not); larger gets 413.",
       [](std::string_view v, Config& c) { return ApplySize(v, c.max_body_bytes, 1024); }},
      {"--max-inflated-body", "CDP_MAX_INFLATED_BODY", "8MiB",
       "Largest request body after gzip/deflate decoding; larger gets 413.",
       [](std::string_view v, Config& c) { return ApplySize(v, c.max_inflated_bytes, 1024); }},
      {"--header-timeout", "CDP_HEADER_TIMEOUT", "10s",
       "Time a client has to send request headers once it started; then 408.",
       [](std::string_view v, Config& c) {
         return ApplyDuration(v, c.header_timeout, std::chrono::milliseconds(10));
       }},
      {"--body-timeout", "CDP_BODY_TIMEOUT", "30s", "Time a client has to send the body; then 408.",
       [](std::string_view v, Config& c) {
         return ApplyDuration(v, c.body_timeout, std::chrono::milliseconds(10));
       }},
      {"--idle-timeout", "CDP_IDLE_TIMEOUT", "60s",
       "How long an idle keep-alive connection stays open.",
       [](std::string_view v, Config& c) {
         return ApplyDuration(v, c.idle_timeout, std::chrono::milliseconds(10));
       }},
      {"--shutdown-timeout", "CDP_SHUTDOWN_TIMEOUT", "30s",
       "On SIGTERM/SIGINT, how long in-flight requests may take to finish.",
       [](std::string_view v, Config& c) {
         return ApplyDuration(v, c.shutdown_timeout, std::chrono::milliseconds(0));
       }},
      {"--cors-origins", "CDP_CORS_ORIGINS", "*",
       "Comma-separated origins allowed to call the API from a browser ('*': any).",
       [](std::string_view v, Config& c) {
         auto origins = cv::SplitList(v);
         if (origins.empty()) return Status::BadRequest("expected '*' or a list of origins");
         for (const auto& origin : origins) CDP_RETURN_IF_ERROR(ValidateOrigin(origin));
         c.cors_origins = std::move(origins);
         return Status::Ok();
       }},
      {"--access-log", "CDP_ACCESS_LOG", "true", "Log one line per HTTP request.",
       [](std::string_view v, Config& c) {
         CDP_ASSIGN_OR_RETURN(c.access_log, cv::ParseBool(v));
         return Status::Ok();
       }},
      {"--metrics-token", "CDP_METRICS_TOKEN", "(none)",
       "Bearer token that GET /metrics requires; unset, /metrics answers 403.",
       [](std::string_view v, Config& c) {
         if (!v.empty() && v.size() < 16) {
           return Status::BadRequest("must be at least 16 characters long");
         }
         c.metrics_token = std::string(v);
         return Status::Ok();
       }},
  };
}

// Returns `value` if it is one of `words`, else what was expected.
Status ApplyWord(std::string_view value, std::initializer_list<std::string_view> words,
                 std::string& out) {
  for (std::string_view word : words) {
    if (value == word) {
      out = std::string(value);
      return Status::Ok();
    }
  }
  std::string expected;
  for (std::string_view word : words) {
    if (!expected.empty()) expected += ", ";
    expected += word;
  }
  return Status::BadRequest("expected one of " + expected + ", got '" + std::string(value) + "'");
}

// A file that must exist and be readable when given; empty means unset.
Status ApplyReadableFile(std::string_view value, std::string& out) {
  const std::string path(value);
  if (!path.empty() && access(path.c_str(), R_OK) != 0) {
    return Status::BadRequest("expected a readable file, got '" + path + "'");
  }
  out = path;
  return Status::Ok();
}

std::vector<ConfigOption> MakeIngestOptions() {
  return {
      {"--ingest-ack", "CDP_INGEST_ACK", "sync",
       "sync: answer 200 once events are fsynced to the event log; async: once queued (faster; "
       "a crash can lose acknowledged events).",
       [](std::string_view v, Config& c) {
         return ApplyWord(v, {"sync", "async"}, c.ingest_ack);
       }},
      {"--ingest-max-event", "CDP_INGEST_MAX_EVENT", "32KiB",
       "Largest event (its JSON text); a larger one is refused with 413.",
       [](std::string_view v, Config& c) { return ApplySize(v, c.ingest_max_event_bytes, 1024); }},
      {"--ingest-max-request", "CDP_INGEST_MAX_REQUEST", "500KiB",
       "Largest ingestion request body, after decompression; larger gets 413.",
       [](std::string_view v, Config& c) {
         return ApplySize(v, c.ingest_max_request_bytes, 1024);
       }},
      {"--ingest-max-batch", "CDP_INGEST_MAX_BATCH", "2500",
       "Most events in one batch request; more gets 413.",
       [](std::string_view v, Config& c) {
         CDP_ASSIGN_OR_RETURN(auto events, cv::ParseInt(v, 1, 1'000'000));
         c.ingest_max_batch_events = static_cast<int>(events);
         return Status::Ok();
       }},
      {"--ingest-late-after", "CDP_INGEST_LATE_AFTER", "24h",
       "Events sent longer than this after they happened get 422, except with a secret key.",
       [](std::string_view v, Config& c) {
         return ApplyDuration(v, c.ingest_late_after, std::chrono::minutes(1));
       }},
      {"--rate-limit-rps", "CDP_RATE_LIMIT_RPS", "100",
       "Ingestion requests per second a workspace may send (sliding window); then 429.",
       [](std::string_view v, Config& c) {
         CDP_ASSIGN_OR_RETURN(auto rps, cv::ParseInt(v, 1, 10'000'000));
         c.rate_limit_rps = static_cast<double>(rps);
         return Status::Ok();
       }},
      {"--rate-limit-burst", "CDP_RATE_LIMIT_BURST", "500",
       "Ingestion requests a workspace may send in any 5 seconds.",
       [](std::string_view v, Config& c) {
         CDP_ASSIGN_OR_RETURN(c.rate_limit_burst, cv::ParseInt(v, 1, 1'000'000'000));
         return Status::Ok();
       }},
      {"--rate-limit-events-per-day", "CDP_RATE_LIMIT_EVENTS_PER_DAY", "1000000",
       "Events a workspace may send per UTC day.",
       [](std::string_view v, Config& c) {
         CDP_ASSIGN_OR_RETURN(c.rate_limit_events_per_day,
                              cv::ParseInt(v, 1, 1'000'000'000'000'000));
         return Status::Ok();
       }},
      {"--trust-proxy", "CDP_TRUST_PROXY", "0",
       "Reverse proxies in front of cdp whose X-Forwarded-* entries are trusted (client IP, TLS, "
       "host).",
       [](std::string_view v, Config& c) {
         CDP_ASSIGN_OR_RETURN(auto hops, cv::ParseInt(v, 0, 16));
         c.trusted_proxies = static_cast<int>(hops);
         return Status::Ok();
       }},
      {"--write-key-cache-ttl", "CDP_WRITE_KEY_CACHE_TTL", "30s",
       "How long ingestion caches a write key's check; a revoked write key is refused within "
       "it (1s to 60s).",
       [](std::string_view v, Config& c) {
         return ApplySeconds(v, c.write_key_cache_ttl, std::chrono::seconds(1),
                             std::chrono::seconds(60));
       }},
      {"--ip-policy", "CDP_IP_POLICY", "keep",
       "What is stored of a client's IP: keep, truncate (IPv4 /24, IPv6 /48) or drop.",
       [](std::string_view v, Config& c) {
         return ApplyWord(v, {"keep", "truncate", "drop"}, c.ip_policy);
       }},
      {"--geoip-db", "CDP_GEOIP_DB", "(none)",
       "A MaxMind DB file (GeoLite2 City or Country) for geo enrichment; unset, Debian's "
       "geoip-database gives the country.",
       [](std::string_view v, Config& c) { return ApplyReadableFile(v, c.geoip_db); }},
      {"--ua-regexes", "CDP_UA_REGEXES", "(bundled uap-core)",
       "uap-core's regexes.yaml for browser, OS and device parsing.",
       [](std::string_view v, Config& c) { return ApplyReadableFile(v, c.ua_regexes); }},
      {"--log-partitions", "CDP_LOG_PARTITIONS", "4",
       "Partitions of a new local event log (an existing log keeps its count).",
       [](std::string_view v, Config& c) {
         CDP_ASSIGN_OR_RETURN(auto partitions, cv::ParseInt(v, 1, 256));
         c.log_partitions = static_cast<int>(partitions);
         return Status::Ok();
       }},
      {"--log-segment-size", "CDP_LOG_SEGMENT_SIZE", "64MiB",
       "Size at which the local event log starts a new segment file.",
       [](std::string_view v, Config& c) { return ApplySize(v, c.log_segment_bytes, 1 << 20); }},
  };
}

// A cache TTL in whole seconds, up to a week.
Status ApplyCacheTtl(std::string_view value, std::chrono::seconds& out) {
  CDP_ASSIGN_OR_RETURN(auto seconds, cv::ParseInt(value, 0, 7 * 24 * 3600));
  out = std::chrono::seconds(seconds);
  return Status::Ok();
}

std::vector<ConfigOption> MakeQueryOptions() {
  return {
      {"--cache-ttl-events-seconds", "CDP_CACHE_TTL_EVENTS_SECONDS", "60",
       "Seconds an explorer result stays cached (its staleness bound); 0: not cached.",
       [](std::string_view v, Config& c) { return ApplyCacheTtl(v, c.cache_ttl_events); }},
      {"--cache-ttl-trends-seconds", "CDP_CACHE_TTL_TRENDS_SECONDS", "60",
       "Seconds a trends result stays cached; 0: not cached.",
       [](std::string_view v, Config& c) { return ApplyCacheTtl(v, c.cache_ttl_trends); }},
      {"--cache-ttl-funnel-seconds", "CDP_CACHE_TTL_FUNNEL_SECONDS", "60",
       "Seconds a funnel result stays cached; 0: not cached.",
       [](std::string_view v, Config& c) { return ApplyCacheTtl(v, c.cache_ttl_funnel); }},
      {"--cache-ttl-retention-seconds", "CDP_CACHE_TTL_RETENTION_SECONDS", "60",
       "Seconds a retention result stays cached; 0: not cached.",
       [](std::string_view v, Config& c) { return ApplyCacheTtl(v, c.cache_ttl_retention); }},
      {"--cache-ttl-session-seconds", "CDP_CACHE_TTL_SESSION_SECONDS", "60",
       "Seconds a session result stays cached; 0: not cached.",
       [](std::string_view v, Config& c) { return ApplyCacheTtl(v, c.cache_ttl_session); }},
      {"--cache-ttl-paths-seconds", "CDP_CACHE_TTL_PATHS_SECONDS", "60",
       "Seconds a paths result stays cached; 0: not cached. (SQL results never are.)",
       [](std::string_view v, Config& c) { return ApplyCacheTtl(v, c.cache_ttl_paths); }},
      {"--cache-ttl-profiles-seconds", "CDP_CACHE_TTL_PROFILES_SECONDS", "30",
       "Seconds a profile lookup (GET /profiles/{id}) stays cached; 0: not cached.",
       [](std::string_view v, Config& c) { return ApplyCacheTtl(v, c.cache_ttl_profiles); }},
      {"--cache-max-bytes", "CDP_CACHE_MAX_BYTES", "64MiB",
       "Memory the in-process query result cache may hold; least recently used results go "
       "first.",
       [](std::string_view v, Config& c) { return ApplySize(v, c.cache_max_bytes, 0); }},
      {"--query-threads", "CDP_QUERY_THREADS", "0",
       "Queries running at once, synchronous and async (0: one per core).",
       [](std::string_view v, Config& c) {
         CDP_ASSIGN_OR_RETURN(auto threads, cv::ParseInt(v, 0, 256));
         c.query_threads = static_cast<int>(threads);
         return Status::Ok();
       }},
      {"--query-queue", "CDP_QUERY_QUEUE", "64",
       "Queries waiting for a query thread; beyond that a query gets 503 with Retry-After.",
       [](std::string_view v, Config& c) {
         CDP_ASSIGN_OR_RETURN(auto queued, cv::ParseInt(v, 0, 100'000));
         c.query_queue = static_cast<int>(queued);
         return Status::Ok();
       }},
      {"--query-job-ttl", "CDP_QUERY_JOB_TTL", "1h",
       "How long a finished async query (and its result) can be read.",
       [](std::string_view v, Config& c) {
         return ApplyDuration(v, c.query_job_ttl, std::chrono::seconds(1));
       }},
      {"--query-jobs-per-workspace", "CDP_QUERY_JOBS_PER_WORKSPACE", "100",
       "Async queries a workspace may have (finished ones included: the oldest finished "
       "makes room); when all are unfinished, 429.",
       [](std::string_view v, Config& c) {
         CDP_ASSIGN_OR_RETURN(auto jobs, cv::ParseInt(v, 1, 100'000));
         c.query_jobs_per_workspace = static_cast<int>(jobs);
         return Status::Ok();
       }},
  };
}

// Origins for credentialed CORS: like CDP_CORS_ORIGINS's list, but "*" is
// refused (a cookie must never be usable from any site) and an empty list
// is allowed (only this server's own origin).
Status ApplyConsoleOrigins(std::string_view value, std::vector<std::string>& out) {
  std::vector<std::string> origins = cv::SplitList(value);
  for (const std::string& origin : origins) {
    if (origin == "*") {
      return Status::BadRequest(
          "'*' is not allowed: credentials (the session cookie) may only be sent from listed "
          "origins such as https://console.example.com");
    }
    CDP_RETURN_IF_ERROR(ValidateOrigin(origin));
  }
  out = std::move(origins);
  return Status::Ok();
}

std::vector<ConfigOption> MakeAccessOptions() {
  return {
      {"--console-origins", "CDP_CONSOLE_ORIGINS", "(none)",
       "Comma-separated origins of a console served elsewhere that may call the server API with "
       "the session cookie ('*' refused); unset, only this server's own origin.",
       [](std::string_view v, Config& c) { return ApplyConsoleOrigins(v, c.console_origins); }},
      {"--session-ttl", "CDP_SESSION_TTL", "14d",
       "How long a session (console cookie or bearer token) lives from login.",
       [](std::string_view v, Config& c) {
         return ApplySeconds(v, c.session_ttl, std::chrono::seconds(1),
                             std::chrono::hours(24 * 365));
       }},
      {"--login-rate", "CDP_LOGIN_RATE", "10",
       "Login attempts per minute a client address may make (also its burst); then 429.",
       [](std::string_view v, Config& c) {
         CDP_ASSIGN_OR_RETURN(auto rate, cv::ParseInt(v, 1, 100'000));
         c.login_rate = static_cast<int>(rate);
         return Status::Ok();
       }},
      {"--login-lockout-after", "CDP_LOGIN_LOCKOUT_AFTER", "5",
       "Consecutive failed logins that lock an account for CDP_LOGIN_LOCKOUT.",
       [](std::string_view v, Config& c) {
         CDP_ASSIGN_OR_RETURN(auto failures, cv::ParseInt(v, 1, 1000));
         c.login_lockout_after = static_cast<int>(failures);
         return Status::Ok();
       }},
      {"--login-lockout", "CDP_LOGIN_LOCKOUT", "15m",
       "How long a locked account refuses logins (429), even with the right password.",
       [](std::string_view v, Config& c) {
         return ApplySeconds(v, c.login_lockout, std::chrono::seconds(1), std::chrono::hours(24));
       }},
      {"--password-cost", "CDP_PASSWORD_COST", "interactive",
       "argon2id cost of password hashes: interactive (64 MiB) or moderate (256 MiB, slower).",
       [](std::string_view v, Config& c) {
         return ApplyWord(v, {"interactive", "moderate"}, c.password_cost);
       }},
      {"--cookie-secure", "CDP_COOKIE_SECURE", "auto",
       "Mark the session cookie Secure: always, never, or auto (when X-Forwarded-Proto from a "
       "trusted proxy says https).",
       [](std::string_view v, Config& c) {
         return ApplyWord(v, {"auto", "always", "never"}, c.cookie_secure);
       }},
  };
}

std::vector<ConfigOption> MakeAllOptions() {
  std::vector<ConfigOption> options = MakeOptions();
  for (ConfigOption& option : MakeIngestOptions()) options.push_back(std::move(option));
  for (ConfigOption& option : MakeQueryOptions()) options.push_back(std::move(option));
  for (ConfigOption& option : MakeAccessOptions()) options.push_back(std::move(option));
  return options;
}

}  // namespace

std::string Config::MetaDbPath() const {
  return meta_db.empty() ? data_dir + "/meta.sqlite" : meta_db;
}

int Config::ResolvedHttpThreads() const {
  if (http_threads > 0) return http_threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

int Config::ResolvedQueryThreads() const {
  if (query_threads > 0) return query_threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

const std::vector<ConfigOption>& ConfigOptions() {
  static const std::vector<ConfigOption> options = MakeAllOptions();
  return options;
}

void ConfigLoader::Register(CLI::App& app) {
  for (const auto& option : ConfigOptions()) {
    const std::string description = std::string(option.description) + " [env " +
                                    std::string(option.env) + ", default " +
                                    std::string(option.default_value) + "]";
    auto given = std::make_unique<bool>(false);
    bool* given_ptr = given.get();
    std::string& value = flag_values_[option.env];
    app.add_option_function<std::string>(
           std::string(option.flag),
           [&value, given_ptr](const std::string& text) {
             value = text;
             *given_ptr = true;
           },
           description)
        ->type_name("VALUE");
    flag_given_[option.env] = given_ptr;
    given_storage_.push_back(std::move(given));
  }
}

Result<Config> ConfigLoader::Load(const Environment& env) const {
  Config config;
  for (const auto& option : ConfigOptions()) {
    std::string_view source;
    std::string_view value;
    const auto given = flag_given_.find(option.env);
    if (given != flag_given_.end() && *given->second) {
      source = option.flag;
      value = flag_values_.at(option.env);
    } else if (const auto it = env.find(std::string(option.env)); it != env.end()) {
      source = option.env;
      value = it->second;
    } else {
      continue;
    }
    Status status = option.apply(value, config);
    if (!status.ok()) {
      return Status::BadRequest("invalid " + std::string(source) + ": " + status.message(),
                                std::string(source));
    }
  }
  return config;
}

std::vector<std::string> ConfigLoader::UnknownVariables(const Environment& env) {
  std::vector<std::string> unknown;
  for (const auto& [name, value] : env) {
    if (!name.starts_with("CDP_")) continue;
    bool known = false;
    for (const auto& option : ConfigOptions()) known = known || option.env == name;
    if (!known) unknown.push_back(name);
  }
  return unknown;
}

ConfigLoader::Environment ConfigLoader::ProcessEnvironment() {
  Environment env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const size_t equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    env.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  return env;
}

}  // namespace cdp
