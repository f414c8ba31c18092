#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "meta/meta_store.h"

namespace cdp {

// A new workspace and its first keys, in clear. This is the only time the
// keys exist outside their owner's hands: the store keeps their hashes.
struct ProvisionedWorkspace {
  Workspace workspace;
  std::string write_key;
  std::string secret_key;
  // The stored records of the two keys (for the audit log and listings).
  ApiKey write_api_key;
  ApiKey secret_api_key;
};

// Ok for 1 to 64 characters of ASCII letters, digits, space, '-', '_' and
// '.', not starting or ending with a space; otherwise BadRequest with field
// "name".
Status ValidateWorkspaceName(std::string_view name);

// Creates workspaces ready to use: the workspace, one write key (scope
// ingest) and one secret key (scope admin), both named "default" and stored
// by hash, atomically.
// Thread safety: safe to call concurrently (as the MetaStore is).
class WorkspaceProvisioner {
 public:
  // REQUIRES: `store` and `clock` outlive this.
  WorkspaceProvisioner(MetaStore& store, const Clock& clock) : store_(store), clock_(clock) {}

  // BadRequest (field "name") for an invalid name; Conflict (field "name")
  // when a workspace of that name exists; the store's errors otherwise.
  // `created_by`: the id of the user creating it, recorded on its keys; ""
  // for the command line.
  Result<ProvisionedWorkspace> Create(std::string_view name, std::string_view created_by = {});

 private:
  MetaStore& store_;
  const Clock& clock_;
};

}  // namespace cdp
