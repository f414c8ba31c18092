#pragma once

#include <string>

#include "auth/secret_key_authenticator.h"
#include "core/result.h"
#include "http/request.h"

namespace cdp::api {

// Authenticates a request to the server API (everything but ingestion and
// the health checks): a workspace secret key as "Authorization: Bearer sk_...".
// An X-Workspace-Id header, when given, must name the key's workspace.
// Returns the workspace id and records it on the request for the access log.
// Unauthorized without a valid key; Forbidden for another workspace.
Result<std::string> AuthenticateApiRequest(http::Request& request,
                                           const SecretKeyAuthenticator& secret_keys);

}  // namespace cdp::api
