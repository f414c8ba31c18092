#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "meta/meta_store.h"

namespace cdp {

// Who a secret key speaks for.
struct AuthenticatedSecretKey {
  std::string workspace_id;
  std::string key_id;
};

// Resolves secret keys (server-side API credentials) to their workspace.
// Unlike write keys, answers are not cached: a secret key grants reads and
// administration, so a revocation must take effect at once, and the lookup
// is one index probe by hash.
// Thread safety: as the MetaStore.
class SecretKeyAuthenticator {
 public:
  // REQUIRES: `store` and `clock` outlive this.
  SecretKeyAuthenticator(MetaStore& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Unauthorized when the key is malformed (without asking the store), unknown
  // or revoked (a revocation dated in the future is a grace period); the
  // store's error when it fails.
  Result<AuthenticatedSecretKey> Authenticate(std::string_view secret_key) const;

 private:
  MetaStore& store_;
  const Clock& clock_;
};

}  // namespace cdp
