#include "app/serve_command.h"

#include <iostream>

#include "app/api_router.h"
#include "core/log.h"
#include "http/metrics.h"
#include "http/server.h"

namespace cdp {

namespace {

// Refusals at start-up go to the log and, in plain words, to stderr: the
// person who typed `cdp serve` should not need to read JSON to learn why.
int Refuse(const Status& status) {
  log::Error("cannot serve").Err(status);
  log::Flush();
  std::cerr << "cdp: " << status.message();
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
  const http::ServerOptions options = ServerOptionsFrom(config);
  http::HttpMetrics metrics(options.threads);
  auto stack = ApiStack::Open(config, metrics);
  if (!stack.ok()) return Refuse(stack.status());

  http::HttpServer server(options, (*stack)->pipeline(), metrics);
  if (Status started = server.Start(); !started.ok()) {
    Status failed(started.code(), "cannot start the HTTP server: " + started.message());
    if (!started.cause().empty()) failed.WithCause(started.cause());
    return Refuse(failed);
  }
  const bool finished_in_time = server.Wait();
  // The services stop while the server's connections still exist: queued
  // answers reach their clients.
  (*stack)->Close();
  log::Info("stopped").Bool("all_requests_finished", finished_in_time);
  return 0;
}

}  // namespace cdp
