#pragma once

#include <memory>

#include "core/config.h"
#include "core/result.h"
#include "http/metrics.h"
#include "http/pipeline.h"
#include "http/router.h"

namespace cdp {

// Everything the HTTP API runs on, opened from the configuration, and the
// router holding every route of it: the metadata stores (workspaces and keys,
// the query library, accounts, the audit log), ingestion, the event store,
// identity, the query service, access control, and the two CORS policies
// (ingestion's CDP_CORS_ORIGINS without credentials; the server API's
// CDP_CONSOLE_ORIGINS with them). `cdp serve` serves its pipeline; `cdp
// routes` lists its router: one route table, built by one function.
//
// Opening also deletes sessions that ended more than a day ago, and does so
// again every six hours while the stack is open (housekeeping).
// Thread safety: router() and pipeline() may be used from any thread.
class ApiStack {
 public:
  // Opens everything and builds the route table. Refuses a metadata database
  // that is not at this cdp's schema version (as the migrator says); every
  // error's message says which part failed ("cannot start ingestion: ...").
  // REQUIRES: `metrics` outlives this.
  static Result<std::unique_ptr<ApiStack>> Open(const Config& config,
                                                const http::HttpMetrics& metrics);
  ~ApiStack();
  ApiStack(const ApiStack&) = delete;
  ApiStack& operator=(const ApiStack&) = delete;

  const http::Router& router() const { return router_; }
  const http::RequestPipeline& pipeline() const { return *pipeline_; }

  // Shuts the services down in order once the HTTP server stopped taking
  // requests, while its connections still exist (queued appends are answered
  // on them): queries are cancelled or answered, the loaders make their last
  // loads, the event log closes. The server may then be destroyed, then this.
  void Close();

 private:
  struct Parts;  // the stores and services, in the .cc

  ApiStack();

  std::unique_ptr<Parts> parts_;
  http::Router router_;
  std::unique_ptr<http::RequestPipeline> pipeline_;
};

}  // namespace cdp
