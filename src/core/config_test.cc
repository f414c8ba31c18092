#include "core/config.h"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace cdp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Environment = ConfigLoader::Environment;

// Every field of a Config as text, to compare whole configurations.
std::string Describe(const Config& c) {
  std::ostringstream out;
  out << "data_dir=" << c.data_dir << " meta_db=" << c.meta_db
      << " log_level=" << static_cast<int>(c.log_level) << " host=" << c.host << " port=" << c.port
      << " http_threads=" << c.http_threads << " max_body_bytes=" << c.max_body_bytes
      << " max_inflated_bytes=" << c.max_inflated_bytes
      << " header_timeout=" << c.header_timeout.count()
      << " body_timeout=" << c.body_timeout.count() << " idle_timeout=" << c.idle_timeout.count()
      << " shutdown_timeout=" << c.shutdown_timeout.count() << " cors_origins=";
  for (const auto& origin : c.cors_origins) out << origin << ";";
  out << " access_log=" << c.access_log << " metrics_token=" << c.metrics_token;
  out << " ingest_ack=" << c.ingest_ack << " ingest_max_event_bytes=" << c.ingest_max_event_bytes
      << " ingest_max_request_bytes=" << c.ingest_max_request_bytes
      << " ingest_max_batch_events=" << c.ingest_max_batch_events
      << " ingest_late_after=" << c.ingest_late_after.count()
      << " rate_limit_rps=" << c.rate_limit_rps << " rate_limit_burst=" << c.rate_limit_burst
      << " rate_limit_events_per_day=" << c.rate_limit_events_per_day
      << " trusted_proxies=" << c.trusted_proxies << " ip_policy=" << c.ip_policy
      << " geoip_db=" << c.geoip_db << " ua_regexes=" << c.ua_regexes
      << " log_partitions=" << c.log_partitions << " log_segment_bytes=" << c.log_segment_bytes;
  out << " cache_ttl_events=" << c.cache_ttl_events.count()
      << " cache_ttl_trends=" << c.cache_ttl_trends.count()
      << " cache_ttl_funnel=" << c.cache_ttl_funnel.count()
      << " cache_ttl_retention=" << c.cache_ttl_retention.count()
      << " cache_ttl_session=" << c.cache_ttl_session.count()
      << " cache_ttl_paths=" << c.cache_ttl_paths.count()
      << " cache_max_bytes=" << c.cache_max_bytes << " query_threads=" << c.query_threads
      << " query_queue=" << c.query_queue << " query_job_ttl=" << c.query_job_ttl.count()
      << " query_jobs_per_workspace=" << c.query_jobs_per_workspace
      << " cache_ttl_profiles=" << c.cache_ttl_profiles.count();
  out << " console_origins=";
  for (const auto& origin : c.console_origins) out << origin << ";";
  out << " session_ttl=" << c.session_ttl.count() << " login_rate=" << c.login_rate
      << " login_lockout_after=" << c.login_lockout_after
      << " login_lockout=" << c.login_lockout.count() << " password_cost=" << c.password_cost
      << " cookie_secure=" << c.cookie_secure;
  return out.str();
}

// A CLI11 app with a ConfigLoader registered on it, as main() sets them up.
class ConfigTest : public ::testing::Test {
 protected:
  ConfigTest() { loader_.Register(app_); }

  // Parses `args` as the command line (without the program name).
  void ParseFlags(std::initializer_list<std::string> args) {
    std::vector<std::string> storage(args);
    std::vector<const char*> argv = {"cdp"};
    for (const auto& arg : storage) argv.push_back(arg.c_str());
    app_.parse(static_cast<int>(argv.size()), argv.data());
  }

  Result<Config> Load(const Environment& env = {}) { return loader_.Load(env); }

  Config LoadOk(const Environment& env = {}) {
    Result<Config> config = Load(env);
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    return config.ok() ? *config : Config{};
  }

  CLI::App app_{"cdp"};
  ConfigLoader loader_;
};

// An invalid value of `env` fails with BadRequest naming the variable.
void ExpectInvalidEnv(const std::string& env, const std::string& value) {
  CLI::App app;
  ConfigLoader loader;
  loader.Register(app);
  const char* argv[] = {"cdp"};
  app.parse(1, argv);
  const Result<Config> config = loader.Load({{env, value}});
  ASSERT_FALSE(config.ok()) << env << "='" << value << "' was accepted";
  EXPECT_EQ(config.status().code(), ErrorCode::kBadRequest);
  EXPECT_TRUE(config.status().message().starts_with("invalid " + env + ": "))
      << config.status().message();
  EXPECT_EQ(config.status().field(), env);
}

// The same through the flag: the error names the flag.
void ExpectInvalidFlag(const std::string& flag, const std::string& value) {
  CLI::App app;
  ConfigLoader loader;
  loader.Register(app);
  const std::string arg = flag + "=" + value;
  const char* argv[] = {"cdp", arg.c_str()};
  app.parse(2, argv);
  const Result<Config> config = loader.Load({});
  ASSERT_FALSE(config.ok()) << flag << "='" << value << "' was accepted";
  EXPECT_EQ(config.status().code(), ErrorCode::kBadRequest);
  EXPECT_TRUE(config.status().message().starts_with("invalid " + flag + ": "))
      << config.status().message();
  EXPECT_EQ(config.status().field(), flag);
}

Config LoadEnv(const Environment& env) {
  CLI::App app;
  ConfigLoader loader;
  loader.Register(app);
  const char* argv[] = {"cdp"};
  app.parse(1, argv);
  Result<Config> config = loader.Load(env);
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  return config.ok() ? *config : Config{};
}

TEST_F(ConfigTest, DefaultsWhenNothingIsGiven) {
  ParseFlags({});
  const Config config = LoadOk();
  EXPECT_EQ(config.port, 8080);
  EXPECT_EQ(config.host, "127.0.0.1");
  EXPECT_EQ(config.data_dir, "data");
  EXPECT_EQ(config.MetaDbPath(), "data/meta.sqlite");
  EXPECT_EQ(config.cors_origins, std::vector<std::string>{"*"});
  EXPECT_TRUE(config.access_log);
  EXPECT_EQ(config.log_level, log::Level::kInfo);
  EXPECT_EQ(config.http_threads, 0);
  EXPECT_EQ(config.max_body_bytes, 1u << 20);
  EXPECT_EQ(config.max_inflated_bytes, 8u << 20);
  EXPECT_EQ(config.header_timeout, seconds(10));
  EXPECT_EQ(config.body_timeout, seconds(30));
  EXPECT_EQ(config.idle_timeout, seconds(60));
  EXPECT_EQ(config.shutdown_timeout, seconds(30));
  EXPECT_EQ(config.metrics_token, "");
  EXPECT_EQ(Describe(config), Describe(Config{}));
}

TEST(ConfigOptionsTest, DocumentedDefaultsAreTheActualDefaults) {
  // Parsing each documented default gives the built-in default, so the
  // README and --help cannot promise one thing while cdp does another.
  for (const auto& option : ConfigOptions()) {
    // Defaults written as prose: "(none)", "<data-dir>/meta.sqlite"...
    if (option.env == "CDP_META_DB" || option.env == "CDP_METRICS_TOKEN" ||
        option.env == "CDP_GEOIP_DB" || option.env == "CDP_UA_REGEXES" ||
        option.env == "CDP_CONSOLE_ORIGINS") {
      continue;
    }
    SCOPED_TRACE(std::string(option.env));
    Config config;
    const Status status = option.apply(option.default_value, config);
    ASSERT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(Describe(config), Describe(Config{}));
  }
  Config config;
  EXPECT_EQ(config.MetaDbPath(), config.data_dir + "/meta.sqlite");
  EXPECT_EQ(config.metrics_token, "");
}

TEST(ConfigOptionsTest, EveryOptionIsWellFormed) {
  const auto& options = ConfigOptions();
  ASSERT_FALSE(options.empty());
  std::set<std::string_view> envs;
  std::set<std::string_view> flags;
  for (const auto& option : options) {
    SCOPED_TRACE(std::string(option.env));
    EXPECT_TRUE(option.flag.starts_with("--")) << option.flag;
    EXPECT_TRUE(option.env.starts_with("CDP_")) << option.env;
    EXPECT_FALSE(option.description.empty());
    EXPECT_FALSE(option.default_value.empty());
    EXPECT_TRUE(static_cast<bool>(option.apply));
    EXPECT_TRUE(envs.insert(option.env).second) << "duplicate env " << option.env;
    EXPECT_TRUE(flags.insert(option.flag).second) << "duplicate flag " << option.flag;
    // The env name is the flag in upper case: --max-body <-> CDP_MAX_BODY.
    std::string expected_env = "CDP_";
    for (char c : option.flag.substr(2)) {
      expected_env.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(c)));
    }
    EXPECT_EQ(option.env, expected_env);
  }
}

TEST_F(ConfigTest, HelpNamesEnvAndDefault) {
  const std::string help = app_.help();
  for (const auto& option : ConfigOptions()) {
    EXPECT_NE(help.find(std::string(option.flag)), std::string::npos) << option.flag;
    EXPECT_NE(help.find("[env " + std::string(option.env) + ", default " +
                        std::string(option.default_value) + "]"),
              std::string::npos)
        << option.env << "\n"
        << help;
  }
}

TEST_F(ConfigTest, EnvironmentValuesApplied) {
  ParseFlags({});
  const Config config = LoadOk({
      {"CDP_DATA_DIR", "/var/lib/cdp"},
      {"CDP_LOG_LEVEL", "debug"},
      {"CDP_HOST", "0.0.0.0"},
      {"CDP_PORT", "9090"},
      {"CDP_HTTP_THREADS", "4"},
      {"CDP_MAX_BODY", "2MiB"},
      {"CDP_MAX_INFLATED_BODY", "16MiB"},
      {"CDP_HEADER_TIMEOUT", "5s"},
      {"CDP_BODY_TIMEOUT", "1m"},
      {"CDP_IDLE_TIMEOUT", "250ms"},
      {"CDP_SHUTDOWN_TIMEOUT", "0s"},
      {"CDP_CORS_ORIGINS", "https://a.com, http://localhost:5173"},
      {"CDP_ACCESS_LOG", "off"},
      {"CDP_METRICS_TOKEN", "0123456789abcdef"},
      {"PATH", "/usr/bin"},
  });
  EXPECT_EQ(config.data_dir, "/var/lib/cdp");
  EXPECT_EQ(config.MetaDbPath(), "/var/lib/cdp/meta.sqlite");
  EXPECT_EQ(config.log_level, log::Level::kDebug);
  EXPECT_EQ(config.host, "0.0.0.0");
  EXPECT_EQ(config.port, 9090);
  EXPECT_EQ(config.http_threads, 4);
  EXPECT_EQ(config.ResolvedHttpThreads(), 4);
  EXPECT_EQ(config.max_body_bytes, 2u << 20);
  EXPECT_EQ(config.max_inflated_bytes, 16u << 20);
  EXPECT_EQ(config.header_timeout, seconds(5));
  EXPECT_EQ(config.body_timeout, seconds(60));
  EXPECT_EQ(config.idle_timeout, milliseconds(250));
  EXPECT_EQ(config.shutdown_timeout, milliseconds(0));
  EXPECT_EQ(config.cors_origins,
            (std::vector<std::string>{"https://a.com", "http://localhost:5173"}));
  EXPECT_FALSE(config.access_log);
  EXPECT_EQ(config.metrics_token, "0123456789abcdef");
}

TEST_F(ConfigTest, ExplicitMetaDb) {
  ParseFlags({});
  const Config config = LoadOk({{"CDP_DATA_DIR", "/d"}, {"CDP_META_DB", "/m/meta.db"}});
  EXPECT_EQ(config.MetaDbPath(), "/m/meta.db");
}

TEST_F(ConfigTest, FlagsApplied) {
  ParseFlags({"--port", "9000", "--host=::1", "--log-level", "warn", "--access-log=false"});
  const Config config = LoadOk();
  EXPECT_EQ(config.port, 9000);
  EXPECT_EQ(config.host, "::1");
  EXPECT_EQ(config.log_level, log::Level::kWarn);
  EXPECT_FALSE(config.access_log);
}

TEST_F(ConfigTest, FlagWinsOverEnvironment) {
  ParseFlags({"--port", "9000"});
  const Config config = LoadOk({{"CDP_PORT", "9090"}, {"CDP_HOST", "0.0.0.0"}});
  EXPECT_EQ(config.port, 9000);
  // The environment still sets what no flag gave.
  EXPECT_EQ(config.host, "0.0.0.0");
}

TEST_F(ConfigTest, FlagWinsOverInvalidEnvironment) {
  // The environment value is never looked at when a flag gives the option.
  ParseFlags({"--port=9000"});
  EXPECT_EQ(LoadOk({{"CDP_PORT", "abc"}}).port, 9000);
}

TEST_F(ConfigTest, InvalidFlagNamedEvenWithValidEnvironment) {
  ParseFlags({"--port", "abc"});
  const Result<Config> config = Load({{"CDP_PORT", "9090"}});
  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(config.status().message().starts_with("invalid --port: "))
      << config.status().message();
  EXPECT_EQ(config.status().field(), "--port");
}

TEST_F(ConfigTest, ZeroPortMeansAnyFreePort) {
  ParseFlags({"--port", "0"});
  EXPECT_EQ(LoadOk().port, 0);
}

TEST(ConfigValidationTest, InvalidPort) {
  ExpectInvalidEnv("CDP_PORT", "abc");
  ExpectInvalidEnv("CDP_PORT", "70000");
  ExpectInvalidEnv("CDP_PORT", "65536");
  ExpectInvalidEnv("CDP_PORT", "-1");
  ExpectInvalidEnv("CDP_PORT", "");
  ExpectInvalidFlag("--port", "abc");
  ExpectInvalidFlag("--port", "70000");
  EXPECT_EQ(LoadEnv({{"CDP_PORT", "65535"}}).port, 65535);
}

TEST(ConfigValidationTest, PortErrorSaysWhatWasExpected) {
  CLI::App app;
  ConfigLoader loader;
  loader.Register(app);
  const Result<Config> config = loader.Load({{"CDP_PORT", "70000"}});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "invalid CDP_PORT: expected an integer from 0 to 65535, got '70000'");
}

TEST(ConfigValidationTest, InvalidHttpThreads) {
  ExpectInvalidEnv("CDP_HTTP_THREADS", "-1");
  ExpectInvalidEnv("CDP_HTTP_THREADS", "many");
  ExpectInvalidEnv("CDP_HTTP_THREADS", "257");
  ExpectInvalidFlag("--http-threads", "-1");
  const Config config = LoadEnv({{"CDP_HTTP_THREADS", "0"}});
  EXPECT_EQ(config.http_threads, 0);
  EXPECT_GE(config.ResolvedHttpThreads(), 1);
}

TEST(ConfigValidationTest, Host) {
  ExpectInvalidEnv("CDP_HOST", "not-an-ip");
  ExpectInvalidEnv("CDP_HOST", "example.com");
  ExpectInvalidEnv("CDP_HOST", "256.1.1.1");
  ExpectInvalidEnv("CDP_HOST", "");
  ExpectInvalidFlag("--host", "not-an-ip");
  EXPECT_EQ(LoadEnv({{"CDP_HOST", "localhost"}}).host, "127.0.0.1");
  EXPECT_EQ(LoadEnv({{"CDP_HOST", "0.0.0.0"}}).host, "0.0.0.0");
  EXPECT_EQ(LoadEnv({{"CDP_HOST", "::"}}).host, "::");
  EXPECT_EQ(LoadEnv({{"CDP_HOST", "fe80::1"}}).host, "fe80::1");
}

TEST(ConfigValidationTest, Durations) {
  for (const char* env :
       {"CDP_HEADER_TIMEOUT", "CDP_BODY_TIMEOUT", "CDP_IDLE_TIMEOUT", "CDP_SHUTDOWN_TIMEOUT"}) {
    SCOPED_TRACE(env);
    ExpectInvalidEnv(env, "30");  // no unit
    ExpectInvalidEnv(env, "10x");
    ExpectInvalidEnv(env, "-1s");
  }
  ExpectInvalidFlag("--idle-timeout", "30");
}

TEST(ConfigValidationTest, TimeoutBelowMinimum) {
  ExpectInvalidEnv("CDP_HEADER_TIMEOUT", "5ms");
  ExpectInvalidEnv("CDP_BODY_TIMEOUT", "0s");
  ExpectInvalidEnv("CDP_IDLE_TIMEOUT", "9ms");
  ExpectInvalidFlag("--header-timeout", "0ms");
  EXPECT_EQ(LoadEnv({{"CDP_HEADER_TIMEOUT", "10ms"}}).header_timeout, milliseconds(10));
  // Shutdown may be immediate.
  EXPECT_EQ(LoadEnv({{"CDP_SHUTDOWN_TIMEOUT", "0s"}}).shutdown_timeout, milliseconds(0));
}

TEST(ConfigValidationTest, BodySizes) {
  ExpectInvalidEnv("CDP_MAX_BODY", "1.5MB");
  ExpectInvalidEnv("CDP_MAX_BODY", "10TB");
  ExpectInvalidEnv("CDP_MAX_BODY", "512");  // below the 1 KiB minimum
  ExpectInvalidEnv("CDP_MAX_INFLATED_BODY", "1.5MiB");
  ExpectInvalidFlag("--max-body", "1.5MB");
  EXPECT_EQ(LoadEnv({{"CDP_MAX_BODY", "1KiB"}}).max_body_bytes, 1024u);
  EXPECT_EQ(LoadEnv({{"CDP_MAX_BODY", "500KB"}}).max_body_bytes, 500u * 1024);
}

TEST(ConfigValidationTest, CorsOrigins) {
  ExpectInvalidEnv("CDP_CORS_ORIGINS", "example.com");
  ExpectInvalidEnv("CDP_CORS_ORIGINS", "https://a.com/path");
  ExpectInvalidEnv("CDP_CORS_ORIGINS", "https://a.com/");
  ExpectInvalidEnv("CDP_CORS_ORIGINS", "https://");
  ExpectInvalidEnv("CDP_CORS_ORIGINS", "ftp://a.com");
  ExpectInvalidEnv("CDP_CORS_ORIGINS", "https://a.com, example.com");
  ExpectInvalidEnv("CDP_CORS_ORIGINS", "");
  ExpectInvalidEnv("CDP_CORS_ORIGINS", " , ");
  ExpectInvalidFlag("--cors-origins", "example.com");
  EXPECT_EQ(LoadEnv({{"CDP_CORS_ORIGINS", "https://a.com, http://localhost:5173"}}).cors_origins,
            (std::vector<std::string>{"https://a.com", "http://localhost:5173"}));
  EXPECT_EQ(LoadEnv({{"CDP_CORS_ORIGINS", "*"}}).cors_origins, std::vector<std::string>{"*"});
}

TEST(ConfigValidationTest, LogLevel) {
  ExpectInvalidEnv("CDP_LOG_LEVEL", "verbose");
  ExpectInvalidEnv("CDP_LOG_LEVEL", "");
  ExpectInvalidFlag("--log-level", "verbose");
  EXPECT_EQ(LoadEnv({{"CDP_LOG_LEVEL", "debug"}}).log_level, log::Level::kDebug);
  EXPECT_EQ(LoadEnv({{"CDP_LOG_LEVEL", "info"}}).log_level, log::Level::kInfo);
  EXPECT_EQ(LoadEnv({{"CDP_LOG_LEVEL", "warn"}}).log_level, log::Level::kWarn);
  EXPECT_EQ(LoadEnv({{"CDP_LOG_LEVEL", "error"}}).log_level, log::Level::kError);
}

TEST(ConfigValidationTest, AccessLog) {
  ExpectInvalidEnv("CDP_ACCESS_LOG", "maybe");
  EXPECT_FALSE(LoadEnv({{"CDP_ACCESS_LOG", "0"}}).access_log);
  EXPECT_TRUE(LoadEnv({{"CDP_ACCESS_LOG", "YES"}}).access_log);
}

TEST(ConfigValidationTest, MetricsToken) {
  ExpectInvalidEnv("CDP_METRICS_TOKEN", "short");
  ExpectInvalidEnv("CDP_METRICS_TOKEN", "0123456789abcde");  // 15 characters
  ExpectInvalidFlag("--metrics-token", "short");
  EXPECT_EQ(LoadEnv({{"CDP_METRICS_TOKEN", "0123456789abcdef"}}).metrics_token, "0123456789abcdef");
  EXPECT_EQ(LoadEnv({{"CDP_METRICS_TOKEN", ""}}).metrics_token, "");
}

TEST(ConfigQueryTest, Defaults) {
  const Config config = LoadEnv({});
  for (const seconds ttl :
       {config.cache_ttl_events, config.cache_ttl_trends, config.cache_ttl_funnel,
        config.cache_ttl_retention, config.cache_ttl_session, config.cache_ttl_paths}) {
    EXPECT_EQ(ttl, seconds(60));
  }
  EXPECT_EQ(config.cache_max_bytes, 64u << 20);
  EXPECT_EQ(config.query_threads, 0);
  EXPECT_GE(config.ResolvedQueryThreads(), 1);
  EXPECT_EQ(config.query_queue, 64);
  EXPECT_EQ(config.query_job_ttl, seconds(3600));
  EXPECT_EQ(config.query_jobs_per_workspace, 100);
}

TEST(ConfigQueryTest, EnvironmentValuesApplied) {
  const Config config = LoadEnv({
      {"CDP_CACHE_TTL_EVENTS_SECONDS", "5"},
      {"CDP_CACHE_TTL_TRENDS_SECONDS", "120"},
      {"CDP_CACHE_TTL_FUNNEL_SECONDS", "0"},
      {"CDP_CACHE_TTL_RETENTION_SECONDS", "3600"},
      {"CDP_CACHE_TTL_SESSION_SECONDS", "1"},
      {"CDP_CACHE_TTL_PATHS_SECONDS", "604800"},
      {"CDP_CACHE_MAX_BYTES", "256MiB"},
      {"CDP_QUERY_THREADS", "3"},
      {"CDP_QUERY_QUEUE", "0"},
      {"CDP_QUERY_JOB_TTL", "10m"},
      {"CDP_QUERY_JOBS_PER_WORKSPACE", "7"},
  });
  EXPECT_EQ(config.cache_ttl_events, seconds(5));
  EXPECT_EQ(config.cache_ttl_trends, seconds(120));
  EXPECT_EQ(config.cache_ttl_funnel, seconds(0));
  EXPECT_EQ(config.cache_ttl_retention, seconds(3600));
  EXPECT_EQ(config.cache_ttl_session, seconds(1));
  EXPECT_EQ(config.cache_ttl_paths, seconds(604800));
  EXPECT_EQ(config.cache_max_bytes, 256u << 20);
  EXPECT_EQ(config.query_threads, 3);
  EXPECT_EQ(config.ResolvedQueryThreads(), 3);
  EXPECT_EQ(config.query_queue, 0);
  EXPECT_EQ(config.query_job_ttl, seconds(600));
  EXPECT_EQ(config.query_jobs_per_workspace, 7);
}

TEST(ConfigQueryTest, InvalidValues) {
  ExpectInvalidEnv("CDP_CACHE_TTL_FUNNEL_SECONDS", "-1");
  ExpectInvalidEnv("CDP_CACHE_TTL_FUNNEL_SECONDS", "60s");  // whole seconds, no unit
  ExpectInvalidEnv("CDP_CACHE_TTL_TRENDS_SECONDS", "604801");
  ExpectInvalidEnv("CDP_CACHE_MAX_BYTES", "lots");
  ExpectInvalidEnv("CDP_QUERY_THREADS", "257");
  ExpectInvalidEnv("CDP_QUERY_QUEUE", "-1");
  ExpectInvalidEnv("CDP_QUERY_JOB_TTL", "500ms");
  ExpectInvalidEnv("CDP_QUERY_JOBS_PER_WORKSPACE", "0");
  ExpectInvalidFlag("--cache-ttl-session-seconds", "x");
}

TEST(ConfigAccessTest, Defaults) {
  const Config config = LoadEnv({});
  EXPECT_TRUE(config.console_origins.empty());
  EXPECT_EQ(config.session_ttl, seconds(14 * 24 * 3600));
  EXPECT_EQ(config.login_rate, 10);
  EXPECT_EQ(config.login_lockout_after, 5);
  EXPECT_EQ(config.login_lockout, seconds(15 * 60));
  EXPECT_EQ(config.password_cost, "interactive");
  EXPECT_EQ(config.cookie_secure, "auto");
}

TEST(ConfigAccessTest, EnvironmentValuesApplied) {
  const Config config = LoadEnv({
      {"CDP_CONSOLE_ORIGINS", "https://console.example.com, http://localhost:5173"},
      {"CDP_SESSION_TTL", "2s"},
      {"CDP_LOGIN_RATE", "3"},
      {"CDP_LOGIN_LOCKOUT_AFTER", "2"},
      {"CDP_LOGIN_LOCKOUT", "1m"},
      {"CDP_PASSWORD_COST", "moderate"},
      {"CDP_COOKIE_SECURE", "always"},
  });
  EXPECT_EQ(config.console_origins,
            (std::vector<std::string>{"https://console.example.com", "http://localhost:5173"}));
  EXPECT_EQ(config.session_ttl, seconds(2));
  EXPECT_EQ(config.login_rate, 3);
  EXPECT_EQ(config.login_lockout_after, 2);
  EXPECT_EQ(config.login_lockout, seconds(60));
  EXPECT_EQ(config.password_cost, "moderate");
  EXPECT_EQ(config.cookie_secure, "always");
}

TEST(ConfigAccessTest, ConsoleOrigins) {
  // Credentials for any origin would let every web site act as the user.
  ExpectInvalidEnv("CDP_CONSOLE_ORIGINS", "*");
  ExpectInvalidEnv("CDP_CONSOLE_ORIGINS", "https://a.com, *");
  ExpectInvalidFlag("--console-origins", "*");
  ExpectInvalidEnv("CDP_CONSOLE_ORIGINS", "a.com");
  ExpectInvalidEnv("CDP_CONSOLE_ORIGINS", "https://a.com/console");
  const Result<Config> star = [] {
    CLI::App app;
    ConfigLoader loader;
    loader.Register(app);
    return loader.Load({{"CDP_CONSOLE_ORIGINS", "*"}});
  }();
  ASSERT_FALSE(star.ok());
  EXPECT_NE(star.status().message().find("'*' is not allowed"), std::string::npos)
      << star.status().message();
  // Empty: only this server's own origin.
  EXPECT_TRUE(LoadEnv({{"CDP_CONSOLE_ORIGINS", ""}}).console_origins.empty());
  EXPECT_EQ(LoadEnv({{"CDP_CONSOLE_ORIGINS", "https://a.com"}}).console_origins,
            std::vector<std::string>{"https://a.com"});
}

TEST(ConfigAccessTest, Durations) {
  EXPECT_EQ(LoadEnv({{"CDP_SESSION_TTL", "14d"}}).session_ttl, seconds(14 * 24 * 3600));
  EXPECT_EQ(LoadEnv({{"CDP_SESSION_TTL", "12h"}}).session_ttl, seconds(12 * 3600));
  EXPECT_EQ(LoadEnv({{"CDP_SESSION_TTL", "365d"}}).session_ttl, seconds(365 * 24 * 3600));
  EXPECT_EQ(LoadEnv({{"CDP_LOGIN_LOCKOUT", "90s"}}).login_lockout, seconds(90));
  EXPECT_EQ(LoadEnv({{"CDP_LOGIN_LOCKOUT", "1d"}}).login_lockout, seconds(24 * 3600));
  for (const char* value : {"0s", "500ms", "1500ms", "366d", "14", "d", "-1d", "1w"}) {
    SCOPED_TRACE(value);
    ExpectInvalidEnv("CDP_SESSION_TTL", value);
  }
  ExpectInvalidEnv("CDP_LOGIN_LOCKOUT", "25h");
  ExpectInvalidEnv("CDP_LOGIN_LOCKOUT", "0s");
  ExpectInvalidFlag("--session-ttl", "0s");
}

TEST(ConfigAccessTest, InvalidValues) {
  ExpectInvalidEnv("CDP_LOGIN_RATE", "0");
  ExpectInvalidEnv("CDP_LOGIN_RATE", "100001");
  ExpectInvalidEnv("CDP_LOGIN_LOCKOUT_AFTER", "0");
  ExpectInvalidEnv("CDP_LOGIN_LOCKOUT_AFTER", "1001");
  ExpectInvalidEnv("CDP_PASSWORD_COST", "sensitive");
  ExpectInvalidEnv("CDP_COOKIE_SECURE", "yes");
  ExpectInvalidFlag("--cookie-secure", "true");
}

TEST(ConfigValidationTest, DataDir) {
  ExpectInvalidEnv("CDP_DATA_DIR", "");  // (CLI11 itself refuses an empty --data-dir=)
}

TEST(ConfigValidationTest, InvalidValueOfEveryOption) {
  // Every option rejects at least this junk, and names itself when it does.
  for (const auto& option : ConfigOptions()) {
    if (option.env == "CDP_META_DB" || option.env == "CDP_DATA_DIR") continue;  // any path
    SCOPED_TRACE(std::string(option.env));
    ExpectInvalidEnv(std::string(option.env), "??");
    ExpectInvalidFlag(std::string(option.flag), "??");
  }
}

TEST(ConfigLoaderTest, UnknownVariables) {
  const Environment env = {
      {"CDP_PROT", "8080"}, {"CDP_PORT", "8080"}, {"PATH", "/bin"}, {"CDPX", "1"}};
  EXPECT_EQ(ConfigLoader::UnknownVariables(env), std::vector<std::string>{"CDP_PROT"});
  EXPECT_TRUE(ConfigLoader::UnknownVariables({}).empty());
  Environment all;
  for (const auto& option : ConfigOptions()) all[std::string(option.env)] = "x";
  EXPECT_TRUE(ConfigLoader::UnknownVariables(all).empty());
}

TEST(ConfigLoaderTest, ProcessEnvironment) {
  ASSERT_EQ(setenv("CDP_CONFIG_TEST_VARIABLE", "a=b", 1), 0);
  const Environment env = ConfigLoader::ProcessEnvironment();
  unsetenv("CDP_CONFIG_TEST_VARIABLE");
  const auto it = env.find("CDP_CONFIG_TEST_VARIABLE");
  ASSERT_NE(it, env.end());
  EXPECT_EQ(it->second, "a=b");
}

// Where the README should be: the repository root, found from this source
// file or by walking up from the working directory.
std::filesystem::path FindReadme() {
  namespace fs = std::filesystem;
  const fs::path from_source =
      fs::path(__FILE__).parent_path().parent_path().parent_path() / "README.md";
  if (fs::exists(from_source)) return from_source;
  std::error_code error;
  for (fs::path dir = fs::current_path(error); !dir.empty(); dir = dir.parent_path()) {
    if (fs::exists(dir / "README.md") && fs::exists(dir / "src" / "core" / "config.h")) {
      return dir / "README.md";
    }
    if (dir == dir.parent_path()) break;
  }
  return {};
}

TEST(ConfigReadmeTest, DocumentsEveryOption) {
  const std::filesystem::path readme = FindReadme();
  if (readme.empty()) {
    FAIL() << "README.md does not exist yet: it must document every configuration option "
              "(looked next to "
           << std::filesystem::path(__FILE__).parent_path().parent_path().parent_path()
           << " and up from " << std::filesystem::current_path() << ")";
  }
  std::ifstream in(readme);
  ASSERT_TRUE(in) << "cannot read " << readme;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);

  for (const auto& option : ConfigOptions()) {
    SCOPED_TRACE(std::string(option.env));
    bool documented = false;
    for (const auto& line : lines) {
      if (line.find(option.env) == std::string::npos) continue;
      if (line.find(option.flag) != std::string::npos &&
          line.find(option.default_value) != std::string::npos) {
        documented = true;
        break;
      }
    }
    EXPECT_TRUE(documented) << readme << " has no line naming " << option.env << " together with "
                            << option.flag << " and its default " << option.default_value
                            << " (e.g. | `" << option.env << "` | `" << option.flag << "` | `"
                            << option.default_value << "` | ... |)";
  }
}

}  // namespace
}  // namespace cdp
