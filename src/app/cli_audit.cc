#include "app/cli_audit.h"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/log.h"
#include "core/uuid.h"
#include "meta/sqlite/sqlite_audit_log.h"

namespace cdp {

namespace {

// The name of the effective user in the password database; "" when the uid
// has none (a container running as an arbitrary uid).
std::string PasswordDatabaseName(uid_t uid) {
  long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(size > 0 ? static_cast<size_t>(size) : 16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr ||
      found->pw_name == nullptr) {
    return "";
  }
  return found->pw_name;
}

}  // namespace

AuditActor CommandLineActor() {
  const uid_t uid = ::geteuid();
  std::string name = PasswordDatabaseName(uid);
  if (name.empty()) {
    const char* user = std::getenv("USER");
    name = user != nullptr && *user != '\0' ? user : fmt::format("uid {}", uid);
  }
  return AuditActor{.kind = AuditActorKind::kCli, .id = "", .label = std::move(name)};
}

void RecordCommandLineAudit(const Config& config, std::string_view workspace_id,
                            std::string_view action, std::string_view target_kind,
                            std::string_view target_id, std::string details) {
  AuditEntry entry;
  entry.id = Uuid::NewV7().ToString();
  entry.workspace_id = workspace_id;
  entry.at = SystemClock::Instance().Now();
  entry.actor = CommandLineActor();
  entry.action = action;
  entry.target_kind = target_kind;
  entry.target_id = target_id;
  entry.details = std::move(details);

  Status status;
  auto log = OpenSqliteAuditLog(config.MetaDbPath());
  if (log.ok()) {
    status = (*log)->AppendAudit(entry);
  } else {
    status = log.status();
  }
  if (status.ok()) return;
  log::Warn("audit entry not recorded")
      .Str("action", entry.action)
      .Str("workspace_id", entry.workspace_id)
      .Err(status);
  fmt::print(stderr, "warning: done, but the audit log did not record it ({}): {}\n", action,
             status.message());
  if (!status.cause().empty()) fmt::print(stderr, "  cause: {}\n", status.cause());
}

}  // namespace cdp
