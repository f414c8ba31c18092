#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace cdp {

// A tenant. Every event, profile and key belongs to exactly one workspace.
struct Workspace {
  static constexpr int kDefaultRetentionDays = 90;
  static constexpr int kMinRetentionDays = 1;
  static constexpr int kMaxRetentionDays = 36'500;  // about a century

  std::string id;  // UUIDv7, lower-case canonical form
  std::string name;
  TimePoint created_at;
  // How long the event store keeps the workspace's events: the event store
  // drops events whose UTC day ended more than retention_days days ago, so
  // the events of day D may go from day D + retention_days + 1 on (with 1,
  // yesterday's events are kept through today). From kMinRetentionDays to
  // kMaxRetentionDays; set with MetaStore::SetWorkspaceRetention.
  int retention_days = kDefaultRetentionDays;

  friend bool operator==(const Workspace&, const Workspace&) = default;
};

enum class ApiKeyKind {
  kWrite,   // sends events; public
  kSecret,  // reads and administers a workspace; private
};

// "write" / "secret": the spelling used in storage and in the API.
constexpr std::string_view ApiKeyKindName(ApiKeyKind kind) {
  return kind == ApiKeyKind::kWrite ? "write" : "secret";
}

// What a key may do. A write key only sends events (kIngest, its only
// scope); a secret key reads (kRead) or reads and administers (kAdmin) its
// workspace through the server API (see auth/permission.h for the mapping).
enum class ApiKeyScope {
  kIngest,
  kRead,
  kAdmin,
};

// "ingest" / "read" / "admin": the spelling used in storage and in the API.
constexpr std::string_view ApiKeyScopeName(ApiKeyScope scope) {
  switch (scope) {
    case ApiKeyScope::kIngest:
      return "ingest";
    case ApiKeyScope::kRead:
      return "read";
    case ApiKeyScope::kAdmin:
      return "admin";
  }
  return "admin";
}
// The scope of that spelling; nullopt for any other text.
std::optional<ApiKeyScope> ParseApiKeyScope(std::string_view name);

// The longest name a key may have (ApiKey::name), in bytes.
inline constexpr size_t kMaxApiKeyNameBytes = 100;

// A credential of one workspace.
//
// Both kinds are stored as the hex SHA-256 of the key (`key_hash`) and shown
// in clear exactly once, when created: a leaked database or backup holds no
// usable key, and a listing shows only `display_prefix`. Keys are long random
// tokens, so an unsalted fast hash is enough (no dictionary to attack) and
// keeps lookup by hash an index probe.
struct ApiKey {
  std::string id;  // UUIDv7
  std::string workspace_id;
  ApiKeyKind kind = ApiKeyKind::kWrite;
  // kIngest for write keys; kRead or kAdmin for secret keys.
  ApiKeyScope scope = ApiKeyScope::kIngest;
  // A label for people ("web site", "nightly export"); may be empty, at most
  // kMaxApiKeyNameBytes.
  std::string name;
  // The first 8 characters of the key, for masked listings ("sk_4f9Qa…").
  std::string display_prefix;
  std::string key_hash;  // lower-case hex SHA-256 of the key (HashApiKey)
  // The user who created it; empty for keys made by the command line.
  std::string created_by;
  TimePoint created_at;
  std::optional<TimePoint> revoked_at;

  bool revoked() const { return revoked_at.has_value(); }
  friend bool operator==(const ApiKey&, const ApiKey&) = default;
};

// One workspace's overrides of ingestion's rate limits (the server's defaults
// come from its configuration; see ingest::RateLimits for what each limit
// means). An unset field means "the default" for that limit, so an override
// with every field unset is the same as none.
// Valid values: requests_per_second finite and >= 1 (a request is one),
// burst_requests and events_per_day > 0, burst_window_seconds from 1 to
// kMaxBurstWindowSeconds (one day: the daily cap covers longer spans).
struct WorkspaceRateLimits {
  static constexpr int64_t kMaxBurstWindowSeconds = 86'400;

  std::string workspace_id;
  std::optional<double> requests_per_second;
  std::optional<int64_t> burst_requests;
  std::optional<int64_t> burst_window_seconds;
  std::optional<int64_t> events_per_day;
  TimePoint updated_at;

  friend bool operator==(const WorkspaceRateLimits&, const WorkspaceRateLimits&) = default;
};

// The metadata store: workspaces (with their retention), API keys and
// rate-limit overrides (and, later, saved queries, dashboards...).
// Implementations: SQLite (embedded) and PostgreSQL. The schema registry and
// the dead-letter queue live in the same database behind their own
// interfaces (schema_registry.h, dead_letter_store.h), so that a service or
// a test fake sees only what it uses.
//
// Thread safety: all methods are safe to call concurrently from any thread.
// Times are stored with millisecond precision: a TimePoint read back equals
// the one written only if it was whole milliseconds.
// Errors: NotFound, Conflict and BadRequest as documented per method;
// Unavailable when the database is busy or unreachable; Internal otherwise.
class MetaStore {
 public:
  MetaStore() = default;
  MetaStore(const MetaStore&) = delete;
  MetaStore& operator=(const MetaStore&) = delete;
  virtual ~MetaStore() = default;

  // Conflict (field "name") when a workspace of that name exists; Conflict
  // (field "id") when the id is taken; BadRequest (field "retention_days")
  // when retention_days is outside the bounds Workspace documents.
  virtual Status CreateWorkspace(const Workspace& workspace) = 0;
  // Creates the workspace and its keys atomically: all of them or none, so a
  // failure never leaves a workspace without keys. Errors as CreateWorkspace
  // and CreateApiKey.
  // REQUIRES: every key's workspace_id == workspace.id.
  virtual Status CreateWorkspaceWithKeys(const Workspace& workspace,
                                         const std::vector<ApiKey>& keys) = 0;
  // NotFound when no workspace has this id.
  virtual Result<Workspace> GetWorkspace(std::string_view id) = 0;
  // NotFound when no workspace has this name (names are case-sensitive).
  virtual Result<Workspace> FindWorkspaceByName(std::string_view name) = 0;
  // Every workspace, oldest first.
  virtual Result<std::vector<Workspace>> ListWorkspaces() = 0;
  // Sets the workspace's retention_days to `days`. BadRequest (field
  // "retention_days") when `days` is outside kMinRetentionDays to
  // kMaxRetentionDays, checked first; NotFound (field "workspace_id") when no
  // workspace has this id.
  virtual Status SetWorkspaceRetention(std::string_view workspace_id, int days) = 0;

  // BadRequest when the key's fields do not fit its kind (a write key has
  // scope kIngest, a secret key kRead or kAdmin; key_hash is 64 hex digits;
  // name at most kMaxApiKeyNameBytes); NotFound (field "workspace_id") when
  // the workspace does not exist; Conflict (field "id" or "key_hash") when a
  // unique value is taken.
  virtual Status CreateApiKey(const ApiKey& key) = 0;
  // The key, of either kind, whose hash is `key_hash`, revoked or not: the
  // caller checks the kind and decides what a revocation means. NotFound
  // when unknown.
  virtual Result<ApiKey> FindApiKeyByHash(std::string_view key_hash) = 0;
  // The workspace's keys, revoked ones included, oldest first. NotFound when
  // the workspace does not exist.
  virtual Result<std::vector<ApiKey>> ListApiKeys(std::string_view workspace_id) = 0;
  // Marks the key revoked at `at`. Revoking a revoked key succeeds and keeps
  // the first time. NotFound when the workspace has no key of that id.
  virtual Status RevokeApiKey(std::string_view workspace_id, std::string_view key_id,
                              TimePoint at) = 0;

  // Stores the workspace's rate-limit override, replacing the whole previous
  // one if any (a field unset here returns that limit to the default).
  // BadRequest (field "requests_per_second", "burst_requests",
  // "burst_window_seconds" or "events_per_day") for a value outside the
  // bounds WorkspaceRateLimits documents; NotFound (field "workspace_id")
  // when the workspace does not exist.
  virtual Status SetWorkspaceRateLimits(const WorkspaceRateLimits& limits) = 0;
  // Removes the workspace's override: the defaults apply again. Ok when it
  // had none; NotFound (field "workspace_id") when the workspace does not
  // exist. An override also goes when its workspace is deleted.
  virtual Status ClearWorkspaceRateLimits(std::string_view workspace_id) = 0;
  // Every override, ordered by workspace_id: what a server applies to its
  // rate limiter (a workspace not listed uses the defaults).
  virtual Result<std::vector<WorkspaceRateLimits>> ListWorkspaceRateLimits() = 0;

  // A cheap round trip to the database, for readiness checks (GET /ready).
  virtual Status Ping() = 0;
};

}  // namespace cdp
