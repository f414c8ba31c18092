#include "meta/meta_store.h"

namespace cdp {

std::optional<ApiKeyScope> ParseApiKeyScope(std::string_view name) {
  for (ApiKeyScope scope : {ApiKeyScope::kIngest, ApiKeyScope::kRead, ApiKeyScope::kAdmin}) {
    if (ApiKeyScopeName(scope) == name) return scope;
  }
  return std::nullopt;
}

}  // namespace cdp
