#include "meta/audit_log.h"

namespace cdp {

std::string_view AuditActorKindName(AuditActorKind kind) {
  switch (kind) {
    case AuditActorKind::kUser:
      return "user";
    case AuditActorKind::kApiKey:
      return "api_key";
    case AuditActorKind::kCli:
      return "cli";
  }
  return "cli";
}

std::optional<AuditActorKind> ParseAuditActorKind(std::string_view name) {
  for (AuditActorKind kind :
       {AuditActorKind::kUser, AuditActorKind::kApiKey, AuditActorKind::kCli}) {
    if (AuditActorKindName(kind) == name) return kind;
  }
  return std::nullopt;
}

}  // namespace cdp
