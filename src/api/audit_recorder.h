#pragma once

#include <string>
#include <string_view>

#include "api/api_routes.h"
#include "core/clock.h"
#include "http/request.h"
#include "meta/audit_log.h"

namespace cdp::api {

// Records administrative actions done through the API in the audit log,
// with the caller, the client's address and the request id. Called after
// the action succeeded. A failure to record is logged (without secrets) and
// does not undo or fail the action, which already happened.
// Thread safety: as the log.
class AuditRecorder {
 public:
  // REQUIRES: `log` and `clock` outlive this. `trusted_proxies` as
  // ClientAddress takes it (CDP_TRUST_PROXY).
  AuditRecorder(AuditLog& log, const Clock& clock, int trusted_proxies)
      : log_(log), clock_(clock), trusted_proxies_(trusted_proxies) {}

  // `details`: a JSON object text ("{}" when nothing); never a secret.
  void Record(const http::Request& request, const Caller& caller, std::string_view action,
              std::string_view target_kind, std::string_view target_id,
              std::string details = "{}") const;
  // For user routes that act on a workspace (creating one).
  void Record(const http::Request& request, const Principal& principal,
              std::string_view workspace_id, std::string_view action, std::string_view target_kind,
              std::string_view target_id, std::string details = "{}") const;

 private:
  AuditLog& log_;
  const Clock& clock_;
  const int trusted_proxies_;
};

}  // namespace cdp::api
