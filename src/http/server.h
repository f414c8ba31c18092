#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "http/metrics.h"
#include "http/pipeline.h"

namespace cdp::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0: any free port; see HttpServer::port()
  int threads = 1;    // event loops, each on its own thread
  uint64_t max_body_bytes = 1 << 20;
  uint64_t max_header_bytes = 16 << 10;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{30'000};  // also bounds writing a response
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds shutdown_timeout{30'000};
  bool access_log = true;
  // Begin a graceful shutdown on SIGTERM or SIGINT; a second signal stops at once.
  bool handle_signals = false;
};

// The HTTP/1.1 server: keep-alive, one event loop per thread (connections
// are spread over the loops round-robin and stay on theirs), header / body /
// idle timeouts (408 when a started request stalls), body size limit (413),
// an access log line per request, metrics, graceful shutdown.
//
// Thread safety: Start once; Shutdown from any thread, any number of times;
// Wait from one thread. The pipeline and metrics must outlive the server.
class HttpServer {
 public:
  HttpServer(ServerOptions options, const RequestPipeline& pipeline, HttpMetrics& metrics);
  ~HttpServer();  // a running server is stopped at once
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the address and starts the loops. Unavailable when the address
  // cannot be bound (in use, not local, ...).
  Status Start();
  // The bound port. REQUIRES: Start() succeeded.
  uint16_t port() const;
  // Stops accepting, closes idle connections, lets in-flight requests finish
  // (their responses carry Connection: close), then stops; whatever is still
  // running after the shutdown timeout is cut off.
  void Shutdown();
  // Blocks until the server has stopped. Returns true when every connection
  // finished before the deadline.
  bool Wait();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cdp::http
