#include "auth/secret_key_authenticator.h"

#include "auth/api_key_format.h"

namespace cdp {

Result<AuthenticatedSecretKey> SecretKeyAuthenticator::Authenticate(
    std::string_view secret_key) const {
  // One message for every refusal: a caller learns nothing about which keys exist.
  if (!LooksLikeSecretKey(secret_key)) return Status::Unauthorized("invalid secret key");
  Result<ApiKey> key = store_.FindSecretKeyByHash(HashSecretKey(secret_key));
  if (!key.ok()) {
    if (key.status().code() == ErrorCode::kNotFound)
      return Status::Unauthorized("invalid secret key");
    return key.status();
  }
  if (key->revoked_at && *key->revoked_at <= clock_.Now()) {
    return Status::Unauthorized("invalid secret key");
  }
  return AuthenticatedSecretKey{key->workspace_id, key->id};
}

}  // namespace cdp
