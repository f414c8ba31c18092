#pragma once

#include <memory>

#include "core/config.h"
#include "core/result.h"
#include "identity/identity_loader.h"
#include "identity/identity_service.h"
#include "log/event_log.h"
#include "meta/sqlite/sqlite_identity_store.h"

namespace cdp {

// Identity stitching in the embedded setup (docs/profiles.md): the identity
// store on the metadata database, the identity service rebuilt from its
// recorded links, and the identity loader that feeds it the event log as
// the log's second consumer ("identity", beside the event loader).
class IdentityStack {
 public:
  // Catches up with the log before returning, so that the first query after
  // a restart already sees every merge the log holds.
  // REQUIRES: `log` outlives this.
  static Result<std::unique_ptr<IdentityStack>> Open(const Config& config, EventLog& log);
  ~IdentityStack();

  // What the profile API reads and queries resolve persons with.
  identity::IdentityService& service() { return *service_; }

  // Stops the loader after a last catch-up with the log; the service still
  // answers. Call before the log closes. Destroy the stack only after what
  // reads the service (the query service, the HTTP routes) is gone.
  void Close();

 private:
  IdentityStack() = default;

  std::unique_ptr<SqliteIdentityStore> store_;
  std::unique_ptr<identity::IdentityService> service_;
  std::unique_ptr<identity::IdentityLoader> loader_;
};

}  // namespace cdp
