#include "app/serve_command.h"

#include <iostream>

#include "api/dashboard_routes.h"
#include "api/dlq_routes.h"
#include "api/ingest_routes.h"
#include "api/profile_routes.h"
#include "api/query_routes.h"
#include "api/saved_query_routes.h"
#include "api/schema_routes.h"
#include "api/system_routes.h"
#include "app/identity_stack.h"
#include "app/ingest_stack.h"
#include "app/store_stack.h"
#include "core/log.h"
#include "http/metrics.h"
#include "http/pipeline.h"
#include "http/router.h"
#include "http/server.h"
#include "meta/sqlite/sqlite_meta_store.h"
#include "meta/sqlite/sqlite_migrator.h"
#include "meta/sqlite/sqlite_query_library.h"
#include "query/service/all_query_functions.h"
#include "query/service/in_process_query_cache.h"
#include "query/service/query_service.h"
#include "query/service/query_service_config.h"

namespace cdp {

namespace {

// Refusals at start-up go to the log and, in plain words, to stderr: the
// person who typed `cdp serve` should not need to read JSON to learn why.
int Refuse(std::string_view what, const Status& status) {
  log::Error(what).Err(status);
  log::Flush();
  std::cerr << "cdp: " << what << ": " << status.message();
  if (!status.cause().empty()) std::cerr << " (" << status.cause() << ")";
  std::cerr << "\n";
  return 1;
}

http::ServerOptions ServerOptionsFrom(const Config& config) {
  http::ServerOptions options;
  options.host = config.host;
  options.port = config.port;
  options.threads = config.ResolvedHttpThreads();
  options.max_body_bytes = config.max_body_bytes;
  options.header_timeout = config.header_timeout;
  options.body_timeout = config.body_timeout;
  options.idle_timeout = config.idle_timeout;
  options.shutdown_timeout = config.shutdown_timeout;
  options.access_log = config.access_log;
  options.handle_signals = true;
  return options;
}

}  // namespace

int RunServeCommand(const Config& config) {
  const std::string meta_path = config.MetaDbPath();
  {
    auto migrator = OpenSqliteMigrator(meta_path);
    if (!migrator.ok()) return Refuse("cannot open the metadata database", migrator.status());
    if (Status current = (*migrator)->CheckCurrent(); !current.ok()) {
      return Refuse("refusing to start", current);
    }
  }
  auto meta = OpenSqliteMetaStore(meta_path);
  if (!meta.ok()) return Refuse("cannot open the metadata database", meta.status());
  SqliteMetaStore& meta_store = **meta;
  auto library = OpenSqliteQueryLibrary(meta_path);
  if (!library.ok()) return Refuse("cannot open the metadata database", library.status());
  auto ingest = IngestStack::Open(config, meta_store);
  if (!ingest.ok()) return Refuse("cannot start ingestion", ingest.status());
  auto store = StoreStack::Open(config, (*ingest)->log(), meta_store);
  if (!store.ok()) return Refuse("cannot open the event store", store.status());
  // After the store stack: both catch up with the log before serving.
  auto identity = IdentityStack::Open(config, (*ingest)->log());
  if (!identity.ok()) return Refuse("cannot open the identity service", identity.status());

  // The query service holds replies in its pool: it is built before the
  // router and stopped before the server goes. Every query resolves persons
  // through the identity service, which therefore outlives it.
  query::InProcessQueryCache query_cache(config.cache_max_bytes, SystemClock::Instance());
  query::QueryServiceOptions query_options = query::QueryServiceOptionsFrom(config);
  query_options.persons = &(*identity)->service();
  query::QueryService query_service((*store)->store(), query::AvailableQueryFunctions(),
                                    query_cache, SystemClock::Instance(), std::move(query_options));

  const http::ServerOptions options = ServerOptionsFrom(config);
  http::HttpMetrics metrics(options.threads);
  http::Router router;
  api::AddSystemRoutes(
      router, metrics,
      {.readiness_checks = {{"meta", [&meta_store] { return meta_store.Ping(); }}},
       .metrics_token = config.metrics_token,
       .extra_metrics = {
           [&ingest] { return api::IngestMetricsText((*ingest)->service().counters()); },
           [&query_service] { return api::QueryMetricsText(query_service.counters()); }}});
  api::AddIngestRoutes(router, (*ingest)->service(), {.trusted_proxies = config.trusted_proxies});
  api::AddSchemaRoutes(router, (*ingest)->schema_registry(), (*ingest)->schema_gate(),
                       (*ingest)->secret_keys());
  api::AddDeadLetterRoutes(router, (*ingest)->dead_letters(), (*ingest)->replayer(),
                           (*ingest)->secret_keys());
  api::AddQueryRoutes(router, query_service, (*ingest)->secret_keys());
  api::AddSavedQueryRoutes(router, **library, (*ingest)->secret_keys(), SystemClock::Instance());
  api::AddDashboardRoutes(router, **library, query_service, (*ingest)->secret_keys(),
                          SystemClock::Instance(),
                          {.run_widgets = [&query_service](std::function<void()> work) {
                            return query_service.TrySubmit(std::move(work));
                          }});
  api::AddProfileRoutes(router, (*identity)->service(), query_service, (*ingest)->secret_keys(),
                        {.run_queries = [&query_service](std::function<void()> work) {
                          return query_service.TrySubmit(std::move(work));
                        }});
  const http::RequestPipeline pipeline(router, http::CorsPolicy(config.cors_origins),
                                       config.max_inflated_bytes);
  http::HttpServer server(options, pipeline, metrics);
  if (Status started = server.Start(); !started.ok()) {
    return Refuse("cannot start the HTTP server", started);
  }
  const bool finished_in_time = server.Wait();
  // Cancels running queries and answers queued ones before the store closes.
  query_service.Stop();
  // Both loaders' last loads read the log, so they stop before the log
  // closes; the identity service itself stays until the query service goes.
  (*identity)->Close();
  (*store)->Close();
  // Appends still queued are made durable and answered while the server's
  // connections exist.
  (*ingest)->Close();
  log::Info("stopped").Bool("all_requests_finished", finished_in_time);
  return 0;
}

}  // namespace cdp
