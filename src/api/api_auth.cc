#include "api/api_auth.h"

#include "auth/credentials.h"

namespace cdp::api {

Result<std::string> AuthenticateApiRequest(http::Request& request,
                                           const SecretKeyAuthenticator& secret_keys) {
  const std::optional<std::string_view> token = BearerToken(request.Header("Authorization"));
  if (!token) {
    return Status::Unauthorized(
        "missing credentials: send a workspace secret key as 'Authorization: Bearer sk_...'");
  }
  CDP_ASSIGN_OR_RETURN(AuthenticatedSecretKey key, secret_keys.Authenticate(*token));
  const std::string_view named = request.Header("X-Workspace-Id");
  if (!named.empty() && named != key.workspace_id) {
    return Status::Forbidden("X-Workspace-Id names another workspace than the key's");
  }
  request.set_workspace_id(key.workspace_id);
  return std::move(key.workspace_id);
}

}  // namespace cdp::api
