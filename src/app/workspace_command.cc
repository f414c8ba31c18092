#include "app/workspace_command.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "app/command_failure.h"
#include "auth/workspace_provisioner.h"
#include "meta/sqlite/sqlite_meta_store.h"
#include "meta/sqlite/sqlite_migrator.h"

namespace cdp {

namespace {

// The store, once the migrator agrees its schema is the one this cdp speaks.
Result<std::unique_ptr<SqliteMetaStore>> OpenCurrentStore(const Config& config) {
  CDP_ASSIGN_OR_RETURN(auto migrator, OpenSqliteMigrator(config.MetaDbPath()));
  CDP_RETURN_IF_ERROR(migrator->CheckCurrent());
  return OpenSqliteMetaStore(config.MetaDbPath());
}

Status ErrnoError(std::string_view what, const std::string& path) {
  return Status::Internal(fmt::format("cannot {} {}: {}", what, path, std::strerror(errno)));
}

// Writes the file aside and renames it into place, so a reader never sees
// half of it; created 0600 because it holds a secret.
Status WriteKeysFile(const std::string& path, std::string_view write_key,
                     std::string_view secret_key) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ignored;  // open() below reports a missing directory
  if (!parent.empty()) std::filesystem::create_directories(parent, ignored);

  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoError("create", temp);
  const std::string text =
      fmt::format("CDP_WRITE_KEY={}\nCDP_SECRET_KEY={}\n", write_key, secret_key);
  // fchmod: an older temp file keeps its mode through O_TRUNC.
  const bool written = ::fchmod(fd, 0600) == 0 &&
                       ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  Status status = written ? Status::Ok() : ErrnoError("write", temp);
  if (::close(fd) != 0 && status.ok()) status = ErrnoError("close", temp);
  if (status.ok() && ::rename(temp.c_str(), path.c_str()) != 0) status = ErrnoError("rename", temp);
  if (!status.ok()) ::unlink(temp.c_str());
  return status;
}

void PrintExisting(const Workspace& workspace) {
  fmt::print("workspace {} already exists (id {})\n", workspace.name, workspace.id);
}

}  // namespace

int RunWorkspaceCreateCommand(const Config& config, std::string_view name, bool if_absent,
                              const std::string& keys_file) {
  Result<std::unique_ptr<SqliteMetaStore>> store = OpenCurrentStore(config);
  if (!store.ok()) return ReportCommandFailure(store.status());

  if (if_absent) {
    Result<Workspace> existing = (*store)->FindWorkspaceByName(name);
    if (existing.ok()) {
      PrintExisting(*existing);
      return 0;
    }
    if (existing.status().code() != ErrorCode::kNotFound)
      return ReportCommandFailure(existing.status());
  }

  WorkspaceProvisioner provisioner(**store, SystemClock::Instance());
  Result<ProvisionedWorkspace> created = provisioner.Create(name);
  if (!created.ok()) {
    // Another process may have created it since the lookup above.
    if (if_absent && created.status().code() == ErrorCode::kConflict &&
        created.status().field() == "name") {
      Result<Workspace> existing = (*store)->FindWorkspaceByName(name);
      if (!existing.ok()) return ReportCommandFailure(existing.status());
      PrintExisting(*existing);
      return 0;
    }
    return ReportCommandFailure(created.status());
  }

  fmt::print("workspace {} created (id {})\n", created->workspace.name, created->workspace.id);
  fmt::print("  write key:  {}   (public: use it in SDKs)\n", created->write_key);
  fmt::print("  secret key: {}   (shown once: store it now)\n", created->secret_key);
  std::fflush(stdout);  // the keys are out even if writing the file fails
  if (!keys_file.empty()) {
    if (Status status = WriteKeysFile(keys_file, created->write_key, created->secret_key);
        !status.ok()) {
      return ReportCommandFailure(status);
    }
    fmt::print("  keys written to {}\n", keys_file);
  }
  return 0;
}

int RunWorkspaceListCommand(const Config& config) {
  Result<std::unique_ptr<SqliteMetaStore>> store = OpenCurrentStore(config);
  if (!store.ok()) return ReportCommandFailure(store.status());
  Result<std::vector<Workspace>> workspaces = (*store)->ListWorkspaces();
  if (!workspaces.ok()) return ReportCommandFailure(workspaces.status());
  if (workspaces->empty()) {
    fmt::print("no workspaces yet: create one with `cdp workspace create NAME`\n");
    return 0;
  }
  size_t name_width = 4;
  for (const auto& w : *workspaces) name_width = std::max(name_width, w.name.size());
  fmt::print("{:<36}  {:<{}}  {}\n", "id", "name", name_width, "created_at");
  for (const auto& w : *workspaces) {
    fmt::print("{:<36}  {:<{}}  {}\n", w.id, w.name, name_width, FormatIso8601(w.created_at));
  }
  return 0;
}

}  // namespace cdp
