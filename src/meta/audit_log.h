#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace cdp {

// Who did something.
enum class AuditActorKind {
  kUser,    // a signed-in user: id is the user id, label the email
  kApiKey,  // a secret key: id is the key id, label its masked prefix ("sk_4f9Qa…")
  kCli,     // the command line on the server: id "" , label the OS user name
};
// "user" / "api_key" / "cli".
std::string_view AuditActorKindName(AuditActorKind kind);
std::optional<AuditActorKind> ParseAuditActorKind(std::string_view name);

struct AuditActor {
  AuditActorKind kind = AuditActorKind::kCli;
  std::string id;
  std::string label;

  friend bool operator==(const AuditActor&, const AuditActor&) = default;
};

// One administrative action in a workspace. Actions are dotted names, the
// noun first: "api_key.create", "api_key.revoke", "member.add",
// "member.remove", "member.role_change", "schema.property.change_type",
// "schema.property.delete", "saved_query.delete", "dashboard.delete",
// "dead_letter.replay", "profile.unmerge", "workspace.create".
struct AuditEntry {
  std::string id;  // UUIDv7: entries sort in the order they were recorded
  std::string workspace_id;
  TimePoint at;
  AuditActor actor;
  std::string action;
  std::string target_kind;  // "api_key", "member", "property", "profile"...
  std::string target_id;    // the key id, user id, "event.plan", profile id...
  // A JSON object with what else matters ({"role": {"from": "viewer", "to":
  // "admin"}}); "{}" when nothing. Never holds a secret.
  std::string details = "{}";
  std::string ip;          // the client's address; "" for the command line
  std::string request_id;  // the HTTP request's X-Request-Id; "" for the CLI

  friend bool operator==(const AuditEntry&, const AuditEntry&) = default;
};

// Which entries a listing wants; unset fields match everything.
struct AuditFilter {
  std::optional<std::string> action;  // exact, or a prefix ending in '.' ("member.")
  std::optional<std::string> actor_id;
  std::optional<std::string> target_id;
  std::optional<TimePoint> since;  // at >= since
  std::optional<TimePoint> until;  // at < until
};

struct AuditPage {
  std::vector<AuditEntry> entries;  // newest first
  std::string next_cursor;          // "" on the last page
};

// The limits of a listing.
inline constexpr int kMaxAuditPageSize = 1000;

// The audit log: append-only, per workspace. Entries go when their workspace
// goes, never otherwise.
// Thread safety: all methods are safe to call concurrently.
class AuditLog {
 public:
  AuditLog() = default;
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;
  virtual ~AuditLog() = default;

  // NotFound (field "workspace_id") when the workspace does not exist;
  // BadRequest (field "details") when details is not a JSON object text;
  // Conflict (field "id") when the id is taken.
  virtual Status AppendAudit(const AuditEntry& entry) = 0;
  // Newest first, `limit` (1 to kMaxAuditPageSize) per page, from `cursor`
  // ("" for the first page; BadRequest (field "cursor") for one this log did
  // not make). Entries of other workspaces never appear.
  virtual Result<AuditPage> ListAudit(std::string_view workspace_id, const AuditFilter& filter,
                                      std::string_view cursor, int limit) = 0;
};

}  // namespace cdp
