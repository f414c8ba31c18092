#include "auth/principal.h"

#include "auth/api_key_format.h"

namespace cdp {

AuditActor Principal::actor() const {
  if (is_user()) return AuditActor{AuditActorKind::kUser, user_id, email};
  return AuditActor{AuditActorKind::kApiKey, key_id, MaskedKey(key_display_prefix)};
}

std::string Principal::LogLabel() const { return is_user() ? "user:" + user_id : "key:" + key_id; }

}  // namespace cdp
