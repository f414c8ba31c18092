#include "api/audit_recorder.h"

#include "api/client_address.h"
#include "core/log.h"
#include "core/uuid.h"

namespace cdp::api {

void AuditRecorder::Record(const http::Request& request, const Caller& caller,
                           std::string_view action, std::string_view target_kind,
                           std::string_view target_id, std::string details) const {
  Record(request, caller.access.principal, caller.workspace_id(), action, target_kind, target_id,
         std::move(details));
}

void AuditRecorder::Record(const http::Request& request, const Principal& principal,
                           std::string_view workspace_id, std::string_view action,
                           std::string_view target_kind, std::string_view target_id,
                           std::string details) const {
  AuditEntry entry;
  entry.id = Uuid::NewV7(clock_).ToString();
  entry.workspace_id = std::string(workspace_id);
  entry.at = clock_.Now();
  entry.actor = principal.actor();
  entry.action = std::string(action);
  entry.target_kind = std::string(target_kind);
  entry.target_id = std::string(target_id);
  entry.details = std::move(details);
  entry.ip = ClientAddress(request, trusted_proxies_);
  entry.request_id = request.request_id();
  if (Status appended = log_.AppendAudit(entry); !appended.ok()) {
    // The action happened; losing its record is the operator's to know. The
    // line names the action, never its details or the caller's credential.
    log::Error("audit entry not recorded")
        .Str("workspace_id", entry.workspace_id)
        .Str("action", entry.action)
        .Str("target_kind", entry.target_kind)
        .Str("target_id", entry.target_id)
        .Str("actor", principal.LogLabel())
        .Str("request_id", entry.request_id)
        .Err(appended);
  }
}

}  // namespace cdp::api
