#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "meta/meta_store.h"

namespace cdp {

// A new workspace and its first keys, in clear. This is the only time the
// secret key exists outside its owner's hands: the store keeps its hash.
struct ProvisionedWorkspace {
  Workspace workspace;
  std::string write_key;
  std::string secret_key;
};

// Ok for 1 to 64 characters of ASCII letters, digits, space, '-', '_' and
// '.', not starting or ending with a space; otherwise BadRequest with field
// "name".
Status ValidateWorkspaceName(std::string_view name);

// Creates workspaces ready to use: the workspace, one write key and one
// secret key, stored atomically.
// Thread safety: safe to call concurrently (as the MetaStore is).
class WorkspaceProvisioner {
 public:
  // REQUIRES: `store` and `clock` outlive this.
  WorkspaceProvisioner(MetaStore& store, const Clock& clock) : store_(store), clock_(clock) {}

  // BadRequest (field "name") for an invalid name; Conflict (field "name")
  // when a workspace of that name exists; the store's errors otherwise.
  Result<ProvisionedWorkspace> Create(std::string_view name);

 private:
  MetaStore& store_;
  const Clock& clock_;
};

}  // namespace cdp
