#include "app/api_router.h"

#include <chrono>
#include <string>
#include <utility>

#include "api/account_routes.h"
#include "api/api_key_routes.h"
#include "api/api_routes.h"
#include "api/audit_recorder.h"
#include "api/audit_routes.h"
#include "api/dashboard_routes.h"
#include "api/dlq_routes.h"
#include "api/ingest_routes.h"
#include "api/profile_routes.h"
#include "api/query_routes.h"
#include "api/saved_query_routes.h"
#include "api/schema_routes.h"
#include "api/system_routes.h"
#include "api/workspace_routes.h"
#include "app/identity_stack.h"
#include "app/ingest_stack.h"
#include "app/store_stack.h"
#include "auth/access_control.h"
#include "auth/account_service.h"
#include "auth/api_key_service.h"
#include "auth/member_service.h"
#include "auth/workspace_provisioner.h"
#include "core/log.h"
#include "core/periodic_task.h"
#include "meta/sqlite/sqlite_account_store.h"
#include "meta/sqlite/sqlite_audit_log.h"
#include "meta/sqlite/sqlite_meta_store.h"
#include "meta/sqlite/sqlite_migrator.h"
#include "meta/sqlite/sqlite_query_library.h"
#include "query/service/all_query_functions.h"
#include "query/service/in_process_query_cache.h"
#include "query/service/query_service.h"
#include "query/service/query_service_config.h"

namespace cdp {

namespace {

// Sessions that ended (expired or revoked) longer ago than this are deleted:
// a day of history keeps "why was I signed out" answerable.
constexpr auto kEndedSessionsKept = std::chrono::hours(24);
constexpr auto kSessionHousekeepingInterval = std::chrono::hours(6);

// `status` with its message prefixed by what failed.
Status Failed(std::string_view what, const Status& status) {
  Status out(status.code(), std::string(what) + ": " + status.message());
  if (!status.field().empty()) out.WithField(status.field());
  if (!status.cause().empty()) out.WithCause(status.cause());
  return out;
}

void DeleteEndedSessions(AccountStore& accounts, const Clock& clock) {
  const Result<int> deleted = accounts.DeleteSessionsEndedBefore(clock.Now() - kEndedSessionsKept);
  if (!deleted.ok()) {
    log::Warn("deleting ended sessions failed").Err(deleted.status());
  } else if (*deleted > 0) {
    log::Info("deleted ended sessions").Int("sessions", *deleted);
  }
}

api::CookieSecurity CookieSecurityFrom(const Config& config) {
  if (config.cookie_secure == "always") return api::CookieSecurity::kAlways;
  if (config.cookie_secure == "never") return api::CookieSecurity::kNever;
  return api::CookieSecurity::kAuto;
}

}  // namespace

// Declared in the order they are built: each part may use those above it,
// and they go in reverse.
struct ApiStack::Parts {
  const Clock& clock = SystemClock::Instance();
  std::unique_ptr<SqliteMetaStore> meta;
  std::unique_ptr<SqliteQueryLibrary> library;
  std::unique_ptr<SqliteAccountStore> accounts;
  std::unique_ptr<SqliteAuditLog> audit_log;
  std::unique_ptr<IngestStack> ingest;
  std::unique_ptr<StoreStack> store;
  std::unique_ptr<IdentityStack> identity;
  std::unique_ptr<query::InProcessQueryCache> query_cache;
  std::unique_ptr<query::QueryService> query_service;
  std::unique_ptr<AccessControl> access_control;
  std::unique_ptr<AccountService> account_service;
  std::unique_ptr<MemberService> members;
  std::unique_ptr<ApiKeyService> api_keys;
  std::unique_ptr<WorkspaceProvisioner> provisioner;
  std::unique_ptr<api::AuditRecorder> audit;
  std::unique_ptr<api::ApiRoutes> routes;
  std::unique_ptr<PeriodicTask> session_housekeeping;
  bool closed = false;
};

ApiStack::ApiStack() : parts_(std::make_unique<Parts>()) {}

ApiStack::~ApiStack() { Close(); }

Result<std::unique_ptr<ApiStack>> ApiStack::Open(const Config& config,
                                                 const http::HttpMetrics& metrics) {
  std::unique_ptr<ApiStack> stack(new ApiStack());
  Parts& parts = *stack->parts_;
  const std::string meta_path = config.MetaDbPath();
  {
    auto migrator = OpenSqliteMigrator(meta_path);
    if (!migrator.ok()) return Failed("cannot open the metadata database", migrator.status());
    if (Status current = (*migrator)->CheckCurrent(); !current.ok()) {
      return Failed("refusing to start", current);
    }
  }
  auto meta = OpenSqliteMetaStore(meta_path);
  if (!meta.ok()) return Failed("cannot open the metadata database", meta.status());
  parts.meta = std::move(meta).value();
  auto library = OpenSqliteQueryLibrary(meta_path);
  if (!library.ok()) return Failed("cannot open the metadata database", library.status());
  parts.library = std::move(library).value();
  auto accounts = OpenSqliteAccountStore(meta_path);
  if (!accounts.ok()) return Failed("cannot open the metadata database", accounts.status());
  parts.accounts = std::move(accounts).value();
  auto audit_log = OpenSqliteAuditLog(meta_path);
  if (!audit_log.ok()) return Failed("cannot open the metadata database", audit_log.status());
  parts.audit_log = std::move(audit_log).value();
  DeleteEndedSessions(*parts.accounts, parts.clock);

  auto ingest = IngestStack::Open(config, *parts.meta);
  if (!ingest.ok()) return Failed("cannot start ingestion", ingest.status());
  parts.ingest = std::move(ingest).value();
  auto store = StoreStack::Open(config, parts.ingest->log(), *parts.meta);
  if (!store.ok()) return Failed("cannot open the event store", store.status());
  parts.store = std::move(store).value();
  // After the store stack: both catch up with the log before serving.
  auto identity = IdentityStack::Open(config, parts.ingest->log());
  if (!identity.ok()) return Failed("cannot open the identity service", identity.status());
  parts.identity = std::move(identity).value();

  // The query service holds replies in its pool: Close stops it before the
  // server goes. Every query resolves persons through the identity service,
  // which therefore outlives it.
  parts.query_cache =
      std::make_unique<query::InProcessQueryCache>(config.cache_max_bytes, parts.clock);
  query::QueryServiceOptions query_options = query::QueryServiceOptionsFrom(config);
  query_options.persons = &parts.identity->service();
  parts.query_service = std::make_unique<query::QueryService>(
      parts.store->store(), query::AvailableQueryFunctions(), *parts.query_cache, parts.clock,
      std::move(query_options));

  parts.access_control = std::make_unique<AccessControl>(*parts.meta, *parts.accounts, parts.clock);
  parts.account_service =
      std::make_unique<AccountService>(*parts.accounts, parts.clock, AccountOptionsFrom(config));
  parts.members =
      std::make_unique<MemberService>(*parts.accounts, *parts.account_service, parts.clock);
  parts.api_keys = std::make_unique<ApiKeyService>(*parts.meta, parts.clock);
  parts.provisioner = std::make_unique<WorkspaceProvisioner>(*parts.meta, parts.clock);
  parts.audit =
      std::make_unique<api::AuditRecorder>(*parts.audit_log, parts.clock, config.trusted_proxies);
  parts.routes = std::make_unique<api::ApiRoutes>(
      stack->router_, *parts.access_control,
      api::ApiRoutes::Options{.console_origins = config.console_origins,
                              .trusted_proxies = config.trusted_proxies});

  // The route table: public and ingestion routes on the router itself,
  // everything else behind the access guard.
  http::Router& router = stack->router_;
  api::ApiRoutes& routes = *parts.routes;
  const api::AuditRecorder& audit = *parts.audit;
  query::QueryService& query_service = *parts.query_service;
  IngestStack& ingest_stack = *parts.ingest;
  SqliteMetaStore& meta_store = *parts.meta;
  api::AddSystemRoutes(
      router, metrics,
      {.readiness_checks = {{"meta", [&meta_store] { return meta_store.Ping(); }}},
       .metrics_token = config.metrics_token,
       .extra_metrics = {
           [&ingest_stack] { return api::IngestMetricsText(ingest_stack.service().counters()); },
           [&query_service] { return api::QueryMetricsText(query_service.counters()); }}});
  api::AddIngestRoutes(router, ingest_stack.service(), {.trusted_proxies = config.trusted_proxies});
  api::AddAccountRoutes(
      routes, *parts.account_service, *parts.accounts, parts.clock,
      {.cookie_security = CookieSecurityFrom(config), .trusted_proxies = config.trusted_proxies});
  api::AddWorkspaceRoutes(routes, audit, meta_store, *parts.accounts, *parts.provisioner,
                          *parts.members, parts.clock);
  api::AddApiKeyRoutes(routes, audit, *parts.api_keys);
  api::AddAuditRoutes(routes, *parts.audit_log);
  api::AddSchemaRoutes(routes, audit, ingest_stack.schema_registry(), ingest_stack.schema_gate());
  api::AddDeadLetterRoutes(routes, audit, ingest_stack.dead_letters(), ingest_stack.replayer());
  api::AddQueryRoutes(routes, query_service);
  api::AddSavedQueryRoutes(routes, audit, *parts.library, parts.clock);
  api::AddDashboardRoutes(routes, audit, *parts.library, query_service, parts.clock,
                          {.run_widgets = [&query_service](std::function<void()> work) {
                            return query_service.TrySubmit(std::move(work));
                          }});
  api::AddProfileRoutes(routes, audit, parts.identity->service(), query_service,
                        {.run_queries = [&query_service](std::function<void()> work) {
                          return query_service.TrySubmit(std::move(work));
                        }});

  stack->pipeline_ = std::make_unique<http::RequestPipeline>(
      router, http::CorsPolicy::Open(config.cors_origins),
      http::CorsPolicy::Credentialed(config.console_origins), config.max_inflated_bytes);

  AccountStore& account_store = *parts.accounts;
  const Clock& clock = parts.clock;
  parts.session_housekeeping = std::make_unique<PeriodicTask>(
      kSessionHousekeepingInterval,
      [&account_store, &clock] { DeleteEndedSessions(account_store, clock); });
  return stack;
}

void ApiStack::Close() {
  Parts& parts = *parts_;
  if (parts.closed) return;
  parts.closed = true;
  parts.session_housekeeping.reset();
  // Cancels running queries and answers queued ones before the store closes.
  if (parts.query_service) parts.query_service->Stop();
  // Both loaders' last loads read the log, so they stop before the log
  // closes; the identity service itself stays until the query service goes.
  if (parts.identity) parts.identity->Close();
  if (parts.store) parts.store->Close();
  // Appends still queued are made durable and answered while the server's
  // connections exist.
  if (parts.ingest) parts.ingest->Close();
}

}  // namespace cdp
